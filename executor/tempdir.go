package executor

import (
	"fmt"
	"path/filepath"

	"github.com/treesync/treesync/platform"
)

// closeTempDir closes --temp-dir, if it was opened.
func (e *Executor) closeTempDir() {
	if e.tempFd >= 0 {
		_ = platform.Close(e.tempFd)
		e.tempFd = -1
	}
}

// openTempDir opens --temp-dir (relative to dest when not absolute),
// which must exist (exit 1, as rsync) and be on the destination's
// filesystem: copies are renamed from it into place.
func (e *Executor) openTempDir(dest string, destFd int) error {
	if e.opts.TempDir == "" || e.opts.DryRun || destFd < 0 {
		return nil
	}
	dir := e.opts.TempDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(dest, dir)
	}
	fd, err := platform.OpenRoot(dir)
	if err != nil {
		return &CodedError{Code: ExitUsage, Err: fmt.Errorf("the temp-dir %s cannot be used: %w", dir, err)}
	}
	st, err1 := platform.Fstat(fd)
	dst, err2 := platform.Fstat(destFd)
	if err1 != nil || err2 != nil || st.Dev != dst.Dev {
		platform.Close(fd)
		return &CodedError{Code: ExitUsage, Err: fmt.Errorf("the temp-dir %s must be on the destination's filesystem (copies are renamed from it into place)", dir)}
	}
	e.tempFd = fd
	return nil
}
