//go:build linux

package platform

import (
	"errors"
	"strconv"

	"golang.org/x/sys/unix"
)

// unnamedFavoured reports whether new files on the filesystem of dirfd
// should be written unnamed (O_TMPFILE) and linked in, rather than
// written under a temporary name and renamed. BenchmarkNewFile (20,000
// 3 KB files, 50 directories, 4 writers; median of 3; fresh loop images)
// took, named+rename against unnamed+link: btrfs 580 vs 405 ms, ext4 225
// vs 211, tmpfs 88 vs 79, XFS 302 vs 307. XFS gains nothing (an earlier
// measurement had it 35% slower), so it keeps the rename.
func unnamedFavoured(dirfd int) bool {
	var st unix.Statfs_t
	if err := unix.Fstatfs(dirfd, &st); err != nil {
		return false
	}
	return st.Type != unix.XFS_SUPER_MAGIC
}

// createUnnamed creates a file with no name in the directory dirfd
// (O_TMPFILE): it vanishes if not linked in, even after a crash.
// handled is false when the filesystem cannot make one.
func createUnnamed(dirfd int, perm uint32) (int, bool, error) {
	fd, err := retry(func() (int, error) {
		return openat(dirfd, ".", unix.O_RDWR|unix.O_TMPFILE|unix.O_CLOEXEC, perm)
	})
	switch {
	case err == nil:
		return fd, true, nil
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.EISDIR), errors.Is(err, unix.EINVAL):
		return -1, false, nil // no O_TMPFILE on this kernel or filesystem
	}
	return -1, true, err
}

// LinkUnnamed gives the unnamed file fd (from CopyToUnnamed) the name
// name in dirfd. It fails with EEXIST when the name exists: nothing is
// ever replaced.
func LinkUnnamed(fd, dirfd int, name string) error {
	err := retryErr(func() error { return unix.Linkat(fd, "", dirfd, name, unix.AT_EMPTY_PATH) })
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EPERM) {
		// AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH on older kernels; the
		// descriptor's /proc link does not.
		proc := "/proc/self/fd/" + strconv.Itoa(fd)
		err = retryErr(func() error { return unix.Linkat(unix.AT_FDCWD, proc, dirfd, name, unix.AT_SYMLINK_FOLLOW) })
	}
	return err
}
