//go:build linux

package platform

import (
	"time"

	"golang.org/x/sys/unix"
)

// FileClock is the time the kernel stamps a file's mtime and ctime with:
// the coarse clock, which moves once per tick (1–4 ms). Writes within
// one tick leave the times as they were.
func FileClock() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_REALTIME_COARSE, &ts); err != nil {
		return time.Now().UnixNano()
	}
	return ts.Nano()
}
