package executor

import (
	"errors"
	"fmt"
	"io/fs"

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
	pfd, err := e.fs.MkdirAllBeneath(d.DstFd, e.opts.PartialDir, 0o700)
	if err == nil {
		err = e.fs.Renameat(from, tmp, pfd, name)
		_ = platform.Close(pfd)
	}
	if err != nil {
		_ = e.fs.Unlinkat(from, tmp)
		e.opts.Log.Warn().Str("path", planner.Join(d.Path, name)).Err(err).Msg("could not keep the partial file")
		return
	}
	e.opts.Log.Info().Str("path", planner.Join(d.Path, name)).Msg("kept partial file for a later resume")
}

// resumePartial looks for a kept partial copy of a's file. When its bytes
// are a prefix of the source (compared byte by byte), the rest is appended and
// the file is renamed into place: handled is then true.
func (e *Executor) resumePartial(d *walker.Dir, a planner.Action, src int, want *planner.Entry, change planner.Change, path string) (bool, error) {
	if e.opts.PartialDir == "" || e.opts.DryRun {
		return false, nil
	}
	pfd, err := platform.OpenBeneath(d.DstFd, e.opts.PartialDir)
	if err != nil {
		return false, nil // no partial directory here
	}
	defer func() {
		_ = platform.Close(pfd)
		_ = e.fs.Rmdirat(d.DstFd, e.opts.PartialDir) // only when empty
	}()
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
	_ = platform.Close(part)
	if !usable {
		_ = e.fs.Unlinkat(pfd, a.Name) // stale or unusable: start over
		return false, nil
	}
	rw, err := platform.OpenRWAt(pfd, a.Name)
	if err != nil {
		return false, fmt.Errorf("open partial file: %w", err)
	}
	defer platform.Close(rw)
	res, err := e.copier.Resume(src, st, rw, kept, d.DstDev, e.ctx.Done())
	if err != nil {
		return true, fmt.Errorf("resume: %w", err)
	}
	srcEntry := e.sourceMeta(src, st)
	if err := e.setFdMeta(rw, &srcEntry, a.Dst); err != nil {
		return true, err
	}
	if err := e.commitFrom(d, pfd, a.Name, want); err != nil {
		return true, err
	}
	e.opts.Log.Info().Str("path", path).Int64("resumed_at", kept).Msg("resumed partial file")
	e.noteTransfer(a, change, path, res, st.Size)
	return true, nil
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
