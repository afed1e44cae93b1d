package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"syscall"

	"github.com/treesync/treesync/filter"
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
// with its contents when recursive, else only when empty. limited says
// name itself is a --delete deletion, counted, printed and held to
// --max-delete, rather than making way for a replacement; the contents
// of a directory always are (as in rsync), and come before it.
func (e *Executor) removeEntry(d *walker.Dir, name string, old *planner.Entry, recursive, limited bool) error {
	return e.removeEntryAs(d, name, name, old, recursive, limited)
}

// removeEntryAs is removeEntry for the entry name that stands in d under
// the name onDisk (a directory a new file was swapped with: swapDir).
func (e *Executor) removeEntryAs(d *walker.Dir, onDisk, name string, old *planner.Entry, recursive, limited bool) error {
	path := planner.Join(d.Path, name)
	if old.Kind != planner.KindDir {
		if limited && !e.del.take() {
			return errDeleteLimit
		}
		return e.unlink(d, d.DstFd, onDisk, old.Kind, path, limited)
	}
	if !recursive {
		return nonEmpty(e.rmdirEmpty(d.DstFd, onDisk), path) // making way for a replacement: not itemized, as rsync
	}
	_, err := e.removeTree(d, d.DstFd, onDisk, path, !limited, receiverRules(d))
	return err
}

// nonEmpty is err, which removing or checking the directory at path
// gave, said in words where it is that the directory is not empty.
func nonEmpty(err error, path string) error {
	if errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) {
		return fmt.Errorf("cannot delete non-empty directory %s to replace it (use --force or --delete)", path)
	}
	return err
}

// rmdirEmpty removes the directory name in dirfd, which must be empty; a
// dry run only checks that it is.
func (e *Executor) rmdirEmpty(dirfd int, name string) error {
	if !e.opts.DryRun {
		return e.fs.Rmdirat(dirfd, name)
	}
	return checkEmpty(dirfd, name)
}

// checkEmpty fails with ENOTEMPTY where the directory name in dirfd
// holds anything.
func checkEmpty(dirfd int, name string) error {
	fd, err := platform.OpenDirAt(dirfd, name)
	if err != nil {
		return err
	}
	defer platform.Close(fd)
	names, err := platform.ReadDirNames(fd, make([]byte, 4<<10))
	if err == nil && len(names) > 0 {
		err = syscall.ENOTEMPTY
	}
	return err
}

// unlink removes a non-directory from dirfd, which is the walked
// directory d or below it (d tells a backup's directories their
// attributes); report says whether it is a --delete deletion (counted
// and itemized) rather than making way for a replacement. A backup beside
// the files is not itself backed up (name~~), as rsync does not.
func (e *Executor) unlink(d *walker.Dir, dirfd int, name string, k planner.Kind, path string, report bool) error {
	var moved bool
	var err error
	if !e.isBackupBeside(name) {
		moved, err = e.moveToBackup(d, dirfd, name, path)
	}
	if err != nil {
		return err
	}
	if !e.opts.DryRun && !moved { // (a backup that moved it took it away)
		if err := e.fs.Unlinkat(dirfd, name); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
	}
	if !e.opts.DryRun && report && dirfd == d.DstFd {
		d.Emptied.Store(true)
	}
	if report {
		e.noteDelete(k, path)
	}
	return nil
}

// removeTree deletes the directory name inside dirfd with everything in
// it, descending through descriptors opened with O_NOFOLLOW: a symlink in
// the tree is removed, never followed. Its contents are deletions as by
// --delete (itemized, counted against --max-delete); so is the directory
// itself unless room is set: it makes room for another kind of entry,
// which rsync does not itemize as a deletion, and which cannot take its
// place while it keeps protected entries or backups. kept reports a
// directory left for what it keeps (so the one above it stays too).
// rules are the receiver's in effect where name is (nil: none); the
// merge files (-F) of each directory removed are entered on the way
// down, as rsync's receiver reads them there.
func (e *Executor) removeTree(d *walker.Dir, dirfd int, name, path string, room bool, rules *filter.Rules) (kept bool, err error) {
	held, err := e.emptyDir(d, dirfd, name, path, room, rules)
	switch {
	case !room && unlistedDir(err):
		return e.removeUnlisted(d, dirfd, name, path, err)
	case err != nil || held == heldProtected:
		return held != heldNone, err
	case held == heldBackups:
		return e.tryKept(path) // (its contents gone, rsync tries it: seed 110336)
	}
	return e.rmdirDeleted(d, dirfd, name, path, room)
}

