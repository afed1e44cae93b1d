//go:build unix && !linux

package platform

import "golang.org/x/sys/unix"

// searchFlags opens a directory on a path to look names up in it (no
// O_PATH here: it needs read permission too).
const searchFlags = unix.O_RDONLY

// readLinkOwned returns the target and owner of the symlink name inside
// dirfd; the owner is read again after the target, and a link replaced
// in between is refused.
func readLinkOwned(dirfd int, name string) (string, uint32, error) {
	var before, after unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &before, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return "", 0, err
	}
	if before.Mode&unix.S_IFMT != unix.S_IFLNK {
		return "", 0, unix.EINVAL
	}
	target, err := Readlinkat(dirfd, name)
	if err != nil {
		return "", 0, err
	}
	if err := unix.Fstatat(dirfd, name, &after, unix.AT_SYMLINK_NOFOLLOW); err != nil || after.Ino != before.Ino || after.Uid != before.Uid {
		return "", 0, unix.EAGAIN
	}
	return target, before.Uid, nil
}
