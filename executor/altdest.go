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

// flag is the option that names the reference trees of mode m.
func (m AltMode) flag() string {
	return [...]string{"", "--compare-dest", "--copy-dest", "--link-dest", "--clone-dest"}[m]
}

// openAltRoots opens the reference trees; relative ones are relative to
// the destination, as in rsync. One that is missing, not a directory or
// cannot be opened is left out with a note, as rsync leaves it: a
// snapshot script's first run has no previous snapshot to link against.
func (e *Executor) openAltRoots(dest string) {
	for _, p := range e.opts.AltDests {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dest, p)
		}
		fd, err := e.openOperatorDir(p)
		if err != nil {
			e.leaveOutAlt(p, err)
			continue
		}
		e.alt.roots = append(e.alt.roots, fd)
	}
}

// leaveOutAlt says why the reference tree p, which could not be opened
// (err), is left out: rsync's note for one that is missing or not a
// directory, a warning for anything else.
func (e *Executor) leaveOutAlt(p string, err error) {
	flag := e.opts.AltMode.flag()
	if ue := new(platform.UntrustedLinkError); !errors.As(err, &ue) {
		switch st, serr := platform.Statat(platform.CurrentDir, p); {
		case errors.Is(serr, fs.ErrNotExist):
			e.say("%s arg does not exist: %s", flag, e.escape(p))
			return
		case serr == nil && !st.IsDir():
			e.say("%s arg is not a dir: %s", flag, e.escape(p))
			return
		}
	}
	e.opts.Log.Warn().Err(err).Msgf("%s %s left out", flag, e.escape(p))
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
		fd, err := platform.OpenBeneathFollow(r, d.Path) // (a symlink on the way is followed within the tree, as rsync's path is)
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

// altMatch is how well a reference file stands for a new file, as rsync
// grades it: a regular file there, one that passes the quick check (or
// -c, --size-only), and one whose attributes are the same too.
type altMatch uint8

const (
	altNone altMatch = iota
	altBasis
	altContent
	altExact
)

// fromAlt looks for a new file in the reference trees. handled reports
// that the file needs no transfer from the source: an exact match is
// left out (--compare-dest) or hard-linked (--link-dest), a match in
// content copied from the reference (itemized as a local change, cf, as
// rsync does). Else basis, when not nil, is the reference file the
// transfer is itemized against.
func (e *Executor) fromAlt(d *walker.Dir, a planner.Action, src int) (handled bool, basis *planner.Entry, err error) {
	if e.opts.AltMode == AltNone || a.Src.Kind != planner.KindFile || (a.Dst != nil && a.Dst.Kind == planner.KindFile) {
		return false, nil, nil
	}
	fd, st, level, err := e.bestAlt(d, a, src)
	switch {
	case err != nil || level == altNone:
		return false, nil, err
	case level == altBasis:
		ref := e.refEntry(fd, a.Name, st)
		return false, &ref, nil
	case e.opts.DryRun:
		if _, err := e.makeWay(d, a); err != nil {
			return true, nil, err
		}
	case level == altExact && (e.opts.AltMode == AltCompare || e.opts.AltMode == AltLink):
		return e.refUnreadable(d, a, e.standIn(d, a, fd, st))
	default:
		want, err := e.makeWay(d, a)
		if err == nil {
			err = e.copyAlt(d, a, fd, st, want)
		}
		if err != nil {
			return e.refUnreadable(d, a, err)
		}
	}
	if level == altExact && e.opts.AltMode != AltCopy {
		e.printSettledAs(d, a, e.settledOp(true), e.settledChange(a, st)) // (left out or linked: -ii lists it)
		return true, nil, nil
	}
	ref := e.refEntry(fd, a.Name, st)
	c := e.changeFrom(a.Src, &ref)
	it := item{op: planner.OpLocal, kind: planner.KindFile, change: c, path: itemPath(d, a.Name, planner.KindFile), ent: a.Src}
	switch {
	case e.opts.AltMode == AltClone:
	case c != 0:
		e.print(it)
	case e.opts.ItemizeAll:
		e.printLine(it) // (-ii: "cf" with nothing changed, as rsync)
	}
	return true, nil, nil
}

// bestAlt returns the best reference for a: the first exact match, else
// the first match in content, else the first regular file.
func (e *Executor) bestAlt(d *walker.Dir, a planner.Action, src int) (int, platform.Stat, altMatch, error) {
	bestFd, best, level := -1, platform.Stat{}, altNone
	for _, fd := range e.altFds(d) {
		if fd < 0 {
			continue
		}
		st, err := platform.Lstatat(fd, a.Name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return -1, st, altNone, fmt.Errorf("reference: %w", err)
		}
		ref := e.refEntry(fd, a.Name, st)
		if l := e.altLevel(a.Src, &ref, src, fd); l > level {
			bestFd, best, level = fd, st, l
		}
		if level == altExact {
			break
		}
	}
	return bestFd, best, level, nil
}

// altLevel grades the reference file ref (in the open directory fd)
// for the source file src.
func (e *Executor) altLevel(s, ref *planner.Entry, src, fd int) altMatch {
	switch {
	case ref.Kind != planner.KindFile:
		return altNone
	case !e.altSameContent(s, ref, src, fd):
		return altBasis
	case e.pol.MetaChange(s, ref)&^planner.ChangeAtime != 0: // (rsync's exact match leaves out the access time: seed 120595)
		return altContent
	}
	return altExact
}

// altSameContent is the quick check of a reference file, in rsync's
// order: the sizes, then the bytes under -c, only the sizes under
// --size-only, never under -I, else the times.
func (e *Executor) altSameContent(s, ref *planner.Entry, src, fd int) bool {
	switch {
	case ref.Size != s.Size:
		return false
	case e.pol.Checksum:
		f, err := e.fs.OpenFileAt(fd, ref.Name)
		if err != nil {
			return false
		}
		defer platform.Close(f)
		same, err := e.cmp.EqualFiles(src, f, s.Size)
		return err == nil && same
	case e.pol.SizeOnly:
		return true
	case e.pol.IgnoreTimes:
		return false
	}
	return e.pol.SameTime(s.Mtime, ref.Mtime)
}

// changeFrom is what a file made from the source differs in from ref, the
// reference file rsync itemizes it against.
func (e *Executor) changeFrom(s, ref *planner.Entry) planner.Change {
	c := e.pol.MetaChange(s, ref)
	if s.Size != ref.Size {
		c |= planner.ChangeSize
	}
	if !e.pol.SameTime(s.Mtime, ref.Mtime) || !e.pol.Times {
		c |= planner.ChangeTime // T without -t: the copy gets the time it is made at, as any transfer
	}
	return c
}

// linkRef hard-links the new entry a to its exact match in the reference
// directory fd (--link-dest). refused reports a link the kernel would not
// make, nothing done: another user's entry under fs.protected_hardlinks
// (an ordinary user's snapshot against root's files), one at its link
// limit, another filesystem; the caller then copies it, as rsync does.
func (e *Executor) linkRef(d *walker.Dir, a planner.Action, fd int, want *planner.Entry) (refused bool, err error) {
	tmp, err := withTempName(func(tmp string) error { return e.fs.Linkat(fd, a.Name, d.DstFd, tmp) })
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EMLINK) || errors.Is(err, syscall.EXDEV) {
		e.opts.Log.Debug().Str("path", planner.Join(d.Path, a.Name)).Err(err).Msg("cannot link to the reference: made anew")
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("link to reference: %w", err)
	}
	return false, e.commit(d, tmp, a.Name, want)
}

