//go:build linux

package platform

import "golang.org/x/sys/unix"

// FavouredJobs returns how many files at once the filesystem of dstFd
// takes best when copying from the directories srcFds, or 0 for no
// preference of its own. btrfs: copy workers get in each other's way on
// its trees, and more so where the sources are on the destination's own
// subvolume (one b-tree for the clones, the new names and the listing of
// the source). The Go tree onto btrfs, alternating rounds, medians: from
// the same subvolume -j1 391 ms, -j2 445, cp -a 361 (16 rounds; an earlier
// build: -j4 800, -j2 741, -j1 711, cp 656); from ext4 -j1 696, -j2 688,
// cp 728 (10 rounds; earlier -j4 1084, -j2 965, -j1 1025, cp 1035).
func FavouredJobs(dstFd int, srcFds []int) int {
	var st unix.Statfs_t
	if err := unix.Fstatfs(dstFd, &st); err != nil || uint32(st.Type) != unix.BTRFS_SUPER_MAGIC {
		return 0
	}
	if onDevice(dstFd, srcFds) {
		return 1
	}
	return 2
}

// onDevice reports whether every fd in fds is on the device of the open
// file dirfd (a btrfs subvolume has a device number of its own).
func onDevice(dirfd int, fds []int) bool {
	var d unix.Stat_t
	if len(fds) == 0 || unix.Fstat(dirfd, &d) != nil {
		return false
	}
	for _, fd := range fds {
		var s unix.Stat_t
		if unix.Fstat(fd, &s) != nil || s.Dev != d.Dev {
			return false
		}
	}
	return true
}
