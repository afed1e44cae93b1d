//go:build linux

package platform

import (
	"errors"

	"golang.org/x/sys/unix"
)

// OpenBeneathFollow opens the directory at rel below rootFd, following
// the symlinks on the way that resolve below rootFd (openat2's
// RESOLVE_BENEATH), as a path inside a reference tree is looked up: one
// that leads out of it is refused (EXDEV). Without openat2 (before Linux
// 5.6) no symlink is followed (OpenBeneath).
func OpenBeneathFollow(rootFd int, rel string) (int, error) {
	if rel == "" || rel == "." {
		return ReopenDir(rootFd)
	}
	how := unix.OpenHow{Flags: openDirFlags | uint64(noatime), Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS}
	fd, err := retry(func() (int, error) { return unix.Openat2(rootFd, rel, &how) })
	if errors.Is(err, unix.EPERM) && noatime != 0 {
		how.Flags = openDirFlags
		fd, err = retry(func() (int, error) { return unix.Openat2(rootFd, rel, &how) })
	}
	if errors.Is(err, unix.ENOSYS) {
		return OpenBeneath(rootFd, rel)
	}
	return fd, err
}