// altCopyModeOf is, without -p, the entry whose permissions a copy from
// a reference keeps: what is in the way unless a directory, a symlink
// too (rsync's generator takes its mode before it deletes it).
func (e *Executor) altCopyModeOf(a planner.Action) *planner.Entry {
	if e.pol.Perms || a.Dst == nil || a.Dst.Kind == planner.KindDir {
		return nil
	}
	old := *a.Dst
	old.Kind = planner.KindFile
	return &old
}

// errRefUnreadable is copyAlt's error for a reference file it cannot
// open (another user's, as an ordinary user): the file is then
// transferred from the source, as rsync falls back to.
var errRefUnreadable = errors.New("reference file cannot be read")

// standIn lets the reference file in fd (st), an exact match for the new
// file a, stand for it: left out (--compare-dest) or linked
// (--link-dest; copied where the kernel refuses the link). What is in the
// way goes first, as rsync deletes it before it looks.
func (e *Executor) standIn(d *walker.Dir, a planner.Action, fd int, st platform.Stat) error {
	want, err := e.makeWay(d, a)
	if err == nil && want != nil && e.opts.AltMode == AltCompare {
		err = e.removeEntry(d, a.Name, want, false, false)
	}
	op := e.settledOp(true)
	if err == nil && e.opts.AltMode == AltLink {
		var refused bool
		if refused, err = e.linkRef(d, a, fd, want); refused {
			op, err = planner.OpLocal, e.copyAlt(d, a, fd, st, want)
		} else if err == nil && e.pol.Atimes && st.Atime != a.Src.Atime {
			err = e.fs.LutimesAt(d.DstFd, a.Name, a.Src.Atime, platform.OmitTime) // (-U: the link gets the source's, as rsync's)
		}
	}
	if err == nil {
		e.printSettledAs(d, a, op, e.settledChange(a, st))
	}
	return err
}

// settledChange is what rsync's line for a new file a reference (st)
// settled shows: under --compare-dest the access time (-U), which its
// exact match leaves out, where it differs.
func (e *Executor) settledChange(a planner.Action, st platform.Stat) planner.Change {
	if e.opts.AltMode != AltCompare || !e.pol.Atimes || st.Atime == a.Src.Atime {
		return 0
	}
	return planner.ChangeAtime
}

