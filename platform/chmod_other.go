//go:build unix && !linux

package platform

import "golang.org/x/sys/unix"

// Lchmodat sets the permission bits of name inside dirfd without
// following a symlink.
func Lchmodat(dirfd int, name string, mode uint32) error {
	return retryErr(func() error { return unix.Fchmodat(dirfd, name, mode&ModePerm, unix.AT_SYMLINK_NOFOLLOW) })
}
