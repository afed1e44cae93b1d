package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"syscall"

	"github.com/treesync/treesync/filter"
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
// the source has no type for it) is left: see missingKept.
func (e *Executor) deleteMissing(destFd int, rel string, keepTime, rootSent bool) {
	e.stats.Files.add(planner.KindFile) // (rsync's file list holds it, as a file without a mode)
	if destFd < 0 || e.missingKept(destFd, rel, rootSent) {
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
	if old.Kind != planner.KindDir && !e.pol.Delete && !e.pol.Force {
		e.deleteMissingFile(d, name, rel, old.Kind)
		return
	}
	if err := e.removeEntry(d, name, &old, true, true); err != nil && !errors.Is(err, errDeleteLimit) {
		e.fail(rel, err)
	}
}

// deleteMissingFile deletes the non-directory name in d (at rel) that a
// missing argument names, without --delete or --force: itemized and held
// to --max-delete, but not among the deleted files --stats counts, which
// rsync's then leaves at 0.
func (e *Executor) deleteMissingFile(d *walker.Dir, name, rel string, k planner.Kind) {
	if !e.del.take() {
		return
	}
	if err := e.unlink(d, d.DstFd, name, k, rel, false); err != nil {
		e.fail(rel, err)
		return
	}
	e.announceDelete(k, rel)
}

// missingKept reports a missing argument's destination name that the
// receiver's rules exclude (as a file: the source has no type for it),
// which rsync's generator leaves: the run's rules (a protect rule keeps
// it, a hide rule does not) and, under --delete-during or
// --delete-delay, the destination's merge files rsync has read by the
// time it meets the name: the root's where the root is in the transfer
// (rootSent), and those of the directories leading to the name.
func (e *Executor) missingKept(destFd int, rel string, rootSent bool) bool {
	rules := e.opts.Filter
	if rules == nil {
		return false
	}
	if e.pol.Delete && (e.opts.DeleteMode == DeleteDuring || e.opts.DeleteMode == DeleteDelay) {
		rules = destRulesTo(rules, destFd, rel, rootSent)
	}
	return rules.Protected(rel, false)
}

// destRulesTo enters rules with the destination's merge files on the
// way to rel: the root's when rootSent, then each directory's above rel.
func destRulesTo(rules *filter.Rules, destFd int, rel string, rootSent bool) *filter.Rules {
	enter := func(dir string, fd int) {
		if entered, err := rules.Enter(dir, readerAt(fd)); err == nil {
			rules = entered
		}
	}
	if rootSent {
		enter("", destFd)
	}
	dir := path.Dir(rel)
	if dir == "." {
		return rules
	}
	parts := strings.Split(dir, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		fd, err := platform.OpenBeneath(destFd, p)
		if err != nil {
			break
		}
		enter(p, fd)
		platform.Close(fd)
	}
	return rules
}

// rootContentsSent reports a source whose contents go to the
// destination root: rsync's transfer then holds the root itself.
func (e *Executor) rootContentsSent() bool {
	for _, s := range e.sources {
		if s.contents && s.st.IsDir() && s.list.List == nil {
			return true
		}
	}
	return false
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
