package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"syscall"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// MissingArgs says what becomes of a source argument the source lacks.
type MissingArgs uint8

// The ways, as rsync's default, --ignore-missing-args and
// --delete-missing-args.
const (
	MissingFail   MissingArgs = iota // an error (exit 23)
	MissingIgnore                    // left out, no error
	MissingDelete                    // its destination name is deleted
)

// deleteMissing deletes rel, below the destination root destFd, for a
// source argument the source lacks (--delete-missing-args): itemized and
// counted as a --delete deletion; a directory with its contents only
// under --delete or --force, as rsync. keepTime puts back the time of
// the directory it was in (done already: rsync deletes a listed path
// before it sets the times). One the filter rules exclude (as a file:
// the source has no type for it) is left, as rsync sends no such name.
func (e *Executor) deleteMissing(destFd int, rel string, keepTime bool) {
	if destFd < 0 || (e.opts.Filter != nil && e.opts.Filter.Excluded(rel, false)) {
		return // (a dry run's new destination has nothing to delete)
	}
	dir, name := path.Dir(rel), path.Base(rel)
	fd, err := platform.OpenBeneath(destFd, dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			e.fail(rel, fmt.Errorf("delete missing argument: %w", err))
		}
		return
	}
	defer platform.Close(fd)
	if keepTime && e.pol.Times && !e.opts.DryRun {
		if before, err := platform.Fstat(fd); err == nil {
			defer func() { _ = e.fs.Futimes(fd, platform.OmitTime, before.Mtime) }()
		}
	}
	st, err := platform.Lstatat(fd, name)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		e.fail(rel, fmt.Errorf("delete missing argument: %w", err))
		return
	}
	old := walker.FromStat(name, st)
	d := &walker.Dir{DstFd: fd, Path: dir}
	if dir == "." {
		d.Path = "" // the root
	}
	if old.Kind == planner.KindDir && !e.pol.Delete && !e.pol.Force {
		e.deleteMissingDir(fd, rel, name)
		return
	}
	if err := e.removeEntry(d, name, &old, true, true); err != nil && !errors.Is(err, errDeleteLimit) {
		e.fail(rel, err)
	}
}

// deleteMissingDir deletes the directory name (at rel) when it is empty;
// one that is not stays, which rsync reports without an error.
func (e *Executor) deleteMissingDir(fd int, rel, name string) {
	err := e.rmdirEmpty(fd, name)
	switch {
	case errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST):
		e.say("cannot delete non-empty directory: %s", e.escape(rel)) // (rsync's line, at its default verbosity)
	case err != nil:
		e.fail(rel, fmt.Errorf("delete: %w", err))
	default:
		e.noteDelete(planner.KindDir, rel+"/")
	}
}