// refUnreadable is fromAlt's outcome after copying from the reference
// ended in err: a reference that could not be read is reported (exit
// 23, as rsync's failed open) and the file transferred from the source.
func (e *Executor) refUnreadable(d *walker.Dir, a planner.Action, err error) (bool, *planner.Entry, error) {
	if !errors.Is(err, errRefUnreadable) {
		return true, nil, err
	}
	e.fail(planner.Join(d.Path, a.Name), err)
	return false, nil, nil
}

// copyAlt makes the new file a a copy of the reference file in fd (a
// reflink where the filesystem can), with the source's attributes.
func (e *Executor) copyAlt(d *walker.Dir, a planner.Action, fd int, st platform.Stat, want *planner.Entry) error {
	ref, err := e.fs.OpenFileAt(fd, a.Name)
	if err != nil {
		return fmt.Errorf("open reference: %w: %w", errRefUnreadable, err)
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
	err = e.setFdMeta(out, a.Src, e.altCopyModeOf(a), e.permsIn(d))
	if cerr := platform.Close(out); err == nil {
		err = cerr
	}
	if err == nil {
		err = e.syncXattrs(sourceOf(d, a), d.DstFd, tmp)
	}
	if err != nil {
		_ = e.fs.Unlinkat(d.DstFd, tmp)
		return err
	}
	e.opts.Log.Debug().Str("path", planner.Join(d.Path, a.Name)).Str("method", res.Method.String()).
		Msg("copied from the reference directory")
	return e.commit(d, tmp, a.Name, want)
}

// bestAltOpening is bestAlt for a file whose source is not open yet:
// it is opened only for -c, which compares contents.
func (e *Executor) bestAltOpening(d *walker.Dir, a planner.Action) (int, platform.Stat, altMatch, error) {
	src := -1
	if e.pol.Checksum {
		var err error
		if src, err = e.fs.OpenFileAt(d.SrcFd, d.SourceName(a.Name)); err != nil {
			return -1, platform.Stat{}, altNone, srcErr(fmt.Errorf("open: %w", err))
		}
		defer platform.Close(src)
	}
	return e.bestAlt(d, a, src)
}

// leftOut reports a new member of a hard-link group that --compare-dest
// leaves out (a reference matches it exactly): it takes no part in its
// group's linking, whichever member leads (rsync 3.5 hangs there).
func (e *Executor) leftOut(d *walker.Dir, a planner.Action) (bool, error) {
	if e.opts.AltMode != AltCompare || a.Dst != nil {
		return false, nil
	}
	_, _, level, err := e.bestAltOpening(d, a)
	if err != nil || level != altExact {
		return false, err
	}
	e.printSettled(d, a, e.settledOp(true))
	return true, nil
}

// settledOp is the line of an entry a reference tree settled (handled)
// or not: linked to it ("hf"), else as unchanged.
func (e *Executor) settledOp(handled bool) planner.Op {
	if handled && e.opts.AltMode == AltLink {
		return planner.OpLink
	}
	return planner.OpMeta
}

// printSettled gives, under -ii, rsync's line for a file, symlink or
// special file a reference tree may have settled, op as settledOp says
// (OpLocal, "cf", for a copy made where the kernel refused the link).
func (e *Executor) printSettled(d *walker.Dir, a planner.Action, op planner.Op) {
	e.printSettledAs(d, a, op, 0)
}

// printSettledAs is printSettled for a settled entry that still differs
// in change from the reference: a line without -ii too.
func (e *Executor) printSettledAs(d *walker.Dir, a planner.Action, op planner.Op, change planner.Change) {
	if !e.opts.ItemizeAll && change == 0 {
		return
	}
	k := a.Src.Kind
	it := item{op: op, kind: k, change: change, path: itemPath(d, a.Name, k), target: a.Src.Target(), ent: a.Src}
	if change != 0 {
		e.print(it)
		return
	}
	e.printLine(it)
}

// redundantFile handles an existing destination file that an exact match
// in the reference trees makes redundant, as rsync does (Action.AltExact):
// under --compare-dest it is deleted, so the destination keeps only what
// differs from the references; under --link-dest it becomes a link to
// the reference unless it is that file already. Neither is itemized (the
// reference holds the same data and attributes). handled is false when
// no reference matches exactly: the file is then checked as usual.
func (e *Executor) redundantFile(d *walker.Dir, a planner.Action) (handled bool, err error) {
	fd, st, level, err := e.bestAltOpening(d, a)
	switch {
	case err != nil || level != altExact:
		return false, err
	case e.opts.AltMode == AltLink && st.Dev == a.Dst.Dev && st.Ino == a.Dst.Ino:
		return false, nil
	case e.opts.DryRun:
		return true, nil
	case e.opts.AltMode == AltCompare:
		return true, e.removeEntry(d, a.Name, a.Dst, false, false)
	}
	refused, err := e.linkRef(d, a, fd, a.Dst)
	if refused {
		return false, nil // (the kernel will not link it: the file stays as it is checked)
	}
	return true, err
}
