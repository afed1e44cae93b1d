//go:build linux

package platform

import (
	"errors"

	"golang.org/x/sys/unix"
)

// RenameNoReplace renames oldName in olddirfd to newName in newdirfd,
// failing with EEXIST when newName exists (renameat2 RENAME_NOREPLACE).
// Filesystems without the flag get a check-then-rename, which is racy but
// no worse.
func RenameNoReplace(olddirfd int, oldName string, newdirfd int, newName string) error {
	err := retryErr(func() error {
		return unix.Renameat2(olddirfd, oldName, newdirfd, newName, unix.RENAME_NOREPLACE)
	})
	if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOSYS) {
		return err
	}
	return renameIfAbsent(olddirfd, oldName, newdirfd, newName)
}

// RenameExchange swaps oldName in olddirfd and newName in newdirfd
// atomically, whatever their types (renameat2 RENAME_EXCHANGE): a name
// is never missing in between. ErrUnsupported where the filesystem lacks
// the flag.
func RenameExchange(olddirfd int, oldName string, newdirfd int, newName string) error {
	err := retryErr(func() error {
		return unix.Renameat2(olddirfd, oldName, newdirfd, newName, unix.RENAME_EXCHANGE)
	})
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		return ErrUnsupported
	}
	return err
}
