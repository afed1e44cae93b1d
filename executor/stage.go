package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"sync/atomic"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// A directory this run creates is made under a temporary name and renamed
// to its own once the files listed in it are in: a staged directory.
// Nobody looks for anything inside a name like that, so its new files
// are created under their final names, without the temporary name and
// rename (or unnamed file and link) each file needs where others can see
// it. A directory shows up complete or not at all, its files each whole:
// one that fails or is interrupted is removed before the rename. Its
// subdirectories are staged in turn, each renamed when its own files are
// in. A crash strands the directories whose own files were not all in,
// with what is inside them, under temporary names the next run removes.
//
// Not with --partial-dir (a partial file is kept for a later run), -H
// (later links find the first copy by its path), --remove-source-files
// (a subdirectory's sources go once its files are in, while a staged
// parent may still be under its temporary name, which a crash leaves for
// the next run to remove) or a dry run.
type stage struct {
	tmp, name string
	left      atomic.Int64 // the visit and each submitted task not yet done
	done      atomic.Bool  // renamed, or given up on
	failed    atomic.Bool  // could not be renamed: removed when d is done
}

// stagingAllowed reports whether new directories are staged.
func (e *Executor) stagingAllowed() bool {
	return !e.opts.DryRun && e.opts.PartialDir == "" && !e.pol.HardLinks && !e.opts.DelayUpdates && e.opts.TempDir == "" &&
		!e.opts.RemoveSourceFiles
}

// mkdirStaged creates a new directory of mode under a temporary name in
// d, to be renamed to name; the child walked for it must be given to
// staged.
func (e *Executor) mkdirStaged(d *walker.Dir, name string, mode uint32) (*stage, error) {
	tmp, err := withTempName(func(tmp string) error { return e.fs.Mkdirat(d.DstFd, tmp, mode) })
	if err != nil {
		return nil, err
	}
	s := &stage{tmp: tmp, name: name}
	s.left.Store(1) // released when the directory's visit ends
	return s, nil
}

// staged makes kid, the directory s was made for, open and fill it under
// its temporary name.
func staged(kid *walker.Dir, s *stage) {
	kid.DstName = s.tmp
	kid.Ext = &dirExt{stage: s}
}

// stageOf returns d's stage, nil when d is not staged. Files are created
// in d only before its stage's rename, which waits for them all.
func stageOf(d *walker.Dir) *stage {
	if x := extOf(d); x != nil {
		return x.stage
	}
	return nil
}

// holdStage counts a task submitted for d's files.
func (e *Executor) holdStage(d *walker.Dir) {
	if s := stageOf(d); s != nil {
		s.left.Add(1)
	}
}

// releaseStage counts a task (or the visit) done; the last one renames
// the directory into place.
func (e *Executor) releaseStage(d *walker.Dir) {
	if s := stageOf(d); s != nil && s.left.Add(-1) == 0 {
		e.publishDir(d, s)
	}
}

// publishDir renames a staged directory to its own name, once: when its
// files are in, or from dirDone when the walk ended without visiting it.
// d's parent is open until d is done.
func (e *Executor) publishDir(d *walker.Dir, s *stage) {
	if !s.done.CompareAndSwap(false, true) {
		return
	}
	err := e.fs.RenameNoReplace(d.Parent.DstFd, s.tmp, d.Parent.DstFd, s.name)
	if errors.Is(err, fs.ErrExist) {
		err = ErrChangedSinceScan
	}
	if err != nil {
		e.fail(itemPath(d, "", planner.KindDir), fmt.Errorf("rename directory into place: %w", err))
		s.failed.Store(true)
		return
	}
	d.DstName = s.name
}

// finishStage runs when everything in d is done. It renames d into place
// if nothing has yet (the walk was stopped before it visited d), and
// removes a copy that could not be renamed, subdirectories and all; it
// reports whether d is gone.
func (e *Executor) finishStage(d *walker.Dir) bool {
	s := stageOf(d)
	if s == nil {
		return false
	}
	e.publishDir(d, s)
	if !s.failed.Load() {
		return false
	}
	if err := e.removeStale(d.Parent.DstFd, s.tmp); err != nil {
		e.opts.Log.Warn().Str("path", itemPath(d, "", planner.KindDir)).Err(err).Msg("could not remove a copy that was not renamed into place; the next run will")
	}
	return true
}

// removeStale deletes a temporary directory an interrupted run was
// filling, with everything in it, never following a symlink.
func (e *Executor) removeStale(dirfd int, name string) error {
	fd, err := platform.OpenDirAt(dirfd, name)
	if err != nil {
		return err
	}
	defer platform.Close(fd)
	names, err := platform.ReadDirNames(fd, make([]byte, 16<<10))
	if err != nil {
		return err
	}
	for _, n := range names {
		if st, serr := platform.Lstatat(fd, n); serr == nil && st.IsDir() {
			err = e.removeStale(fd, n)
		} else {
			err = e.fs.Unlinkat(fd, n)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", n, err)
		}
	}
	return e.fs.Rmdirat(dirfd, name)
}
