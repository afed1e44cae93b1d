package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"time"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// copyFile writes a regular file's data to a temporary beside its final
// name and renames it into place. A source that changes while it is
// copied is copied again, a few times at most.
func (e *Executor) copyFile(d *walker.Dir, a planner.Action) error {
	open := e.fs.OpenFileAt
	if a.Src.Followed {
		open = platform.OpenFileFollowAt
	}
	src, err := open(d.SrcFd, d.SourceName(a.Name))
	if err != nil {
		return srcErr(fmt.Errorf("open: %w", err))
	}
	defer platform.Close(src)
	change := a.Change
	if inPlace := e.mayFixInPlace(a, change); a.Verify && (inPlace || a.KeepIfDiffers) {
		same, err := e.sameContent(d, a, src)
		switch {
		case err != nil:
			return err
		case same && inPlace:
			return e.keepSame(d, a, change)
		case !same && a.KeepIfDiffers:
			return errKept
		case !same && e.pol.Checksum:
			change |= planner.ChangeContent // rsync shows 'c' only under -c
		}
	}
	handled, basis, err := e.fromAlt(d, a, src)
	if handled || err != nil {
		return err
	}
	if basis != nil {
		a.Basis = basis
		change = e.changeFrom(a.Src, basis) // rsync itemizes against the reference file
		if e.pol.Checksum {
			change |= planner.ChangeContent
		}
	}
	path := itemPath(d, a.Name, planner.KindFile)
	want, err := e.makeWayForFile(d, a)
	if err != nil {
		return err
	}
	if e.opts.DryRun {
		e.noteTransfer(a, change, path, platform.CopyResult{}, a.Src.Size)
		return nil
	}
	return e.writeFile(d, a, src, want, change, path)
}

// makeWayForFile is makeWay for a regular file, which is written under a
// temporary name and then swapped with a directory in its way (swapDir):
// that directory is removed after the copy, not before, so that the name
// is never missing (a run stopped in between would leave nothing there,
// which a rerun under --existing does not fill). Under --delay-updates,
// whose copies wait to the end, the directory is emptied now, under this
// directory's rules, and swapped then (a run killed meanwhile left the
// name empty: seed 27363). Not under -b: the backups of the directory's
// files take their directories' attributes from the destination's path,
// the file's once swapped.
func (e *Executor) makeWayForFile(d *walker.Dir, a planner.Action) (*planner.Entry, error) {
	swaps := a.Dst != nil && a.Dst.Kind == planner.KindDir && !e.opts.DryRun && !e.opts.Backup &&
		e.opts.TempDir == "" && e.opts.PartialDir == ""
	if !swaps {
		return e.makeWay(d, a)
	}
	if err := e.expect(d, a.Name, a.Dst); err != nil || !e.opts.DelayUpdates {
		return a.Dst, err
	}
	_, err := e.emptyForSwap(d, a.Name)
	return a.Dst, err
}

// swapDir puts the finished temporary tmp (in d) in the place of the
// directory name (old: what it is) in one step, once that directory is
// empty (emptyForSwap), then removes the directory, now under tmp; where
// that fails the two are swapped back. Where the filesystem cannot swap,
// or the directory cannot be read (to see that it is empty), it is
// removed first.
func (e *Executor) swapDir(d *walker.Dir, tmp, name string, old *planner.Entry) error {
	swaps, err := e.emptyForSwap(d, name)
	if err != nil {
		return err
	}
	if swaps {
		err = e.fs.RenameExchange(d.DstFd, tmp, d.DstFd, name)
	}
	if !swaps || errors.Is(err, platform.ErrUnsupported) {
		if err := e.removeEntry(d, name, old, false, false); err != nil {
			return err
		}
		return e.fs.RenameNoReplace(d.DstFd, tmp, d.DstFd, name)
	}
	if err != nil {
		return err
	}
	if err := e.removeEntryAs(d, tmp, name, old, false, false); err != nil {
		if xerr := e.fs.RenameExchange(d.DstFd, tmp, d.DstFd, name); xerr != nil {
			e.opts.Log.Warn().Str("path", itemPath(d, name, planner.KindDir)).Err(xerr).Msg("could not put the directory back; the next run removes it")
		}
		return err
	}
	return nil
}

