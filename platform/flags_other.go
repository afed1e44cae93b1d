//go:build unix && !linux

package platform

import "golang.org/x/sys/unix"

const noatime = 0

// exclusiveDevice is Linux's O_EXCL on a block device; elsewhere O_EXCL
// without O_CREAT is undefined, so nothing is asked.
const exclusiveDevice = 0

// Futimes sets the access and modification times of fd. These systems
// offer only microseconds through a descriptor, and no way to leave one
// time alone: an omitted time is read first and written back.
func Futimes(fd int, atime, mtime int64) error {
	if atime == OmitTime || mtime == OmitTime {
		st, err := Fstat(fd)
		if err != nil {
			return err
		}
		if atime == OmitTime {
			atime = st.Atime
		}
		if mtime == OmitTime {
			mtime = st.Mtime
		}
	}
	tv := []unix.Timeval{unix.NsecToTimeval(atime), unix.NsecToTimeval(mtime)}
	return retryErr(func() error { return unix.Futimes(fd, tv) })
}
