//go:build linux

package platform

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// OpenDirSearchAt opens the directory name inside dirfd only to reach
// the names in it (O_PATH), following a symlink when follow is set: a
// directory its user may search and write in but not read (a drop box,
// 1733) cannot be listed, yet names in it can be stat-ed, created,
// renamed and removed through this descriptor. Reading it (ReadDirNames)
// fails with EBADF. One the user may not search either fails (EACCES):
// nothing in it could be looked up.
func OpenDirSearchAt(dirfd int, name string, follow bool) (int, error) {
	flags, at := unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, unix.AT_EACCESS
	if !follow {
		flags, at = flags|unix.O_NOFOLLOW, at|unix.AT_SYMLINK_NOFOLLOW
	}
	if err := retryErr(func() error { return unix.Faccessat(dirfd, name, unix.X_OK, at) }); err != nil {
		return -1, err
	}
	return retry(func() (int, error) { return openat(dirfd, name, flags, 0) })
}

// chmodSearchFd and chownSearchFd change what an O_PATH descriptor (one
// of OpenDirSearchAt, Lchmodat's) stands for, which fchmod and fchown
// refuse (EBADF), so that the kernel says what it says of that itself.
func chmodSearchFd(fd int, mode uint32) error {
	return retryErr(func() error { return unix.Chmod("/proc/self/fd/"+strconv.Itoa(fd), mode&ModePerm) })
}

func chownSearchFd(fd, uid, gid int) error {
	return retryErr(func() error { return unix.Fchownat(fd, "", uid, gid, unix.AT_EMPTY_PATH) })
}