// emptyForSwap deletes what the directory name in d holds (--delete,
// --force; what it must keep, protected entries, fails it), or checks
// that it holds nothing: a directory is swapped out of a file's way only
// empty, so that nothing of it ever stands under a temporary name, which
// a later run removes whole (a run killed after the swap: seed 68838).
// One that cannot be read is not swapped (swaps false) but removed
// first, where it is empty.
func (e *Executor) emptyForSwap(d *walker.Dir, name string) (swaps bool, err error) {
	path := planner.Join(d.Path, name)
	if e.pol.Delete || e.pol.Force {
		_, err := e.emptyTree(d, d.DstFd, name, path, true, receiverRules(d))
		return err == nil, err
	}
	err = checkEmpty(d.DstFd, name)
	if errors.Is(err, fs.ErrPermission) {
		return false, nil
	}
	return err == nil, nonEmpty(err, path)
}

// writeFile writes the data: into a device (--write-devices), resuming
// a partial copy, appending (--append), in place (--inplace), or to a
// new file put in place.
func (e *Executor) writeFile(d *walker.Dir, a planner.Action, src int, want *planner.Entry, change planner.Change, path string) error {
	if want != nil && e.writesInto(want) {
		return e.writeDevice(d, a, src, want, change, path)
	}
	if handled, err := e.resumePartial(d, a, src, want, change, path); handled || err != nil {
		return err
	}
	existing := want != nil && want.Kind == planner.KindFile
	if e.pol.Append && existing && want.Size < a.Src.Size {
		if handled, err := e.appendTo(d, a, src, want, change, path); handled || err != nil {
			return err
		}
	}
	if e.opts.Inplace && existing {
		return e.copyInPlace(d, a, src, want, change, path)
	}
	return e.copyStable(d, a, src, want, change, path)
}

// appendTo writes to the shorter destination file only what the source
// has past its end (--append), in place; under --append-verify it first
// checks that the part there matches the source, and when it does not,
// handled is false: the file is copied whole instead, in place, as
// rsync re-sends it (its backup then a copy, without the ACLs, as
// rsync's: seed 118227).
func (e *Executor) appendTo(d *walker.Dir, a planner.Action, src int, want *planner.Entry, change planner.Change, path string) (handled bool, err error) {
	fd, st, err := e.openForUpdate(d, a.Name, src, want)
	if err != nil {
		return true, err
	}
	defer platform.Close(fd)
	if e.opts.AppendVerify {
		if same, err := e.cmp.EqualPrefix(platform.FdReader(src), platform.FdReader(fd), want.Size); err != nil || !same {
			return err != nil, err
		}
	}
	if err := e.backupCopy(d, a.Name, planner.Join(d.Path, a.Name), want); err != nil {
		return true, err // (-b: the file before the append, as rsync keeps it)
	}
	res, err := e.copier.Resume(src, st, fd, want.Size, d.DstDev, e.ctx.Done())
	return true, e.finishUpdate(d, a, src, fd, st, want, change, path, res, err)
}

// copyInPlace rewrites the destination file itself (--inplace): its inode
// stays, with its other names, and so does what -p, -o, -g, -X would not
// set. Its data is replaced whole, as a local rsync replaces it; a run
// stopped meanwhile leaves it part written, as rsync's does. Under -b its
// backup is a copy (backupCopy).
func (e *Executor) copyInPlace(d *walker.Dir, a planner.Action, src int, want *planner.Entry, change planner.Change, path string) error {
	return e.updateInPlace(d, a, src, want, change, path, func(fd int, st platform.Stat) (platform.CopyResult, error) {
		if err := platform.Ftruncate(fd, 0); err != nil {
			return platform.CopyResult{}, fmt.Errorf("truncate: %w", err)
		}
		return e.copier.CopyInto(src, st, fd, d.DstDev, e.ctx.Done())
	})
}

