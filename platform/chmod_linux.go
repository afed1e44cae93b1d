//go:build linux

package platform

import (
	"errors"

	"golang.org/x/sys/unix"
)

// Lchmodat sets the permission bits of name inside dirfd without ever
// following a symlink (fchmodat2 with AT_SYMLINK_NOFOLLOW, Linux 6.6; on
// older kernels through an O_PATH descriptor, as glibc does).
func Lchmodat(dirfd int, name string, mode uint32) error {
	err := retryErr(func() error { return unix.Fchmodat(dirfd, name, mode&ModePerm, unix.AT_SYMLINK_NOFOLLOW) })
	if !errors.Is(err, unix.EOPNOTSUPP) {
		return err
	}
	fd, err := retry(func() (int, error) { return openat(dirfd, name, unix.O_PATH|nofollowFlags, 0) })
	if err != nil {
		return err
	}
	defer Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return unix.EOPNOTSUPP // symlinks have no mode of their own on Linux
	}
	return chmodSearchFd(fd, mode)
}
