//go:build linux

package tree

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// pathXattrs reads every extended attribute of path, not following a
// final symlink.
func pathXattrs(path string) (map[string]string, error) {
	list, err := grow(func(b []byte) (int, error) { return unix.Llistxattr(path, b) })
	if err != nil {
		return nil, ignoreUnsupported(fmt.Errorf("llistxattr: %w", err))
	}
	out := map[string]string{}
	for _, name := range splitNames(list) {
		v, err := grow(func(b []byte) (int, error) { return unix.Lgetxattr(path, name, b) })
		if errors.Is(err, unix.ENODATA) {
			continue // removed between list and get
		}
		if err != nil {
			return nil, fmt.Errorf("lgetxattr %s: %w", name, err)
		}
		out[name] = string(v)
	}
	return out, nil
}

// fdXattrs reads every extended attribute of an open file.
func fdXattrs(fd int) (map[string]string, error) {
	list, err := grow(func(b []byte) (int, error) { return unix.Flistxattr(fd, b) })
	if err != nil {
		return nil, ignoreUnsupported(fmt.Errorf("flistxattr: %w", err))
	}
	out := map[string]string{}
	for _, name := range splitNames(list) {
		v, err := grow(func(b []byte) (int, error) { return unix.Fgetxattr(fd, name, b) })
		if errors.Is(err, unix.ENODATA) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("fgetxattr %s: %w", name, err)
		}
		out[name] = string(v)
	}
	return out, nil
}

// ignoreUnsupported turns "this filesystem has no xattrs" into none.
func ignoreUnsupported(err error) error {
	if errors.Is(err, unix.ENOTSUP) {
		return nil
	}
	return err
}

// grow calls f with a buffer large enough for its answer: first with a
// nil buffer to learn the size, then again if the value grew meanwhile.
func grow(f func([]byte) (int, error)) ([]byte, error) {
	for {
		n, err := f(nil)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, nil
		}
		buf := make([]byte, n)
		n, err = f(buf)
		if errors.Is(err, unix.ERANGE) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

func splitNames(list []byte) []string {
	var names []string
	for _, n := range bytes.Split(list, []byte{0}) {
		if len(n) > 0 {
			names = append(names, string(n))
		}
	}
	return names
}
