package executor

import (
	"errors"
	"io/fs"
	"sync"
	"syscall"
)

// Exit codes, as rsync's.
const (
	ExitOK          = 0
	ExitUsage       = 1
	ExitSelect      = 3 // errors selecting input/output files or directories
	ExitUnsupported = 4 // requested action not supported (an unknown --checksum-choice)
	ExitFileIO      = 11
	ExitSignal      = 20
	ExitPartial     = 23
	ExitVanished    = 24
	ExitDelLimit    = 25
	ExitLockHeld    = 26 // treesync's own (unused by rsync): another run holds the destination lock
	ExitTimeout     = 30 // --timeout: nothing progressed for that long
	ExitCancelled   = ExitSignal
)

// ErrChangedSinceScan means the destination entry is no longer the one the
// planner saw; treesync does not overwrite or delete what it did not plan for.
var ErrChangedSinceScan = errors.New("destination changed since it was scanned")

// ErrSourceChanging means a file kept changing while it was copied.
var ErrSourceChanging = errors.New("source file kept changing while it was copied")

// ItemError is a failure on one path.
type ItemError struct {
	Path string
	Err  error
}

func (e ItemError) Error() string { return e.Path + ": " + e.Err.Error() }

// errorLog collects what went wrong in a run.
type errorLog struct {
	mu       sync.Mutex
	items    []ItemError // kept up to maxKept
	count    int
	vanished int
	removals int // of count, source files --remove-source-files failed to remove
	fatal    error
	delLimit bool
}

const maxKept = 1000

func (l *errorLog) add(path string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if isVanished(err) {
		l.vanished++
		return
	}
	l.count++
	if errors.Is(err, errRemoveSource) {
		l.removals++
	}
	if len(l.items) < maxKept {
		l.items = append(l.items, ItemError{Path: path, Err: err})
	}
}

func (l *errorLog) setFatal(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fatal == nil {
		l.fatal = err
	}
}

// IsFatal reports errors that no other file can get around: a full or
// read-only destination.
func IsFatal(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		errors.Is(err, syscall.EROFS)
}

func isVanished(err error) bool { return errors.Is(err, fs.ErrNotExist) && errors.Is(err, errSource) }

// errRemoveSource marks a source file --remove-source-files failed to
// remove: the transfer is whole all the same, so, as with rsync (whose
// sender alone sees these), deletions go on and the --max-delete limit's
// exit code 25 comes first.
var errRemoveSource = errors.New("remove source file")

// errSource marks errors about the source side, so a missing source file
// (vanished, exit 24) is told from a missing destination directory.
var errSource = errors.New("source")

type sourceError struct{ err error }

func (e sourceError) Error() string { return e.err.Error() }
func (e sourceError) Unwrap() []error {
	return []error{e.err, errSource}
}

func srcErr(err error) error {
	if err == nil {
		return nil
	}
	return sourceError{err}
}
