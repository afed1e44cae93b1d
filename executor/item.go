package executor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/walker"
)

// do carries out one non-directory action and records its outcome.
func (e *Executor) do(d *walker.Dir, a planner.Action) {
	if a.AltExact && !a.HardLink && e.settleRedundant(d, a) {
		return
	}
	var err error
	parked := false // a hard link waiting for its group: done later
	if a.HardLink || e.namesRemoved(a) {
		var out bool
		if out, err = e.leftOut(d, a); !out && err == nil {
			parked, err = e.doHardLink(d, a)
		}
	} else {
		err = e.doPlain(d, a)
	}
	e.finishItem(d, a, parked, err)
}

// settleRedundant lets the reference trees settle a, an existing file
// (redundantFile); done reports that nothing is left to do: a settled it,
// or a was there for the references alone (up to date: the plan's Current
// has it, for --remove-source-files).
func (e *Executor) settleRedundant(d *walker.Dir, a planner.Action) (done bool) {
	handled, err := e.redundantFile(d, a)
	onlyRefs := a.Op == planner.OpMeta && a.Change == 0
	if err == nil && (handled || onlyRefs) {
		e.printSettled(d, a, e.settledOp(handled))
	}
	switch {
	case onlyRefs && err != nil:
		e.fail(planner.Join(d.Path, a.Name), err)
	case onlyRefs:
	case handled || err != nil:
		e.finishItem(d, a, false, err)
	default:
		return false
	}
	return true
}

// finishItem records the outcome of action a.
func (e *Executor) finishItem(d *walker.Dir, a planner.Action, parked bool, err error) {
	if errors.Is(err, errKept) {
		return // left as it is: neither transferred nor up to date
	}
	if errors.Is(err, errSourceStays) {
		d.Used.Store(true)
		return
	}
	if err != nil {
		e.fail(planner.Join(d.Path, a.Name), err)
		return
	}
	d.Used.Store(true)
	if !parked {
		e.removeSource(d, a.Src)
	}
}

// errSourceStays is what makeNode returns for a symlink or special file
// an exact reference match stood for (--compare-dest, --link-dest): done,
// but --remove-source-files leaves its source, as rsync's sender is never
// told it was sent.
var errSourceStays = errors.New("done from a reference")

// errKept is what copyFile returns for a file it leaves as it is after
// comparing it (Action.KeepIfDiffers).
var errKept = errors.New("left as it is")

// doPlain carries out an action on its own.
func (e *Executor) doPlain(d *walker.Dir, a planner.Action) error {
	var err error
	switch a.Op {
	case planner.OpCopy:
		err = e.copyFile(d, a)
	case planner.OpSymlink, planner.OpSpecial:
		err = e.makeNode(d, a)
	case planner.OpMeta:
		if a.Change != 0 {
			err = e.fixMeta(d, a, a.Change)
		} else {
			e.fakeNormal(d, a) // (a hard-link member with nothing to change)
			e.printUnchanged(d, []*planner.Entry{a.Src})
		}
	}
	return err
}

// makeNode creates a symlink, fifo, socket or device under a temporary
// name, gives it its owner, mode and times, and renames it into place.
func (e *Executor) makeNode(d *walker.Dir, a planner.Action) error {
	path := itemPath(d, a.Name, a.Src.Kind)
	handled, change, quiet, err := e.nodeFromAlt(d, a)
	if handled && err == nil {
		return errSourceStays
	}
	if err != nil {
		return err
	}
	report := func() {
		if quiet {
			e.printSettled(d, a, planner.OpLocal) // (-ii: "cL", "cS" for a reference's copy, as rsync)
			return
		}
		e.print(item{op: a.Op, kind: a.Src.Kind, change: change, path: path, target: a.Src.Target(), ent: a.Src})
	}
	want, err := e.makeWay(d, a)
	if err != nil {
		return err
	}
	if e.opts.DryRun {
		e.noteCreated(a)
		report()
		return nil
	}
	if err := e.newNode(d, a, want); err != nil {
		return err
	}
	e.noteCreated(a)
	report()
	return nil
}

