package executor

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// modeFor returns the permission bits an entry must end up with: the
// source's under -p; otherwise an existing entry keeps its own and a new
// one gets the source's limited by perms (newPerms of its directory:
// what the umask or the directory's default ACL leaves; asked only
// then), without special bits (rsync).
func (e *Executor) modeFor(want, old *planner.Entry, perms func() uint32) uint32 {
	switch {
	case e.pol.Perms:
		return want.Mode
	case old != nil && e.pol.Executability && want.Kind == planner.KindFile && old.Kind == planner.KindFile:
		return executable(old.Mode, want.Mode&0o111 != 0)
	case old != nil && (old.Kind == want.Kind || (old.Kind != planner.KindSymlink && old.Kind != planner.KindDir)):
		// What was there keeps its permissions, even replaced by another
		// type, as in rsync (which deletes a directory in the way first).
		return old.Mode
	}
	return want.Mode & 0o777 & perms()
}

// keptModeOf is the file whose permissions a copy replacing a's
// destination keeps without -p (modeFor's old): that file (or, for a new
// file, the reference file it was transferred against), unless the
// user may not read it (another user's), which rsync's receiver, failing
// to open it, takes for none (the copy gets the source's mode less the
// umask).
func (e *Executor) keptModeOf(a planner.Action) *planner.Entry {
	old := a.Dst
	if a.Basis != nil {
		old = a.Basis // (rsync takes the reference file for the one there, which is no file)
	}
	if !e.modesBind || e.pol.Perms || old == nil || old.Kind != planner.KindFile || e.mayRead(old) {
		return old
	}
	return nil
}

// mayRead reports whether the permission bits of f let this run's user
// read it.
func (e *Executor) mayRead(f *planner.Entry) bool {
	switch {
	case int(f.UID) == e.euid:
		return f.Mode&0o400 != 0
	case slices.Contains(e.pol.MemberOf, f.GID):
		return f.Mode&0o040 != 0
	}
	return f.Mode&0o004 != 0
}

// executable is -E's mode for a file that has mode and is to be
// executable or not, as rsync makes it: every x bit off, or on where the
// matching r bit is.
func executable(mode uint32, exec bool) uint32 {
	if !exec {
		return mode &^ 0o111
	}
	if mode&0o111 != 0 {
		return mode
	}
	return mode | (mode&0o444)>>2
}

// owner returns the uid and gid to set (-1: leave), and whether to set any.
func (e *Executor) owner(want, old *planner.Entry, change planner.Change) (int, int, bool) {
	uid, gid := -1, -1
	isNew := change&planner.ChangeNew != 0
	if e.pol.Owner && (isNew || old == nil || old.UID != want.UID) {
		uid = int(want.UID)
	}
	if e.pol.SetsGroup(want.GID) && (isNew || old == nil || old.GID != want.GID) {
		gid = int(want.GID)
	}
	return uid, gid, uid != -1 || gid != -1
}

// setFdMeta gives an open file its owner, then mode (chown clears
// setuid), then times; perms is modeFor's.
func (e *Executor) setFdMeta(fd int, want, old *planner.Entry, perms func() uint32) error {
	return e.setFdMetaCreated(fd, want, old, perms, ^uint32(0))
}

