//go:build unix && !linux

package platform

import "golang.org/x/sys/unix"

// OpenDirSearchAt is Linux's alone (O_PATH): elsewhere a directory that
// cannot be read is not opened.
func OpenDirSearchAt(int, string, bool) (int, error) { return -1, unix.EACCES }

func chmodSearchFd(int, uint32) error   { return unix.EBADF }
func chownSearchFd(int, int, int) error { return unix.EBADF }
