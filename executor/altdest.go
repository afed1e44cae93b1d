package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// AltMode says what a file found unchanged in a reference directory
// (--compare-dest, --copy-dest, --link-dest, --clone-dest) becomes.
type AltMode uint8

// The reference-directory modes.
const (
	AltNone    AltMode = iota
	AltCompare         // not transferred at all
	AltCopy            // copied locally from the reference (reflinked where possible)
	AltLink            // hard-linked to the reference
	AltClone           // reflinked from the reference; a copy where cloning is impossible
)

// altDirs caches, per destination directory, the matching directories of
// the reference trees (-1 where a tree lacks it).
type altDirs struct {
	mu    sync.Mutex
	roots []int
	dirs  map[*walker.Dir][]int
}

// openAltRoots opens the reference trees; relative ones are relative to
// the destination, as in rsync.
func (e *Executor) openAltRoots(dest string) error {
	for _, p := range e.opts.AltDests {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dest, p)
		}
		fd, err := platform.OpenRoot(p)
		if err != nil {
			return fmt.Errorf("reference directory: %w", err)
		}
		e.alt.roots = append(e.alt.roots, fd)
	}
	return nil
}

func (e *Executor) closeAltRoots() {
	for _, fd := range e.alt.roots {
		_ = platform.Close(fd)
	}
}

// altFds returns d's counterparts in the reference trees.
func (e *Executor) altFds(d *walker.Dir) []int {
	e.alt.mu.Lock()
	defer e.alt.mu.Unlock()
	if fds, ok := e.alt.dirs[d]; ok {
		return fds
	}
	if e.alt.dirs == nil {
		e.alt.dirs = make(map[*walker.Dir][]int)
	}
	fds := make([]int, len(e.alt.roots))
	for i, r := range e.alt.roots {
		fd, err := platform.OpenBeneath(r, d.Path)
		if err != nil {
			fd = -1
		}
		fds[i] = fd
	}
	e.alt.dirs[d] = fds
	return fds
}

// closeAlt releases d's reference directories when d is done.
func (e *Executor) closeAlt(d *walker.Dir) {
	e.alt.mu.Lock()
	fds := e.alt.dirs[d]
	delete(e.alt.dirs, d)
	e.alt.mu.Unlock()
	for _, fd := range fds {
		_ = platform.Close(fd)
	}
}

// fromAlt looks for a new file in the reference trees. handled reports
// that the file needs no transfer from the source.
func (e *Executor) fromAlt(d *walker.Dir, a planner.Action) (bool, error) {
	if e.opts.AltMode == AltNone || a.Dst != nil || a.Src.Kind != planner.KindFile {
		return false, nil
	}
	for _, fd := range e.altFds(d) {
		if fd < 0 {
			continue
		}
		st, err := platform.Lstatat(fd, a.Name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("reference: %w", err)
		}
		ref := walker.FromStat(a.Name, st)
		if !e.altMatches(a.Src, &ref) {
			continue
		}
		return true, e.useAlt(d, a, fd, st)
	}
	return false, nil
}

// altMatches is the quick check against a reference file; a hard link
// shares its inode's attributes, so --link-dest also wants those equal.
func (e *Executor) altMatches(src, ref *planner.Entry) bool {
	if ref.Kind != planner.KindFile || ref.Size != src.Size || !e.pol.SameTime(src.Mtime, ref.Mtime) {
		return false
	}
	if e.opts.AltMode != AltLink {
		return true
	}
	return e.pol.MetaChange(src, ref)&^planner.ChangeTime == 0
}

// useAlt makes the destination file from the reference file.
func (e *Executor) useAlt(d *walker.Dir, a planner.Action, fd int, st platform.Stat) error {
	if e.opts.AltMode == AltCompare || e.opts.DryRun {
		return nil
	}
	if e.opts.AltMode == AltLink {
		tmp, err := withTempName(func(tmp string) error { return e.fs.Linkat(fd, a.Name, d.DstFd, tmp) })
		if err != nil {
			return fmt.Errorf("link to reference: %w", err)
		}
		return e.commit(d, tmp, a.Name, nil)
	}
	ref, err := e.fs.OpenFileAt(fd, a.Name)
	if err != nil {
		return fmt.Errorf("open reference: %w", err)
	}
	defer platform.Close(ref)
	var out int
	var res platform.CopyResult
	tmp, err := withTempName(func(tmp string) (err error) {
		out, res, err = e.fs.CopyToNew(ref, st, d.DstFd, tmp, 0o600, d.DstDev, e.ctx.Done())
		return err
	})
	if errors.Is(err, platform.ErrInterrupted) {
		_ = platform.Close(out)
		_ = e.fs.Unlinkat(d.DstFd, tmp)
		return e.ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("copy from reference: %w", err)
	}
	err = e.setFdMeta(out, a.Src, nil)
	if cerr := platform.Close(out); err == nil {
		err = cerr
	}
	if err == nil {
		err = e.syncXattrs(d.SrcFd, d.SourceName(a.Name), d.DstFd, tmp)
	}
	if err != nil {
		_ = e.fs.Unlinkat(d.DstFd, tmp)
		return err
	}
	e.opts.Log.Debug().Str("path", planner.Join(d.Path, a.Name)).Str("method", res.Method.String()).
		Msg("copied from the reference directory")
	return e.commit(d, tmp, a.Name, nil)
}