// updateInPlace opens the destination want to be written in place,
// keeps its -b copy first, writes the data with write (given the open
// destination and the source's stat) and finishes the update.
func (e *Executor) updateInPlace(d *walker.Dir, a planner.Action, src int, want *planner.Entry, change planner.Change, path string,
	write func(fd int, st platform.Stat) (platform.CopyResult, error)) error {
	fd, st, err := e.openForUpdate(d, a.Name, src, want)
	if err != nil {
		return err
	}
	defer platform.Close(fd)
	if err := e.backupCopy(d, a.Name, planner.Join(d.Path, a.Name), want); err != nil {
		return err
	}
	res, err := write(fd, st)
	return e.finishUpdate(d, a, src, fd, st, want, change, path, res, err)
}

// writeDevice writes the source's data into the device want
// (--write-devices), neither truncated nor replaced: from its start, or
// under --append past its size (--append-verify: once the part there
// proves the same, else from the start).
func (e *Executor) writeDevice(d *walker.Dir, a planner.Action, src int, want *planner.Entry, change planner.Change, path string) error {
	return e.updateInPlace(d, a, src, want, change, path, func(fd int, st platform.Stat) (platform.CopyResult, error) {
		from := int64(0)
		if e.pol.Append && want.Size < a.Src.Size {
			from = want.Size
		}
		if from > 0 && e.opts.AppendVerify && !e.samePrefix(src, fd, from) {
			from = 0
		}
		return e.copier.WriteInto(src, st, fd, from, e.ctx.Done())
	})
}

// writesInto reports a destination device --write-devices writes a
// file's data into (planner.Policy.WritesInto).
func (e *Executor) writesInto(want *planner.Entry) bool {
	return e.pol.WriteDevices && want.Kind.IsDevice()
}

// openForUpdate opens the destination file name, expected to be want,
// for writing in place, and stats the open source.
func (e *Executor) openForUpdate(d *walker.Dir, name string, src int, want *planner.Entry) (int, platform.Stat, error) {
	st, err := e.statSource(src)
	if err != nil {
		return -1, st, srcErr(fmt.Errorf("stat: %w", err))
	}
	open := e.openWritable
	if e.writesInto(want) {
		open = func(dirfd int, name string, _ *planner.Entry) (int, error) {
			return platform.OpenDeviceWriteAt(dirfd, name, want.Kind == planner.KindBlock)
		}
	}
	fd, err := open(d.DstFd, name, want)
	if err != nil {
		return -1, st, fmt.Errorf("open to update in place: %w", err)
	}
	if now, err := platform.Fstat(fd); err != nil || !asListed(now, want) {
		platform.Close(fd)
		return -1, st, ErrChangedSinceScan
	}
	return fd, st, nil
}

// asListed reports that now, the stat of an open destination entry, is
// the entry want the plan was made for: its inode and time, and a
// file's size (a device's, its end, is not in its stat).
func asListed(now platform.Stat, want *planner.Entry) bool {
	return now.Ino == want.Ino && now.Mtime == want.Mtime && now.Type() == walker.TypeBits(want.Kind) &&
		(now.Size == want.Size || want.Kind != planner.KindFile)
}

// finishUpdate ends an update in place after its data was written (with
// copyErr): attributes, extended attributes, fsync, and the report.
func (e *Executor) finishUpdate(d *walker.Dir, a planner.Action, src, fd int, st platform.Stat, want *planner.Entry, change planner.Change, path string, res platform.CopyResult, copyErr error) error {
	if errors.Is(copyErr, platform.ErrInterrupted) {
		return e.ctx.Err()
	}
	if copyErr != nil {
		return fmt.Errorf("copy: %w", copyErr)
	}
	meta := e.sourceMeta(src, st)
	if err := e.setFdMeta(fd, &meta, want, e.permsIn(d)); err != nil {
		return err
	}
	if err := e.syncXattrs(sourceOf(d, a), d.DstFd, a.Name); err != nil {
		return err
	}
	if e.opts.Fsync {
		if err := e.fs.Fsync(fd); err != nil {
			return fmt.Errorf("fsync: %w", err)
		}
	}
	e.noteTransfer(a, change, path, res, st.Size)
	return nil
}