// removeNested is removeTree for a directory inside one being deleted,
// which rsync tries to delete whatever became of its contents: those
// protected, or stopped by --max-delete, make a try that fails (seeds
// 97594, 110083).
func (e *Executor) removeNested(d *walker.Dir, dirfd int, name, path string, rules *filter.Rules) (kept bool, err error) {
	held, err := e.emptyDir(d, dirfd, name, path, false, rules)
	switch {
	case unlistedDir(err):
		return e.removeUnlisted(d, dirfd, name, path, err)
	case err != nil && !errors.Is(err, errDeleteLimit):
		return held != heldNone, err
	case err != nil || held != heldNone:
		return e.tryKept(path)
	}
	return e.rmdirDeleted(d, dirfd, name, path, false)
}

// tryKept is rsync's try at deleting the directory at path that could not
// be emptied: a skipped deletion once the --max-delete limit is reached,
// a deletion in a dry run (which removes nothing; the directory above
// is still kept, as rsync's is for what it keeps), else a failure.
func (e *Executor) tryKept(path string) (kept bool, err error) {
	switch {
	case e.del.spent():
		return true, errDeleteLimit
	case e.opts.DryRun && e.del.take():
		e.noteDelete(planner.KindDir, path+"/")
		return true, nil
	}
	e.say("cannot delete non-empty directory: %s", e.escape(path))
	return true, nil
}

// unlistedError is the failure to open a directory to delete, to list
// what it holds.
type unlistedError struct{ err error }

func (u unlistedError) Error() string { return u.err.Error() }
func (u unlistedError) Unwrap() error { return u.err }

// unlistedDir reports an unlistedError in err.
func unlistedDir(err error) bool {
	var u unlistedError
	return errors.As(err, &u)
}

// removeUnlisted is rsync's way with a directory to delete it could not
// list (another user's, 0700): an I/O error, which holds the deletions
// still to come in other directories (rsync's "IO error encountered"),
// and a try at the directory all the same, which only an empty one
// survives; a dry run counts and itemizes its deletion (seed 4321 as
// uid 65534).
func (e *Executor) removeUnlisted(d *walker.Dir, dirfd int, name, path string, err error) (kept bool, _ error) {
	e.del.listFailed.Store(true)
	e.fail(path, err)
	if e.opts.DryRun {
		return e.tryKept(path)
	}
	kept, err = e.rmdirDeleted(d, dirfd, name, path, false)
	if errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) {
		e.say("cannot delete non-empty directory: %s", e.escape(path))
		return true, nil
	}
	return kept, err
}

// rmdirDeleted removes the emptied directory name inside dirfd: a
// deletion, counted and itemized, unless it makes room.
func (e *Executor) rmdirDeleted(d *walker.Dir, dirfd int, name, path string, room bool) (kept bool, err error) {
	if !room && !e.del.take() { // counted after its contents, as rsync counts
		return true, errDeleteLimit
	}
	if !e.opts.DryRun {
		if err := e.fs.Rmdirat(dirfd, name); err != nil {
			return true, fmt.Errorf("delete %s: %w", path, err)
		}
		if !room && dirfd == d.DstFd {
			d.Emptied.Store(true)
		}
	}
	if !room {
		e.noteDelete(planner.KindDir, path+"/")
	}
	return false, nil
}

// emptyTree is removeTree but for the directory itself, which stays,
// emptied unless kept.
func (e *Executor) emptyTree(d *walker.Dir, dirfd int, name, path string, room bool, rules *filter.Rules) (kept bool, err error) {
	held, err := e.emptyDir(d, dirfd, name, path, room, rules)
	return held != heldNone, err
}

// held is what keeps a directory being deleted from going: nothing, only
// the backups its files' deletions just made beside them (rsync then
// tries the directory all the same), or protected entries, older backups
// or failures.
type held uint8