// setFdMetaCreated is setFdMeta for a file this run created, which has
// the permission bits created (createdPerms): when those already are the
// final mode, the chmod is skipped.
func (e *Executor) setFdMetaCreated(fd int, want, old *planner.Entry, perms func() uint32, created uint32) error {
	if uid, gid, ok := e.owner(want, old, planner.ChangeNew); ok && !ownedBy(fd, uid, gid) {
		if err := e.fs.Fchown(fd, uid, gid); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	mode := e.modeFor(want, old, perms)
	if mode != created || mode&0o7000 != 0 {
		if err := e.fs.Fchmod(fd, mode); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	if e.pol.Times || e.pol.Atimes {
		if err := e.fs.Futimes(fd, e.atime(want), e.mtime(want)); err != nil {
			return fmt.Errorf("set times: %w", err)
		}
	}
	return nil
}

// ownedBy reports whether fd already has the owner uid and group gid
// (-1: any). A file this run created mostly has them (root copying
// root's files): an fstat is a lookup, while a chown, even to the same
// owner, is a logged transaction on XFS and btrfs.
func ownedBy(fd, uid, gid int) bool {
	st, err := platform.Fstat(fd)
	return err == nil && (uid < 0 || int(st.UID) == uid) && (gid < 0 || int(st.GID) == gid)
}

// setPathMeta fixes the attributes named by change of name inside dirfd,
// never following a symlink. A chown clears a non-directory's setuid and
// setgid bits: the mode is set again after one where it has them.
func (e *Executor) setPathMeta(d *walker.Dir, name string, want, old *planner.Entry, change planner.Change) error {
	dirfd, perms := d.DstFd, e.permsIn(d)
	isNew := change&planner.ChangeNew != 0
	uid, gid, chown := e.owner(want, old, change)
	var failed error // (the owner refused, the mode and times are still set, as rsync sets them)
	if chown {
		if err := e.fs.Lchownat(dirfd, name, uid, gid); err != nil {
			failed = fmt.Errorf("chown: %w", err)
		}
	}
	setID := chown && want.Kind != planner.KindDir && e.modeFor(want, old, perms)&0o6000 != 0
	fakeRaw := old != nil && old.FakeRaw // (the chmod gives it the real mode --fake-super leaves)
	if (want.Kind != planner.KindSymlink || e.pol.FakeSuper) && (isNew || setID || fakeRaw || change&planner.ChangePerms != 0) {
		if err := e.fs.Lchmodat(dirfd, name, e.modeFor(want, old, perms)); err != nil {
			return cmp.Or(failed, fmt.Errorf("chmod: %w", err))
		}
	}
	atime, mtime := e.atime(want), e.mtime(want)
	if !e.pol.Times && change&planner.ChangeTime != 0 {
		// A file found the same without -t, which rsync would have sent
		// again (its times never match): the time its copy would get.
		mtime = time.Now().UnixNano()
	}
	if (atime != platform.OmitTime || mtime != platform.OmitTime) && (isNew || change&(planner.ChangeTime|planner.ChangeAtime) != 0) {
		if err := e.fs.LutimesAt(dirfd, name, atime, mtime); err != nil {
			return cmp.Or(failed, fmt.Errorf("set times: %w", err))
		}
	}
	return failed
}

// fixMeta applies attribute changes to an up-to-date entry in place: the
// inode stays the same, the content is not rewritten.
func (e *Executor) fixMeta(d *walker.Dir, a planner.Action, change planner.Change) error {
	path := itemPath(d, a.Name, a.Src.Kind)
	if !e.opts.DryRun {
		var err error
		if change, err = e.expectMeta(d, a, change); err != nil || change == 0 {
			return err
		}
		if err := e.setPathMeta(d, a.Name, a.Src, a.Dst, change); err != nil {
			return err
		}
		if change&(planner.ChangeXattr|planner.ChangeACL) != 0 {
			if err := e.syncXattrs(sourceOf(d, a), d.DstFd, a.Name); err != nil {
				return err
			}
		}
	}
	e.stats.MetaUpdated.Add(1)
	if (a.Op == planner.OpMeta || e.pol.Checksum) && !e.opts.DryRun && a.Src.Kind != planner.KindDir && change&planner.ChangeACL != 0 && (a.Src.Mode^a.Dst.Mode)&0o7000 == 0 {
		// Setting the source's ACL gives an up-to-date entry the source's
		// permission bits, and rsync, which sets it before it compares
		// the mode for its chmod, reports no permission change there (a
		// dry run, or a file it transfers, does; -c finds files the same
		// before any transfer).
		change &^= planner.ChangePerms
	}
	e.print(item{op: planner.OpMeta, kind: a.Src.Kind, change: change, path: path, target: a.Src.Target(), ent: a.Src})
	return nil
}

// dirDone gives a finished directory its owner, mode and times, now that
// nothing more will be written inside it.
func (e *Executor) dirDone(d *walker.Dir) {
	defer e.pruneMemo.Delete(d)
	e.removeSources(d)
	gone := e.finishStage(d)
	if e.opts.AltMode != AltNone {
		e.closeAlt(d)
	}
	if gone {
		return
	}
	e.relockVisited(d)
	defer e.holdUnlisted(d)
	if e.pruned(d) {
		return
	}
	if e.opts.DryRun || d.DstFd < 0 || d.Top() || d.Action.Src == nil || e.ctx.Err() != nil || e.deletingPass {
		return
	}
	if e.impliedOnly(d.Path) {
		e.defaultMode(d)
		return
	}
	if !e.givesDirMeta(d) {
		return
	}
	want, part := d.Action.Src, mergedPart(d)
	if e.overlay != nil && e.opts.RemoveSourceFiles {
		w := *want
		w.Mtime = e.overlay.sourceTime(want)
		want = &w
	}
	mountPoint := e.opts.OneFileSystem && d.Parent != nil && d.Parent.Crosses(d.Action)
	err := e.applyDirMeta(d.DstFd, want, d.Action.Dst, e.permsAbove(d), !mountPoint) // (rsync leaves a mount point's time as made)
	if err == nil && d.SrcFd >= 0 {
		err = e.syncXattrs(attrSource{fd: d.SrcFd, follow: d.Action.Src.Followed}, d.DstFd, "")
	}
	if err != nil {
		e.fail(itemPath(d, "", planner.KindDir), err)
	} else if part == mergedFirst && e.pol.Times && !e.pol.OmitDirTimes {
		e.overlay.stamp(d.Path, want.Mtime)
	}
}

// givesDirMeta reports whether dirDone gives d the source directory's
// attributes: not in a dry run, nor where d is no directory of the
// transfer: the one above a source named without a slash, another
// source's (mergedLater), one that only leads to listed paths
// (--no-implied-dirs), the root where a list does not name it (rsync
// leaves DST's attributes).
func (e *Executor) givesDirMeta(d *walker.Dir) bool {
	return !e.opts.DryRun && d.DstFd >= 0 && !d.Top() && d.Action.Src != nil && !e.deletingPass &&
		!e.impliedOnly(d.Path) && mergedPart(d) != mergedLater &&
		(d.Parent != nil || e.list.List == nil || e.list.List.NamesRoot())
}

// inheritEarly gives the directory d, before anything is made in it, the
// group and the setgid bit dirDone will give it, as rsync sets a
// directory's attributes before it fills it: what is made inside takes
// them (a setgid directory's group, and the bit on new directories), not
// those it had (seed 117852: --backup-dir in a root the run took the bit
// from). The rest of its attributes wait for dirDone, which sets them all.
func (e *Executor) inheritEarly(d *walker.Dir) {
	old, ok := e.fixedEarly(d)
	switch {
	case !ok:
		return
	case e.pol.FakeSuper:
		e.realSetgidEarly(d, old)
		return
	}
	want := d.Action.Src
	final := e.modeFor(want, old, e.permsAbove(d))
	var flip, regroup bool
	if old == nil { // (a new one: what its parent gave it, or the run's group)
		inherits := e.inheritsSetgid(d)
		flip = e.pol.Perms && (inherits || final&setgid != 0)
		regroup = e.pol.SetsGroup(want.GID) && (inherits || int64(want.GID) != e.egid)
	} else {
		flip = e.pol.Perms && (old.Mode^final)&setgid != 0
		regroup = e.pol.SetsGroup(want.GID) && old.GID != want.GID
	}
	if !flip && !regroup {
		return // (nothing to change: no stat)
	}
	st, err := platform.Fstat(d.DstFd)
	if err != nil {
		return // (dirDone reports it)
	}
	if regroup && st.GID != want.GID {
		_ = e.fs.Fchown(d.DstFd, -1, int(want.GID)) // (refused: dirDone's error to report)
	}
	if mode := st.Mode & platform.ModePerm; flip && (mode^final)&setgid != 0 {
		_ = e.fs.Fchmod(d.DstFd, mode^setgid)
	}
}

// fixedEarly reports whether inheritEarly sets d's group and setgid bit,
// and the directory d was before the run (nil: made by it): one dirDone
// gives the source's attributes, but not one already there under -m,
// which may yet prune it and leave it as it was (seed 122600).
func (e *Executor) fixedEarly(d *walker.Dir) (old *planner.Entry, ok bool) {
	if !e.givesDirMeta(d) || d.Action.Src.Kind != planner.KindDir {
		return nil, false
	}
	if old = d.Action.Dst; old != nil && old.Kind != planner.KindDir {
		old = nil // (replaced by the new directory)
	}
	return old, old == nil || !e.opts.PruneEmptyDirs
}

// realSetgidEarly is inheritEarly under --fake-super, which keeps the
// group and the special bits in an xattr: the real setgid bit of d (old
// before the run), which no real mode it gives keeps (walker.RealMode),
// goes before anything is made inside, so that it gives them no group,
// as rsync's (seed 122387).
func (e *Executor) realSetgidEarly(d *walker.Dir, old *planner.Entry) {
	if old != nil && !old.FakeRaw && old.Mode&setgid == 0 {
		return // (its real mode has no setgid bit: no stat)
	}
	if st, err := platform.Fstat(d.DstFd); err == nil && st.Mode&setgid != 0 {
		_ = platform.Fchmod(d.DstFd, st.Mode&platform.ModePerm&^setgid)
	}
}

// inheritsSetgid reports whether the new directory d may have taken a
// setgid bit and group from its parent, so that a stat must tell: the
// parent has the bit, had it or will have it, or is not known (no
// syscall for a new tree under a parent without the bit).
func (e *Executor) inheritsSetgid(d *walker.Dir) bool {
	p := d.Parent
	if p == nil || p.Action.Src == nil || p.Action.Src.Mode&setgid != 0 {
		return true
	}
	if _, ok := e.fixedEarly(p); ok && e.pol.Perms {
		return false // (inheritEarly gave it the source's mode, without the bit)
	}
	if old := p.Action.Dst; old != nil && old.Kind == planner.KindDir {
		return old.Mode&setgid != 0 // (as it was)
	}
	return e.inheritsSetgid(p) // (new too: what it took from its own parent)
}

// defaultMode gives a directory --no-implied-dirs made the mode a new
// directory gets (it was made owner-only while filled); one already there
// keeps its attributes.
func (e *Executor) defaultMode(d *walker.Dir) {
	if d.Action.Op != planner.OpMkdir || e.opts.DryRun || d.DstFd < 0 {
		return
	}
	if err := e.fs.Fchmod(d.DstFd, e.parentPerms(d)); err != nil {
		e.fail(itemPath(d, "", planner.KindDir), fmt.Errorf("chmod: %w", err))
	}
}

// setgid is the mode bit a directory created in a setgid directory
// inherits.
const setgid = 0o2000

// applyDirMeta gives the open directory fd the owner, mode and (with
// times) time of want; old is what it was before the run.
func (e *Executor) applyDirMeta(fd int, want, old *planner.Entry, perms func() uint32, times bool) error {
	st, err := platform.Fstat(fd)
	if err != nil {
		return fmt.Errorf("stat: %w", err)
	}
	have := e.entryOf(fd, "", st)
	if uid, gid, ok := e.owner(want, &have, 0); ok {
		if err := e.fs.Fchown(fd, uid, gid); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	if old == nil || old.Kind != planner.KindDir {
		old = nil // created by this run
	}
	mode := e.modeFor(want, old, perms)
	if old == nil && !e.pol.Perms && !e.pol.FakeSuper { // (--fake-super keeps the mode rsync means, not the kernel's)
		mode |= have.Mode & setgid // a new directory keeps what its setgid parent gave it, as with mkdir
	}
	if mode != have.Mode || have.FakeRaw { // (--fake-super: the chmod leaves the real mode it means)
		if err := e.fs.Fchmod(fd, mode); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	if times && e.pol.Times && !e.pol.OmitDirTimes && have.Mtime != want.Mtime {
		err := e.fs.Futimes(fd, platform.OmitTime, want.Mtime)
		if err != nil && !(errors.Is(err, fs.ErrPermission) && old != nil && old.Mtime == want.Mtime) {
			return fmt.Errorf("set times: %w", err)
		} // (a time it had, which only this run's changes inside moved: rsync lets someone else's directory keep the new one)
	}
	if e.opts.Fsync {
		return e.fs.Fsync(fd)
	}
	return nil
}

// expect checks that name inside d is still what the planner saw: absent
// when want is nil, else the same inode, type and (for files) size and
// mtime. treesync never overwrites or deletes what it did not plan for.
func (e *Executor) expect(d *walker.Dir, name string, want *planner.Entry) error {
	st, err := platform.Lstatat(d.DstFd, name)
	if want == nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err == nil {
			return ErrChangedSinceScan
		}
		return fmt.Errorf("stat: %w", err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return ErrChangedSinceScan
	}
	if err != nil {
		return fmt.Errorf("stat: %w", err)
	}
	got := e.entryOf(d.DstFd, name, st)
	if got.Kind != want.Kind || got.Ino != want.Ino ||
		(got.Kind == planner.KindFile && (got.Size != want.Size || got.Mtime != want.Mtime)) {
		return ErrChangedSinceScan
	}
	return nil
}

// openDst opens the destination directory at rel (relative to the
// destination root) as the walk reached it: through symlinks to
// directories under -K.
func (e *Executor) openDst(rel string) (int, error) {
	if e.opts.KeepDirlinks {
		return platform.OpenFollowing(e.rootFd, rel)
	}
	return platform.OpenBeneath(e.rootFd, rel)
}

// statMeta are the changes an lstat shows.
const statMeta = planner.ChangeTime | planner.ChangePerms | planner.ChangeOwner | planner.ChangeGroup | planner.ChangeAtime

// expectMeta checks a.Dst as expect does, for a metadata change. A file
// of several names may have had its attributes fixed through another of
// them earlier in this run: the time it now has may then be the source's,
// and what it has already is dropped from change (rsync, which stats
// each name when it gets to it, reports the first name only).
func (e *Executor) expectMeta(d *walker.Dir, a planner.Action, change planner.Change) (planner.Change, error) {
	want := a.Dst
	if want == nil || want.Kind != planner.KindFile || want.Nlink <= 1 {
		return change, e.expect(d, a.Name, want)
	}
	st, err := platform.Lstatat(d.DstFd, a.Name)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, ErrChangedSinceScan
	}
	if err != nil {
		return 0, fmt.Errorf("stat: %w", err)
	}
	got := e.entryOf(d.DstFd, a.Name, st)
	if got.Kind != want.Kind || got.Ino != want.Ino || got.Size != want.Size ||
		(got.Mtime != want.Mtime && got.Mtime != a.Src.Mtime) {
		return 0, ErrChangedSinceScan
	}
	return change&^statMeta | e.pol.MetaChange(a.Src, &got)&statMeta, nil
}

// atime and mtime return the times to set on an entry: the source's when
// preserved (-U, -t), else left alone.
func (e *Executor) atime(want *planner.Entry) int64 {
	if e.pol.Atimes && want.Kind != planner.KindDir && want.Kind != planner.KindSymlink {
		return want.Atime
	}
	return platform.OmitTime
}

func (e *Executor) mtime(want *planner.Entry) int64 {
	if e.pol.Times && !(e.pol.OmitLinkTimes && want.Kind == planner.KindSymlink && !e.pol.FakeSuper) { // (--fake-super's symlinks are files)
		return want.Mtime
	}
	return platform.OmitTime
}

// pruned handles -m for a finished directory whose source subtree has no
// files (not Used): as if the source lacked it, like rsync, which prunes
// it from its file list. One this run created is removed again and never
// reported; an existing one below the transfer root keeps its attributes
// and, under --delete, is deleted (by the --delete-before pass when there
// is one) where its parent's listing is transferred (deletedPruned). A
// directory that replaced an entry of another type is kept: pruning it
// would lose that entry unreported. Any other directory marks its parent
// as used (children finish first, so emptiness propagates up).
func (e *Executor) pruned(d *walker.Dir) bool {
	if e.prunable(d) {
		switch {
		case d.Action.Dst == nil && d.Action.Op == planner.OpDir:
		case d.Action.Op == planner.OpMkdir && e.deletingPass: // (looked into for listing errors only: made by the transfer)
		case d.Action.Op == planner.OpMkdir:
			e.unmake(d)
		case e.deletingPass:
			if e.pol.Delete && e.deletedPruned(d) {
				e.deleteUnlessProtected(d.Parent, d.DstName, d.Action.Dst)
			}
		default:
			e.leavePruned(d)
		}
		return true
	}
	if d.Parent != nil {
		d.Parent.Used.Store(true)
	}
	if e.opts.PruneEmptyDirs && !e.deletingPass && d.Parent != nil && !d.Top() {
		e.printKeptDir(d)
	}
	return false
}

// printKeptDir prints, under -m, the line of a directory not pruned
// (unchanged ones under -ii).
func (e *Executor) printKeptDir(d *walker.Dir) {
	switch a := d.Action; {
	case a.Op == planner.OpMkdir || a.Change != 0:
		e.printMadeDir(d.Parent, a, d.Path+"/")
	case e.opts.ItemizeAll && a.Op == planner.OpDir && a.Src != nil && a.Dst != nil && a.Dst.Kind == planner.KindDir && !e.impliedOnly(d.Path):
		e.printLine(item{op: planner.OpDir, kind: planner.KindDir, path: d.Path + "/", ent: a.Src})
	}
}

// prunable reports a directory -m prunes: one whose source subtree has no
// files, below the transfer root, created by this run where nothing was in
// the way or there already.
func (e *Executor) prunable(d *walker.Dir) bool {
	if !e.opts.PruneEmptyDirs || d.Used.Load() || (d.NoDescend && !e.oneLevel()) || d.Parent == nil || d.Top() || e.keptByReceiver(d.Path) ||
		e.holdsMissingArg(d.Path) {
		return false
	}
	a := d.Action
	if a.Op == planner.OpDir && a.Dst == nil {
		return true // (--existing walks a directory it does not make: nothing there to prune, and its parent not kept for it)
	}
	if keptInTheWay(d) {
		// Nothing went in (the entry --ignore-existing keeps is no
		// directory): pruned, and that entry deleted under --delete as
		// one the source lacks, only where the source directory holds no
		// files, as rsync's file list then lacks it (seed 36365: a kept
		// file deleted under -m --delete-before).
		return !e.sourceHasFiles(d.Parent, a, e.rulesAt(d.Parent))
	}
	return (a.Op == planner.OpMkdir && a.Dst == nil) || (a.Op == planner.OpDir && a.Dst != nil && !d.Parent.Top())
}

// unmake removes a directory this run created and -m prunes.
func (e *Executor) unmake(d *walker.Dir) {
	if !e.opts.DryRun && d.Parent.DstFd >= 0 {
		if err := e.fs.Rmdirat(d.Parent.DstFd, d.DstName); err != nil {
			e.fail(d.Path, fmt.Errorf("prune empty directory: %w", err))
		}
	}
	e.stats.Created.Dir.Add(-1)
}

// leavePruned handles an existing destination directory whose source -m
// prunes: left with the time it had (pruned directories made and removed
// inside it changed that, which rsync never makes), and deleted under
// --delete unless the filter rules protect it (or the entries left in
// it: then it keeps that time, or the time deleting entries in it gave
// it, as rsync's deleting it whole gives).
func (e *Executor) leavePruned(d *walker.Dir) {
	old := d.Action.Dst
	if e.pol.Times && !e.opts.DryRun && d.DstFd >= 0 && !d.Emptied.Load() {
		if st, err := platform.Fstat(d.DstFd); err == nil && st.Mtime != old.Mtime {
			if err := e.fs.Futimes(d.DstFd, platform.OmitTime, old.Mtime); err != nil {
				e.fail(d.Path, fmt.Errorf("restore directory time: %w", err))
			}
		}
	}
	if e.pol.Delete && e.deletedPruned(d) {
		e.deleteUnlessProtected(d.Parent, d.DstName, old)
	}
}
