//go:build linux && (amd64 || arm64)

package platform

import (
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The x/sys wrappers of the *at calls copy each name into a new
// NUL-terminated slice: one allocation per stat and per open, half of
// all the allocations of a no-op run. These pass the name from a buffer
// on the caller's stack instead. A string that does not fit (a root's
// whole path can be longer than NAME_MAX, which a single name cannot)
// or that holds a NUL takes the wrappers, and gets their answers.

// cname is a NUL-terminated copy of a name or a short path.
type cname [unix.NAME_MAX + 1]byte

// set copies name into b, reporting whether it fits.
func (b *cname) set(name string) bool {
	if len(name) >= len(b) || strings.IndexByte(name, 0) >= 0 {
		return false
	}
	b[copy(b[:], name)] = 0
	return true
}

func fstatat(dirfd int, name string, st *unix.Stat_t, flags int) error {
	var b cname
	if !b.set(name) {
		return unix.Fstatat(dirfd, name, st, flags)
	}
	_, _, e := unix.Syscall6(unix.SYS_NEWFSTATAT, uintptr(dirfd), uintptr(unsafe.Pointer(&b[0])),
		uintptr(unsafe.Pointer(st)), uintptr(flags), 0, 0)
	return errnoErr(e)
}

func openat(dirfd int, name string, flags int, mode uint32) (int, error) {
	var b cname
	if !b.set(name) {
		return unix.Openat(dirfd, name, flags, mode)
	}
	fd, _, e := unix.Syscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(&b[0])),
		uintptr(flags|unix.O_LARGEFILE), uintptr(mode), 0, 0)
	return int(fd), errnoErr(e)
}

// errnoErr returns nil for 0, as the wrappers do.
func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}