const (
	heldNone held = iota
	heldBackups
	heldProtected
)

// emptyDir deletes what the directory name holds, and says what is left.
func (e *Executor) emptyDir(d *walker.Dir, dirfd int, name, path string, room bool, rules *filter.Rules) (h held, err error) {
	fd, mode, unlocked, err := e.openUnlocked(dirfd, name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		err = unlistedError{err}
	}
	if err != nil {
		return heldNone, fmt.Errorf("open %s for deletion: %w", path, err)
	}
	defer platform.Close(fd)
	if rules.Merges() {
		if rules, err = rules.Enter(path, readerAt(fd)); err != nil {
			return heldProtected, fmt.Errorf("delete %s: %w", path, err)
		}
	}
	if unlocked {
		defer func() {
			if h != heldNone || err != nil { // (one deleted needs no mode)
				e.relock(fd, path, mode)
			}
		}()
	}
	h, err = e.removeChildren(d, fd, path, rules)
	switch {
	case err != nil && room:
		return h, fmt.Errorf("cannot delete directory %s to replace it: %w", path, err)
	case errors.Is(err, errDeleteLimit):
		e.say("cannot delete non-empty directory: %s", e.escape(path)) // (rsync's, as for protected entries)
		return h, err
	case err != nil:
		return h, err
	case h != heldNone && room:
		return h, fmt.Errorf("cannot delete non-empty directory %s to replace it: it holds protected entries or backups", path)
	case h == heldProtected:
		e.say("cannot delete non-empty directory: %s", e.escape(path)) // (protected entries, older backups)
	}
	return h, nil
}

// removeChildren deletes what the open directory fd (at path) holds,
// leaving what rules (the receiver's there) protect; it says what stays:
// protected entries (or older backups beside the files), or only backups
// made now. Once --max-delete is reached the rest are counted as skipped
// and errDeleteLimit returned.
func (e *Executor) removeChildren(d *walker.Dir, fd int, path string, rules *filter.Rules) (held, error) {
	kept, backups := false, false
	left := func() held {
		switch {
		case kept:
			return heldProtected
		case backups:
			return heldBackups
		}
		return heldNone
	}
	names, err := platform.ReadDirNames(fd, make([]byte, 16<<10))
	if err != nil {
		return heldNone, fmt.Errorf("readdir %s: %w", path, err)
	}
	slices.Sort(names)
	slices.Reverse(names) // (rsync deletes a directory's contents in reverse name order, which decides where --max-delete stops)
	var limit error
	for _, n := range names {
		st, err := platform.Lstatat(fd, n)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return left(), fmt.Errorf("stat %s: %w", planner.Join(path, n), err)
		}
		child := walker.FromStat(n, st)
		if (rules != nil && rules.ProtectedDeleting(planner.Join(path, n), child.Kind == planner.KindDir)) || e.isBackupBeside(n) {
			kept = true
			continue
		}
		switch {
		case child.Kind == planner.KindDir:
			var keptBelow bool
			keptBelow, err = e.removeNested(d, fd, n, planner.Join(path, n), rules)
			kept = kept || keptBelow
		case !e.del.take():
			err = errDeleteLimit
		default:
			err = e.unlink(d, fd, n, child.Kind, planner.Join(path, n), true)
			backups = backups || e.backupBeside() // (name~ now stands in the directory)
		}
		if errors.Is(err, errDeleteLimit) {
			kept, limit = true, err
			continue
		}
		if err != nil {
			return left(), err
		}
	}
	return left(), limit
}

// noteDelete counts and prints one deletion. A dry run deletes nothing,
// so a directory deleted whole after its contents (-m pruned it) would
// list them again: each path is noted once.
func (e *Executor) noteDelete(k planner.Kind, path string) {
	if e.announceDelete(k, path) {
		e.stats.Deleted.add(k)
	}
}

// announceDelete prints the line of path's deletion, once in a dry run
// (which may meet it twice), and reports whether it did.
func (e *Executor) announceDelete(k planner.Kind, path string) bool {
	if e.opts.DryRun && !e.del.firstDryDelete(path) {
		return false
	}
	e.print(item{op: planner.OpDelete, kind: k, path: path})
	return true
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
