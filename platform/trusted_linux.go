//go:build linux

package platform

import "golang.org/x/sys/unix"

// searchFlags opens a directory on a path only to look names up in it:
// it needs search permission, not read.
const searchFlags = unix.O_PATH

// readLinkOwned returns the target and owner of the symlink name inside
// dirfd, both of the same inode (an O_PATH descriptor of the link).
func readLinkOwned(dirfd int, name string) (string, uint32, error) {
	fd, err := retry(func() (int, error) { return openat(dirfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0) })
	if err != nil {
		return "", 0, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return "", 0, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		return "", 0, unix.EINVAL
	}
	target, err := Readlinkat(fd, "")
	return target, st.Uid, err
}