// mayFixInPlace reports whether a file whose content proves the same may
// get its metadata changes in place. Not when other names share its
// destination inode, as the change would reach them too, nor under -b,
// which keeps the old file with its old attributes, nor, for an ordinary
// user, where the file is another user's (its times and mode are the
// owner's to set: seed 13327): without -c rsync transfers such a file
// anew (a new inode, and a backup), and so does treesync.
func (e *Executor) mayFixInPlace(a planner.Action, change planner.Change) bool {
	if change == 0 || e.pol.Checksum {
		return true
	}
	othersFile := e.euid != 0 && !e.pol.FakeSuper && a.Dst != nil && a.Dst.UID != uint32(e.euid)
	return !e.opts.Backup && !othersFile && (a.Dst == nil || a.Dst.Nlink <= 1)
}

// keepSame settles a file found the same as its source: its attributes
// fixed in place (sameChange).
func (e *Executor) keepSame(d *walker.Dir, a planner.Action, change planner.Change) error {
	if change = e.sameChange(change); change != 0 {
		return e.fixMeta(d, a, change)
	}
	e.fakeNormal(d, a)
	e.printUnchanged(d, []*planner.Entry{a.Src})
	return nil
}

// sameChange is what is left of a copy's change for a file found the
// same as its source. Without -t the planner marks the time of every
// copy (rsync's T): under -c a file found the same is no copy, so that
// goes; otherwise rsync would have copied the file (its quick check
// failed), and setPathMeta gives it the time its copy would get.
func (e *Executor) sameChange(change planner.Change) planner.Change {
	if !e.pol.Times && e.pol.Checksum {
		change &^= planner.ChangeTime
	}
	return change
}

// copyStable copies until the source stays the same for a whole copy.
func (e *Executor) copyStable(d *walker.Dir, a planner.Action, src int, want *planner.Entry, change planner.Change, path string) error {
	for attempt := 0; ; attempt++ {
		st, err := e.settledSource(src)
		if err != nil {
			return srcErr(fmt.Errorf("stat: %w", err))
		}
		if !st.IsRegular() {
			return srcErr(fmt.Errorf("no longer a regular file"))
		}
		p, res, err := e.writeTemp(d, src, st, a, want == nil)
		if err != nil {
			return err
		}
		after, err := e.statSource(src)
		if err == nil && unchanged(st, after) {
			if err := e.publishOrDelay(d, p, a.Name, want); err != nil {
				return err
			}
			e.noteTransfer(a, change, path, res, st.Size)
			return nil
		}
		e.discard(d, p)
		if attempt+1 >= e.opts.ChangedRetries {
			return srcErr(ErrSourceChanging)
		}
		e.opts.Log.Debug().Str("path", path).Msg("source changed while copied; copying again")
	}
}

// settleTime is how long ago a source file must have last changed
// before it is copied (settledSource).
const settleTime = 20 * time.Millisecond

// settledSource stats the open source file src once it has not changed
// for settleTime (its ctime: an mtime may be set ahead), waiting at most
// ten times that. The kernel stamps a file's times when a write starts,
// from a clock that moves once per tick: a write under way when the copy
// starts, or another within the same tick, would not move them, and the
// comparison after the copy would miss it (a mix of versions under the
// final name). Only a file written in the last moments waits.
func (e *Executor) settledSource(src int) (platform.Stat, error) {
	for range 10 {
		st, err := e.statSource(src)
		if err != nil {
			return st, err
		}
		age := time.Duration(platform.FileClock() - st.Ctime)
		if age >= settleTime {
			return st, nil
		}
		time.Sleep(settleTime - max(age, 0))
	}
	return e.statSource(src) // (still changing: the comparison after the copy decides)
}

// statSource stats the open source file src; under --copy-devices a
// device is a regular file of the device's size (walker.Options.CopyDevices).
func (e *Executor) statSource(src int) (platform.Stat, error) {
	st, err := platform.Fstat(src)
	if err != nil || !e.opts.CopyDevices {
		return st, err
	}
	return asFileStat(src, st)
}

