//go:build unix

package platform

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// maxLinks is how many symlinks one path may pass, as Linux allows.
const maxLinks = 40

// OpenTrusted opens path as open(2) would with flags and perm, but looks
// it up one name at a time and follows a symlink on the way (the last
// name's too) only when root or the running user owns it; any other
// fails with *UntrustedLinkError. Each name is opened below the
// descriptor of the one before, so no name can be swapped for a symlink
// between the check and the use.
func OpenTrusted(path string, flags int, perm uint32) (int, error) {
	w := trustWalk{euid: uint32(unix.Geteuid()), dir: CurrentDir}
	defer w.close()
	return w.run(path, func(dir int, name string) (int, error) {
		return retry(func() (int, error) { return openat(dir, name, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, perm) })
	})
}

// OpenDirTrusted is OpenRoot through OpenTrusted.
func OpenDirTrusted(path string) (int, error) {
	fd, err := OpenTrusted(path, openDirFlags, 0)
	if err != nil {
		return -1, fmt.Errorf("open directory %s: %w", path, err)
	}
	return fd, nil
}

// OpenFileTrusted is os.OpenFile through OpenTrusted.
func OpenFileTrusted(path string, flags int, perm uint32) (*os.File, error) {
	fd, err := OpenTrusted(path, flags, perm)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// CheckTrusted reports (*UntrustedLinkError, or ELOOP for too many) the
// first symlink on path OpenTrusted would refuse, for what is then done
// by path name (making the missing directories of a destination). It
// looks no further than the first name that is missing or cannot be
// searched: nothing beyond it can be followed.
func CheckTrusted(path string) error {
	w := trustWalk{euid: uint32(unix.Geteuid()), dir: CurrentDir}
	defer w.close()
	_, err := w.run(path, func(dir int, name string) (int, error) {
		var st unix.Stat_t
		if unix.Fstatat(dir, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return -1, unix.ELOOP // (followed by run)
		}
		return -1, nil
	})
	if ue := new(UntrustedLinkError); errors.As(err, &ue) || errors.Is(err, unix.ELOOP) {
		return err
	}
	return nil
}

// trustWalk is one path's lookup: the directory reached so far.
type trustWalk struct {
	euid  uint32
	dir   int    // CurrentDir at the start of a relative path
	shown string // the path walked so far, for messages
	links int
}

func (w *trustWalk) close() {
	if w.dir != CurrentDir {
		_ = unix.Close(w.dir)
	}
	w.dir = CurrentDir
}

// run looks up path's names and hands the last to final, which opens it
// (or fails with ELOOP, ENOTDIR or EMLINK on a symlink, then followed).
func (w *trustWalk) run(path string, final func(dir int, name string) (int, error)) (int, error) {
	if path == "" {
		return -1, unix.ENOENT
	}
	names, err := w.begin(path)
	if err != nil {
		return -1, err
	}
	for len(names) > 0 {
		name := names[0]
		names = names[1:]
		if name == "." && len(names) > 0 {
			continue
		}
		var fd int
		var err error
		if len(names) == 0 {
			if fd, err = final(w.dir, name); err == nil {
				return fd, nil
			}
		} else {
			fd, err = retry(func() (int, error) {
				return openat(w.dir, name, searchFlags|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			})
		}
		if err != nil {
			target, err := w.follow(name, err)
			if err != nil {
				return -1, err
			}
			more, err := w.begin(target)
			if err != nil {
				return -1, err
			}
			names = append(more, names...)
			continue
		}
		w.close()
		w.dir, w.shown = fd, filepath.Join(w.shown, name)
	}
	return final(w.dir, ".")
}

// begin splits path into names; an absolute one starts again at "/".
func (w *trustWalk) begin(path string) ([]string, error) {
	if strings.HasPrefix(path, "/") {
		w.close()
		fd, err := openat(CurrentDir, "/", searchFlags|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		w.dir, w.shown = fd, "/"
	}
	var names []string
	for _, n := range strings.Split(path, "/") {
		if n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 || strings.HasSuffix(path, "/") {
		names = append(names, ".") // ("dir/" is dir itself, a directory)
	}
	return names, nil
}

// follow returns the target of the symlink name that failed an open
// with err, when root or the running user owns it; err itself when name
// is not a symlink.
func (w *trustWalk) follow(name string, err error) (string, error) {
	if !errors.Is(err, unix.ELOOP) && !errors.Is(err, unix.ENOTDIR) && !errors.Is(err, unix.EMLINK) {
		return "", err
	}
	target, uid, lerr := readLinkOwned(w.dir, name)
	if lerr != nil {
		return "", err // not a symlink (or gone): the open's own error
	}
	link := filepath.Join(w.shown, name)
	if uid != 0 && uid != w.euid {
		return "", &UntrustedLinkError{Link: link, UID: uid}
	}
	if w.links++; w.links > maxLinks {
		return "", fmt.Errorf("%s: %w", link, unix.ELOOP)
	}
	return target, nil
}
