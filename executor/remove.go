package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// remove deletes an extraneous destination entry (--delete).
func (e *Executor) remove(d *walker.Dir, a planner.Action) {
	path := planner.Join(d.Path, a.Name)
	if e.holdsSource(path) {
		e.opts.Log.Warn().Str("path", path).Msg("not deleting: the source lies inside it")
		return
	}
	if !e.opts.DryRun {
		if err := e.expect(d, a.Name, a.Dst); err != nil {
			e.fail(path, err)
			return
		}
	}
	err := e.removeEntry(d, a.Name, a.Dst, true, true)
	if err != nil && !errors.Is(err, errDeleteLimit) {
		e.fail(path, err)
	}
}

// removeEntry removes name (expected to be old) from d; a directory only
// with its contents when recursive, else only when empty. Every removed
// entry is counted and printed, contents before their directory. limited
// deletions (--delete, not replacements) count against --max-delete.
func (e *Executor) removeEntry(d *walker.Dir, name string, old *planner.Entry, recursive, limited bool) error {
	path := planner.Join(d.Path, name)
	if limited && !e.del.take() {
		return errDeleteLimit
	}
	if old.Kind != planner.KindDir {
		return e.unlink(d, d.DstFd, name, old.Kind, path, limited)
	}
	if !recursive {
		err := e.fs.Rmdirat(d.DstFd, name)
		if errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) {
			return fmt.Errorf("cannot delete non-empty directory %s to replace it (use --force or --delete)", path)
		}
		return err // making way for a replacement: not itemized, as rsync
	}
	return e.removeTree(d.DstFd, name, path, limited, protectedDeleting(d))
}

// unlink removes a non-directory in d (nil below a directory being
// deleted) or dirfd; report says whether it is a --delete deletion
// (counted and itemized) rather than making way for a replacement.
func (e *Executor) unlink(d *walker.Dir, dirfd int, name string, k planner.Kind, path string, report bool) error {
	if err := e.backup(d, dirfd, name, path); err != nil {
		return err
	}
	if !e.opts.DryRun {
		if err := e.fs.Unlinkat(dirfd, name); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
	}
	if report {
		e.noteDelete(k, path)
	}
	return nil
}

// removeTree deletes the directory name inside dirfd with everything in
// it, descending through descriptors opened with O_NOFOLLOW: a symlink in
// the tree is removed, never followed.
func (e *Executor) removeTree(dirfd int, name, path string, limited bool, protected func(string, bool) bool) error {
	fd, err := platform.OpenDirAt(dirfd, name)
	if err != nil {
		return fmt.Errorf("open %s for deletion: %w", path, err)
	}
	defer platform.Close(fd)
	kept, err := e.removeChildren(fd, path, limited, protected)
	if err != nil {
		return err
	}
	if kept {
		e.opts.Log.Info().Str("path", path).Msg("cannot delete non-empty directory: it holds protected entries or backups")
		return nil
	}
	if !e.opts.DryRun {
		if err := e.fs.Rmdirat(dirfd, name); err != nil {
			return fmt.Errorf("delete %s: %w", path, err)
		}
	}
	if limited {
		e.noteDelete(planner.KindDir, path+"/")
	}
	return nil
}

// removeChildren deletes what the open directory fd (at path) holds,
// leaving protected entries; kept reports whether any entry (or a backup
// made beside a deleted file) stays.
func (e *Executor) removeChildren(fd int, path string, limited bool, protected func(string, bool) bool) (kept bool, err error) {
	names, err := platform.ReadDirNames(fd, make([]byte, 16<<10))
	if err != nil {
		return false, fmt.Errorf("readdir %s: %w", path, err)
	}
	for _, n := range names {
		st, err := platform.Lstatat(fd, n)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return kept, fmt.Errorf("stat %s: %w", planner.Join(path, n), err)
		}
		child := walker.FromStat(n, st)
		if protected != nil && protected(planner.Join(path, n), child.Kind == planner.KindDir) {
			kept = true
			continue
		}
		if limited && !e.del.take() {
			return kept, errDeleteLimit
		}
		if child.Kind == planner.KindDir {
			err = e.removeTree(fd, n, planner.Join(path, n), limited, protected)
		} else {
			err = e.unlink(nil, fd, n, child.Kind, planner.Join(path, n), limited)
			kept = kept || e.backupBeside() // name~ now stands in the directory
		}
		if err != nil {
			return kept, err
		}
	}
	return kept, nil
}

// noteDelete counts and prints one deletion. A dry run deletes nothing,
// so a directory deleted whole after its contents (-m pruned it) would
// list them again: each path is noted once.
func (e *Executor) noteDelete(k planner.Kind, path string) {
	if e.opts.DryRun && !e.del.firstDryDelete(path) {
		return
	}
	e.stats.Deleted.add(k)
	e.print(planner.OpDelete, k, 0, path, "")
}

// cleanup removes temporaries an interrupted earlier run left behind.
func (e *Executor) cleanup(d *walker.Dir, stale []*planner.Entry) {
	if e.opts.DryRun || d.DstFd < 0 {
		return
	}
	for _, t := range stale {
		var err error
		if t.Kind == planner.KindDir {
			err = e.removeStale(d.DstFd, t.Name)
		} else {
			err = e.fs.Unlinkat(d.DstFd, t.Name)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			e.fail(planner.Join(d.Path, t.Name), fmt.Errorf("remove stale temporary: %w", err))
			continue
		}
		e.opts.Log.Debug().Str("path", planner.Join(d.Path, t.Name)).Msg("removed stale temporary")
	}
}
