//go:build linux

package platform

import "golang.org/x/sys/unix"

// noatime keeps reads and listings from updating access times. The kernel
// refuses it (EPERM) on files we do not own, so openNoatime retries without.
const noatime = unix.O_NOATIME

// exclusiveDevice opens a block device only when nothing else holds it:
// a mounted one is refused with EBUSY (open(2)).
const exclusiveDevice = unix.O_EXCL

// Futimes sets the access and modification times (ns) of fd, to the
// nanosecond (utimensat with AT_EMPTY_PATH acts on the descriptor).
func Futimes(fd int, atime, mtime int64) error {
	ts := timespecs(atime, mtime)
	return retryErr(func() error { return unix.UtimesNanoAt(fd, "", ts, unix.AT_EMPTY_PATH) })
}