// asFileStat makes st, the stat of the open fd, that of a regular file
// of the device's size when fd is a device, for its data to be copied as
// a file's.
func asFileStat(fd int, st platform.Stat) (platform.Stat, error) {
	if st.Type() != platform.ModeBlock && st.Type() != platform.ModeChar {
		return st, nil
	}
	size, err := platform.SeekSize(fd)
	if err != nil {
		return st, fmt.Errorf("size of device: %w", err)
	}
	st.Size, st.Mode, st.Blocks = size, st.Mode&platform.ModePerm|platform.ModeRegular, (size+511)/512
	return st, nil
}

func unchanged(a, b platform.Stat) bool {
	return a.Size == b.Size && a.Mtime == b.Mtime && a.Ctime == b.Ctime && a.Ino == b.Ino
}

// pending is a copy on its way to its final name: a file with a
// temporary name beside it, an unnamed file (name "") to be linked, or a
// file already under its final name in a staged directory (final).
// fd is open while the copy is written, and stays open until publish for
// an unnamed file, the only handle it has.
type pending struct {
	name  string
	fd    int
	final bool
	dir   int // the directory of name: -1 for the file's own, else --temp-dir's
}

// dirfd returns the directory p's temporary name is in.
func (p pending) dirfd(d *walker.Dir) int {
	if p.dir >= 0 {
		return p.dir
	}
	return d.DstFd
}

// publishOrDelay publishes p now, or under --delay-updates at the end
// of the run (a copy then always has a temporary name).
func (e *Executor) publishOrDelay(d *walker.Dir, p pending, name string, want *planner.Entry) error {
	if e.opts.DelayUpdates && p.name != "" && !p.final {
		e.delay(d, p.name, name, want, p.dir >= 0)
		return nil
	}
	return e.publish(d, p, name, want)
}

// publish puts p under its final name, as commit does for a temporary.
func (e *Executor) publish(d *walker.Dir, p pending, name string, want *planner.Entry) error {
	if p.final {
		return nil // the directory's rename publishes it
	}
	if p.name != "" {
		return e.commitTemp(d, p.dirfd(d), p.name, name, want)
	}
	defer platform.Close(p.fd)
	if err := e.ctx.Err(); err != nil {
		return err
	}
	err := e.fs.LinkUnnamed(p.fd, d.DstFd, name)
	if errors.Is(err, fs.ErrExist) {
		return ErrChangedSinceScan
	}
	if err != nil {
		return fmt.Errorf("link: %w", err)
	}
	return nil
}

// discard drops a pending copy whose descriptor is closed (named) or
// still open (unnamed).
func (e *Executor) discard(d *walker.Dir, p pending) {
	if p.name == "" {
		_ = platform.Close(p.fd)
		return
	}
	_ = e.fs.Unlinkat(p.dirfd(d), p.name)
}

// writeTemp copies src into a new file (createCopy) and gives it its
// final owner, mode and times. A new name (fresh) is written unnamed where
// the filesystem favours it and nothing needs the file by name before it
// is complete: no --partial-dir to keep it in, no xattrs set by name.
func (e *Executor) writeTemp(d *walker.Dir, src int, st platform.Stat, a planner.Action, fresh bool) (pending, platform.CopyResult, error) {
	meta := e.sourceMeta(src, st)
	old := e.keptModeOf(a)
	perm := e.modeFor(&meta, old, e.permsIn(d)) & 0o777 // created with its final mode where the umask (or default ACL) allows
	if e.pol.FakeSuper {
		perm |= 0o600 // (fakeSuperFS keeps the rest once the copy is done)
	}
	p, res, err := e.createCopy(d, src, st, perm, a.Name, fresh)
	if errors.Is(err, platform.ErrInterrupted) {
		if p.name != "" { // an unnamed copy is already gone
			_ = platform.Close(p.fd)
			e.keepPartial(d, p.dirfd(d), p.name, a.Name)
		}
		return pending{}, res, e.ctx.Err()
	}
	if err != nil {
		return pending{}, res, fmt.Errorf("copy: %w", err)
	}
	created := ^uint32(0) // (in --temp-dir: its own umask or default ACL; the chmod is made)
	if p.dir < 0 {
		created = e.createdPerms(d, perm)
	}
	err = e.setFdMetaCreated(p.fd, &meta, old, e.permsIn(d), created)
	if err == nil && p.name != "" {
		err = e.syncXattrs(sourceOf(d, a), p.dirfd(d), p.name)
	}
	if err == nil && e.opts.Fsync {
		if err = e.fs.Fsync(p.fd); err != nil {
			err = fmt.Errorf("fsync: %w", err)
		}
	}
	if p.name != "" {
		if cerr := platform.Close(p.fd); err == nil && cerr != nil {
			err = fmt.Errorf("close: %w", cerr)
		}
	}
	if err != nil {
		e.discard(d, p)
		return pending{}, res, err
	}
	if p.dir >= 0 && e.tempDev != d.DstDev {
		p, err = e.carry(d, p, &meta, a, perm) // --temp-dir on another filesystem
	}
	return p, res, err
}

