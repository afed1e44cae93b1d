package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// keepPartial moves an interrupted copy (the temporary tmp in d) to the
// partial directory as its final name, so a later run can resume it
// (--partial, --partial-dir). Without --partial the temporary is removed.
func (e *Executor) keepPartial(d *walker.Dir, from int, tmp, name string) {
	if e.opts.PartialDir == "" {
		_ = e.fs.Unlinkat(from, tmp)
		return
	}
	pfd, err := e.openPartialDir(d, true)
	if err == nil {
		err = e.fs.Renameat(from, tmp, pfd, name)
		if errors.Is(err, syscall.EXDEV) {
			err = e.copyPartial(from, tmp, pfd, name)
		}
		_ = platform.Close(pfd)
	}
	if err != nil {
		_ = e.fs.Unlinkat(from, tmp)
		e.opts.Log.Warn().Str("path", planner.Join(d.Path, name)).Err(err).Msg("could not keep the partial file")
		return
	}
	e.opts.Log.Info().Str("path", planner.Join(d.Path, name)).Msg("kept partial file for a later resume")
}

// openPartialDir opens the directory that holds the kept partial files
// of d's files: --partial-dir's name inside d's destination directory,
// or the one absolute directory it names (as rsync, which then keeps a
// file under its name alone), reached as an operator path. With create,
// a missing one is made, mode 0700: of an absolute path only its last
// name, as rsync makes it.
func (e *Executor) openPartialDir(d *walker.Dir, create bool) (int, error) {
	dir := e.opts.PartialDir
	switch {
	case !filepath.IsAbs(dir) && create:
		return e.fs.MkdirAllBeneath(d.DstFd, dir, 0o700)
	case !filepath.IsAbs(dir):
		return platform.OpenBeneath(d.DstFd, dir)
	}
	fd, err := e.openOperatorDir(dir)
	if create && errors.Is(err, fs.ErrNotExist) {
		fd, err = e.makePartialDir(dir)
	}
	if err != nil {
		return -1, err
	}
	if err := e.ownPartialDir(fd); err != nil {
		_ = platform.Close(fd)
		return -1, fmt.Errorf("partial directory %s: %w", dir, err)
	}
	return fd, nil
}

// resumeDir opens the partial directory a file of d is resumed from:
// the relative one in d (for the caller to close), or the absolute one,
// opened once for the run and left open.
func (e *Executor) resumeDir(d *walker.Dir) (int, error) {
	if !filepath.IsAbs(e.opts.PartialDir) {
		return e.openPartialDir(d, false)
	}
	e.absPartial.once.Do(func() { e.absPartial.fd, e.absPartial.err = e.openPartialDir(d, false) })
	return e.absPartial.fd, e.absPartial.err
}

// closeAbsPartial closes the absolute --partial-dir if a resume opened
// it (and keeps any later one from opening it).
func (e *Executor) closeAbsPartial() {
	e.absPartial.once.Do(func() { e.absPartial.err = errors.New("closed") })
	if e.absPartial.err == nil {
		_ = platform.Close(e.absPartial.fd)
	}
}

// makePartialDir makes the absolute --partial-dir's last name, mode
// 0700, and opens it.
func (e *Executor) makePartialDir(dir string) (int, error) {
	parent, err := e.openOperatorDir(filepath.Dir(dir))
	if err != nil {
		return -1, err
	}
	err = e.fs.Mkdirat(parent, filepath.Base(dir), 0o700)
	_ = platform.Close(parent)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return -1, err
	}
	return e.openOperatorDir(dir)
}

// errSharedPartialDir refuses an absolute --partial-dir that someone
// else could change: kept files are renamed out of it into the
// destination, so whoever can write there could have a file of theirs,
// or a symlink, put in the tree (rsync's manual warns against /tmp).
var errSharedPartialDir = errors.New("owned by another user or writable by others: refused")

// ownPartialDir checks that the open absolute --partial-dir fd belongs
// to root or to the running user and is not writable by others.
func (e *Executor) ownPartialDir(fd int) error {
	st, err := platform.Fstat(fd)
	if err != nil {
		return err
	}
	if (st.UID != 0 && int(st.UID) != e.euid) || st.Mode&0o002 != 0 {
		return errSharedPartialDir
	}
	return nil
}

// copyPartial keeps the interrupted copy tmp in from as name in the
// partial directory pfd on another filesystem: its data copied there,
// then removed. (The run is stopping: the copy is not interrupted.)
func (e *Executor) copyPartial(from int, tmp string, pfd int, name string) error {
	src, err := e.fs.OpenFileAt(from, tmp)
	if err != nil {
		return err
	}
	defer platform.Close(src)
	st, err := platform.Fstat(src)
	if err != nil {
		return err
	}
	var fd int
	kept, err := withTempName(func(kept string) (err error) {
		fd, _, err = e.fs.CopyToNew(src, st, pfd, kept, st.Mode&platform.ModePerm, 0, nil)
		return err
	})
	if err != nil {
		return err
	}
	_ = platform.Close(fd)
	if err := e.fs.Renameat(pfd, kept, pfd, name); err != nil {
		_ = e.fs.Unlinkat(pfd, kept)
		return err
	}
	return e.fs.Unlinkat(from, tmp)
}

