//go:build freebsd

package platform

import "golang.org/x/sys/unix"

// Mknodat creates a fifo, socket or device node name inside dirfd.
func Mknodat(dirfd int, name string, mode uint32, rdev uint64) error {
	return retryErr(func() error { return unix.Mknodat(dirfd, name, mode, rdev) })
}