// unnamedAllowed reports whether new files may be written unnamed: not
// when they are kept in a partial directory or get extended attributes
// or ACLs (set by name before the rename).
func (e *Executor) unnamedAllowed() bool {
	return e.opts.PartialDir == "" && !e.pol.Xattrs && !e.pol.ACLs && !e.opts.DelayUpdates && e.opts.TempDir == ""
}

// createCopy copies src into a new file for name: a new name (fresh) in
// a staged directory under that name itself, else into an unnamed file
// when allowed and the filesystem favours it, else under a new temporary
// name. The copy's descriptor is left open in the pending copy.
func (e *Executor) createCopy(d *walker.Dir, src int, st platform.Stat, perm uint32, name string, fresh bool) (pending, platform.CopyResult, error) {
	if fresh && stageOf(d) != nil {
		fd, res, err := e.fs.CopyToNew(src, st, d.DstFd, name, perm, d.DstDev, e.ctx.Done())
		if errors.Is(err, fs.ErrExist) {
			err = ErrChangedSinceScan
		}
		return pending{name: name, fd: fd, final: true, dir: -1}, res, err
	}
	if fresh && e.unnamedAllowed() {
		fd, res, handled, err := e.fs.CopyToUnnamed(src, st, d.DstFd, perm, d.DstDev, e.ctx.Done())
		if handled {
			return pending{fd: fd, dir: -1}, res, err // on error fd is -1, closed
		}
	}
	var fd int
	var res platform.CopyResult
	p := pending{dir: e.tempFd} // -1 without --temp-dir
	tmp, err := withTempName(func(tmp string) (err error) {
		fd, res, err = e.fs.CopyToNew(src, st, p.dirfd(d), tmp, perm, e.tempOr(d.DstDev), e.ctx.Done())
		return err
	})
	p.name, p.fd = tmp, fd
	return p, res, err
}

// withTempName calls create with a new temporary name until the name is
// free: a live temporary holds it once in 2^32 draws. create must fail
// with an error matching fs.ErrExist, having made nothing, on a taken name.
func withTempName(create func(tmp string) error) (string, error) {
	var err error
	for range 4 {
		tmp := planner.TempName(rand.Uint64())
		if err = create(tmp); !errors.Is(err, fs.ErrExist) {
			return tmp, err
		}
	}
	return "", err
}

// noteTransfer counts and prints a transferred file.
func (e *Executor) noteTransfer(a planner.Action, change planner.Change, path string, res platform.CopyResult, size int64) {
	e.stats.Transferred.Add(1)
	e.stats.TransferredBytes.Add(size)
	e.stats.HoleBytes.Add(res.HoleBytes)
	e.stats.CompletedCopied.Add(res.Bytes)
	m := e.stats.Method(res.Method)
	m.Files.Add(1)
	m.Bytes.Add(res.Bytes)
	if a.Dst == nil || a.Dst.Kind != planner.KindFile {
		e.stats.Created.add(planner.KindFile)
	}
	e.print(item{op: planner.OpCopy, kind: planner.KindFile, change: change, path: path, ent: a.Src, bytes: res.Bytes})
}
