package executor

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/treesync/treesync/platform"
)

// ErrLocked means another run holds the destination's lock.
var ErrLocked = errors.New("another treesync run is using this destination")

// lock takes an exclusive advisory lock (flock) on the destination root's
// descriptor, so two runs never interleave writes; nothing is written into
// the mirror for it. It waits up to Options.LockWait, then gives up with
// exit code ExitLockHeld.
func (e *Executor) lock(fd int, dest string) error {
	if fd < 0 || e.opts.DryRun || e.opts.NoLock {
		return nil
	}
	deadline := time.Now().Add(e.opts.LockWait)
	for {
		err := platform.Flock(fd, false)
		if err == nil || errors.Is(err, syscall.EBADF) { // (EBADF: a drop box, opened only to search it, cannot be locked)
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("lock %s: %w", dest, err)
		}
		if !time.Now().Before(deadline) {
			return &CodedError{Code: ExitLockHeld, Err: fmt.Errorf("%w: %s (waited %v; see --lock-wait)", ErrLocked, dest, e.opts.LockWait)}
		}
		select {
		case <-e.ctx.Done():
			return e.ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
