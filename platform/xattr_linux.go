//go:build linux

package platform

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// XattrsSupported reports that this system has extended attributes.
const XattrsSupported = true

// Xattr is one extended attribute.
type Xattr struct {
	Name  string
	Value []byte
}

// xattrPath names entry name inside dirfd for the l*xattr calls through
// /proc/self/fd, so no path outside the directory is ever resolved and a
// final symlink is not followed.
func xattrPath(dirfd int, name string) string {
	return "/proc/self/fd/" + strconv.Itoa(dirfd) + "/" + name
}

// ListXattrs returns the extended attributes of name inside dirfd (of
// dirfd itself when name is ""), sorted by name. A filesystem without
// xattrs gives none.
func ListXattrs(dirfd int, name string) ([]Xattr, error) { return listXattrs(dirfd, name, false) }

// ListXattrsFollow is ListXattrs of what name, a symlink, points to (-L).
func ListXattrsFollow(dirfd int, name string) ([]Xattr, error) { return listXattrs(dirfd, name, true) }

func listXattrs(dirfd int, name string, follow bool) ([]Xattr, error) {
	names, err := xattrNames(dirfd, name, follow)
	if err != nil || len(names) == 0 {
		return nil, err
	}
	out := make([]Xattr, 0, len(names))
	for _, n := range names {
		v, err := getXattr(dirfd, name, n, follow)
		if errors.Is(err, unix.ENODATA) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Xattr{Name: n, Value: v})
	}
	return out, nil
}

func xattrNames(dirfd int, name string, follow bool) ([]string, error) {
	list := func(buf []byte) (int, error) {
		switch {
		case name == "":
			return unix.Flistxattr(dirfd, buf)
		case follow:
			return unix.Listxattr(xattrPath(dirfd, name), buf)
		}
		return unix.Llistxattr(xattrPath(dirfd, name), buf)
	}
	buf, err := sized(list)
	if errors.Is(err, unix.ENOTSUP) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, n := range strings.Split(string(buf), "\x00") {
		if n != "" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// GetXattr returns the attribute attr of name inside dirfd (of dirfd
// itself when name is ""): nil when it has none, or the filesystem has no
// extended attributes.
func GetXattr(dirfd int, name, attr string) ([]byte, error) {
	v, err := getXattr(dirfd, name, attr, false)
	if errors.Is(err, unix.ENODATA) || errors.Is(err, unix.ENOTSUP) {
		return nil, nil
	}
	return v, err
}

func getXattr(dirfd int, name, attr string, follow bool) ([]byte, error) {
	return sized(func(buf []byte) (int, error) {
		switch {
		case name == "":
			return unix.Fgetxattr(dirfd, attr, buf)
		case follow:
			return unix.Getxattr(xattrPath(dirfd, name), attr, buf)
		}
		return unix.Lgetxattr(xattrPath(dirfd, name), attr, buf)
	})
}

// sized calls f first to learn the size, then to fill a buffer of it,
// again if the value grew in between.
func sized(f func([]byte) (int, error)) ([]byte, error) {
	for {
		n, err := f(nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 {
			return nil, err
		}
		buf := make([]byte, n)
		n, err = f(buf)
		if errors.Is(err, unix.ERANGE) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

// SetXattr sets one attribute of name inside dirfd (of dirfd when name is "").
func SetXattr(dirfd int, name string, x Xattr) error {
	return retryErr(func() error {
		if name == "" {
			return unix.Fsetxattr(dirfd, x.Name, x.Value, 0)
		}
		return unix.Lsetxattr(xattrPath(dirfd, name), x.Name, x.Value, 0)
	})
}

// RemoveXattr removes one attribute of name inside dirfd; one already
// gone is no error.
func RemoveXattr(dirfd int, name, attr string) error {
	err := retryErr(func() error {
		if name == "" {
			return unix.Fremovexattr(dirfd, attr)
		}
		return unix.Lremovexattr(xattrPath(dirfd, name), attr)
	})
	if errors.Is(err, unix.ENODATA) {
		return nil
	}
	return err
}