// noteCreated counts a's entry as created (--stats) where the destination
// had none of its type, as rsync counts (a symlink made again to point
// elsewhere is not).
func (e *Executor) noteCreated(a planner.Action) {
	if a.Dst == nil || a.Dst.Kind != a.Src.Kind {
		e.stats.Created.add(a.Src.Kind)
	}
}

// newNode makes the symlink, fifo, socket or device a under a temporary
// name with its attributes and renames it over want.
func (e *Executor) newNode(d *walker.Dir, a planner.Action, want *planner.Entry) error {
	tmp, err := withTempName(func(tmp string) error {
		if a.Src.Kind == planner.KindSymlink {
			return e.fs.Symlinkat(a.Src.Target(), d.DstFd, tmp)
		}
		return e.fs.Mknodat(d.DstFd, tmp, walker.TypeBits(a.Src.Kind)|(a.Src.Mode&0o777), a.Src.Rdev())
	})
	if err != nil {
		return fmt.Errorf("create %s: %w", a.Src.Kind, err)
	}
	err = e.setPathMeta(d, tmp, a.Src, a.Dst, planner.ChangeNew) // without -p what it replaces gives its mode
	if err == nil {
		err = e.syncXattrs(sourceOf(d, a), d.DstFd, tmp)
	}
	if err != nil {
		_ = e.fs.Unlinkat(d.DstFd, tmp)
		return err
	}
	return e.commit(d, tmp, a.Name, want)
}

// makeWay checks that the destination entry is the one planned and, when
// a non-file must replace a directory, removes the directory. It returns
// what the destination entry is expected to be at the rename.
//
// A new entry (a.Dst nil) needs no check here: commit renames it with
// RENAME_NOREPLACE, which fails if anything appeared meanwhile.
//
// A dry run changes nothing: it reports the deletions removing the
// directory would make, or fails as that would.
func (e *Executor) makeWay(d *walker.Dir, a planner.Action) (*planner.Entry, error) {
	if a.Dst == nil {
		return nil, nil
	}
	if !e.opts.DryRun {
		if err := e.expect(d, a.Name, a.Dst); err != nil {
			return nil, err
		}
	}
	if a.Dst.Kind != planner.KindDir {
		return a.Dst, nil
	}
	if err := e.removeEntry(d, a.Name, a.Dst, e.pol.Delete || e.pol.Force, false); err != nil {
		return nil, err
	}
	return nil, nil
}

// commit renames a finished temporary over name, after checking once more
// that name is still what the plan expected. On failure the temporary is
// removed.
func (e *Executor) commit(d *walker.Dir, tmp, name string, want *planner.Entry) error {
	return e.commitTemp(d, d.DstFd, tmp, name, want)
}

// commitTemp is commit for a temporary in the directory from (d's own,
// or --temp-dir's).
func (e *Executor) commitTemp(d *walker.Dir, from int, tmp, name string, want *planner.Entry) error {
	err := e.ctx.Err()
	switch {
	case err != nil:
	case want == nil:
		err = e.fs.RenameNoReplace(from, tmp, d.DstFd, name)
		if errors.Is(err, fs.ErrExist) {
			err = ErrChangedSinceScan
		}
	case want.Kind == planner.KindDir: // (makeWayForFile left it)
		if err = e.expect(d, name, want); err == nil {
			err = e.swapDir(d, tmp, name, want)
		}
	default:
		if err = e.expect(d, name, want); err == nil {
			_, err = e.backup(d, d.DstFd, name, planner.Join(d.Path, name))
		}
		if err == nil {
			err = e.fs.Renameat(from, tmp, d.DstFd, name)
		}
	}
	if err != nil && !errors.Is(err, ErrChangedSinceScan) && !errors.Is(err, context.Canceled) {
		err = fmt.Errorf("rename: %w", err)
	}
	if err != nil {
		_ = e.fs.Unlinkat(from, tmp)
	}
	return err
}
