//go:build unix

package platform

import "syscall"

// SetIDs makes the process (every thread of it) run as uid, with gid and
// the supplementary groups, for good: the groups first, while it may.
func SetIDs(uid, gid int, groups []int) error {
	if err := syscall.Setgroups(groups); err != nil {
		return &IDError{"setgroups", err}
	}
	if err := syscall.Setgid(gid); err != nil {
		return &IDError{"setgid", err}
	}
	if err := syscall.Setuid(uid); err != nil {
		return &IDError{"setuid", err}
	}
	return nil
}