// resumePartial looks for a kept partial copy of a's file. When its bytes
// are a prefix of the source (compared byte by byte), the rest is appended and
// the file is renamed into place: handled is then true.
func (e *Executor) resumePartial(d *walker.Dir, a planner.Action, src int, want *planner.Entry, change planner.Change, path string) (bool, error) {
	if e.opts.PartialDir == "" || e.opts.DryRun {
		return false, nil
	}
	pfd, err := e.resumeDir(d)
	if err != nil {
		return false, nil // no partial directory here
	}
	if !filepath.IsAbs(e.opts.PartialDir) {
		defer func() {
			_ = platform.Close(pfd)
			_ = e.fs.Rmdirat(d.DstFd, e.opts.PartialDir) // only when empty
		}()
	} else if _, err := platform.Lstatat(pfd, a.Name); err == nil {
		mu, _ := e.partialUse.LoadOrStore(a.Name, new(sync.Mutex))
		mu.(*sync.Mutex).Lock()
		defer mu.(*sync.Mutex).Unlock()
	}
	part, err := e.fs.OpenFileAt(pfd, a.Name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open partial file: %w", err)
	}
	return e.finishPartial(d, a, src, pfd, part, want, change, path)
}

// finishPartial resumes the partial file open as part (read-only), which
// it closes before reopening the file for writing: part is closed once,
// here, as a second close could hit a descriptor another worker has
// since been given.
func (e *Executor) finishPartial(d *walker.Dir, a planner.Action, src, pfd, part int, want *planner.Entry, change planner.Change, path string) (bool, error) {
	st, err := e.statSource(src)
	if err != nil {
		_ = platform.Close(part)
		return false, srcErr(err)
	}
	kept, usable := e.usablePartial(src, st, part)
	wd, wname := pfd, a.Name
	if usable {
		wd, wname, err = e.partialHere(d, pfd, a.Name, part)
	}
	_ = platform.Close(part)
	if err != nil {
		return false, err
	}
	if !usable {
		_ = e.fs.Unlinkat(pfd, a.Name) // stale or unusable: start over
		return false, nil
	}
	rw, err := platform.OpenRWAt(wd, wname)
	if err != nil {
		return false, fmt.Errorf("open partial file: %w", err)
	}
	defer platform.Close(rw)
	res, err := e.copier.Resume(src, st, rw, kept, d.DstDev, e.ctx.Done())
	if err != nil {
		return true, fmt.Errorf("resume: %w", err)
	}
	srcEntry := e.sourceMeta(src, st)
	if err := e.setFdMeta(rw, &srcEntry, a.Dst, e.permsIn(d)); err != nil {
		return true, err
	}
	if err := e.commitPartial(d, pfd, wd, wname, a.Name, want); err != nil {
		return true, err
	}
	e.opts.Log.Info().Str("path", path).Int64("resumed_at", kept).Msg("resumed partial file")
	e.noteTransfer(a, change, path, res, st.Size)
	return true, nil
}

// commitPartial renames the resumed file wname in wd into place as
// name: from the partial directory pfd, or a temporary beside it
// (partialHere).
func (e *Executor) commitPartial(d *walker.Dir, pfd, wd int, wname, name string, want *planner.Entry) error {
	if wd != pfd {
		return e.commitTemp(d, wd, wname, name, want)
	}
	return e.commitFrom(d, pfd, name, want)
}

// partialHere returns where the partial file name in pfd, open as part,
// is resumed: where it is when pfd is on the destination directory's
// filesystem; else in a copy of it made beside the destination file,
// which can be renamed into place (the partial file is then removed).
func (e *Executor) partialHere(d *walker.Dir, pfd int, name string, part int) (int, string, error) {
	pst, err := platform.Fstat(part)
	if err != nil {
		return -1, "", fmt.Errorf("stat partial file: %w", err)
	}
	if dir, err := platform.Fstat(pfd); err == nil && dir.Dev == d.DstDev {
		return pfd, name, nil
	}
	var fd int
	tmp, err := withTempName(func(tmp string) (err error) {
		fd, _, err = e.fs.CopyToNew(part, pst, d.DstFd, tmp, 0o600, d.DstDev, e.ctx.Done())
		return err
	})
	if err != nil {
		return -1, "", fmt.Errorf("copy partial file: %w", err)
	}
	_ = platform.Close(fd)
	_ = e.fs.Unlinkat(pfd, name)
	return d.DstFd, tmp, nil
}

// usablePartial returns the size of the partial file part and whether it
// is a prefix of src (whose stat is st).
func (e *Executor) usablePartial(src int, st platform.Stat, part int) (int64, bool) {
	pst, err := platform.Fstat(part)
	if err != nil || pst.Size > st.Size {
		return 0, false
	}
	return pst.Size, e.samePrefix(src, part, pst.Size)
}

// samePrefix reports whether the first n bytes of a and b are identical.
func (e *Executor) samePrefix(a, b int, n int64) bool {
	same, err := e.cmp.EqualPrefix(platform.FdReader(a), platform.FdReader(b), n)
	return err == nil && same
}

// commitFrom renames name from the partial directory pfd into d.
func (e *Executor) commitFrom(d *walker.Dir, pfd int, name string, want *planner.Entry) error {
	if err := e.expect(d, name, want); err != nil {
		return err
	}
	if want != nil {
		if _, err := e.backup(d, d.DstFd, name, planner.Join(d.Path, name)); err != nil {
			return err
		}
	}
	if err := e.fs.Renameat(pfd, name, d.DstFd, name); err != nil {
		return fmt.Errorf("rename partial file into place: %w", err)
	}
	return nil
}
