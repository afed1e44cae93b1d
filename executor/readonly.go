package executor

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sync"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// A destination directory its owner may not write in (a Go module cache,
// a tree made read-only with chmod a-w) is made writable while the run
// changes what it holds, when the run is not root's (root writes there
// anyway), and given its mode back when done, as rsync does: otherwise an
// ordinary user could copy such a tree once and never update it. One its
// owner may not list or search (0311, 0644: --chmod=Da-r made it so) is
// opened to them by the walker before listing (walker.Options.Unlock) and
// given its mode back here likewise.

// unlock gives the open directory fd, whose permission bits are mode,
// u+rwx when they do not let its owner list, search and write in it, and
// reports whether it did (relock puts mode back).
func (e *Executor) unlock(fd int, mode uint32) bool {
	if !e.modesBind || e.opts.DryRun || fd < 0 || mode&0o700 == 0o700 {
		return false
	}
	// (not its owner's: the changes inside meet EACCES and report it)
	return e.fs.Fchmod(fd, mode|0o700) == nil
}

// openUnlocked opens the destination directory name in dirfd to delete
// what it holds, unlocked (see unlock) when its mode would not let its
// owner; one they may not even open is given u+rwx through dirfd first.
// unlocked reports that mode is to be put back.
func (e *Executor) openUnlocked(dirfd int, name string) (fd int, mode uint32, unlocked bool, err error) {
	fd, err = platform.OpenDirAt(dirfd, name)
	if errors.Is(err, fs.ErrPermission) && e.modesBind && !e.opts.DryRun {
		st, serr := platform.Lstatat(dirfd, name)
		mode = st.Mode & platform.ModePerm
		if serr != nil || !st.IsDir() || e.fs.Lchmodat(dirfd, name, mode|0o700) != nil {
			return fd, 0, false, err
		}
		if fd, err = platform.OpenDirAt(dirfd, name); err != nil {
			_ = e.fs.Lchmodat(dirfd, name, mode)
		}
		return fd, mode, err == nil, err
	}
	if err != nil || !e.modesBind {
		return fd, 0, false, err
	}
	st, err := platform.Fstat(fd)
	if err != nil {
		return fd, 0, false, nil // (the deletions inside tell)
	}
	mode = st.Mode & platform.ModePerm
	return fd, mode, e.unlock(fd, mode), nil
}

// relock gives the directory fd, at path, the mode unlock changed back.
func (e *Executor) relock(fd int, path string, mode uint32) {
	if err := e.fs.Fchmod(fd, mode); err != nil {
		e.fail(itemPath(&walker.Dir{Path: path}, "", planner.KindDir), fmt.Errorf("chmod back to %04o: %w", mode, err))
	}
}

// unlisted holds, by path, the modes of the directories that would not
// let their owner list or search them: such a directory stays open to
// its owner (u+rwx) until the run ends, as the deferred deletes,
// --delay-updates and hard links reach it, and those below it, by path
// after its visit; finishUnlisted gives it the mode then.
type unlisted struct {
	mu    sync.Mutex
	modes map[string]uint32
}

// holdUnlisted keeps d's destination directory open to its owner when
// the mode it was given (or kept) would not let them list or search it.
func (e *Executor) holdUnlisted(d *walker.Dir) {
	if !e.modesBind || e.opts.DryRun || d.DstFd < 0 || d.Top() {
		return
	}
	e.unlisted.mu.Lock()
	defer e.unlisted.mu.Unlock()
	_, held := e.unlisted.modes[d.Path] // (the root, opened so by openRootDir)
	if want := d.Action.Src; !held && !d.Unlocked && (want == nil || want.Mode&0o500 == 0o500) {
		return // (listed, and given a mode that lets its owner in)
	}
	st, err := platform.Fstat(d.DstFd)
	mode := st.Mode & platform.ModePerm
	if err != nil || mode&0o500 == 0o500 {
		if !e.deletingPass { // (which gives no directory its attributes)
			delete(e.unlisted.modes, d.Path) // given a mode that lets its owner in
		}
		return
	}
	if e.fs.Fchmod(d.DstFd, mode|0o700) == nil {
		e.unlisted.hold(d.Path, mode)
	}
}

// hold notes the mode to give the directory at path when the run ends.
func (u *unlisted) hold(path string, mode uint32) {
	if u.modes == nil {
		u.modes = make(map[string]uint32)
	}
	u.modes[path] = mode
}

// openRootDir opens the destination directory dest (st), first opening
// it to its owner (u+rwx) when its mode would not let them list or
// search it and the run writes as an ordinary user; the mode is put back
// when the run ends (or the root's attributes set).
func (e *Executor) openRootDir(dest string, st platform.Stat) (int, error) {
	mode := st.Mode & platform.ModePerm
	if e.modesBind && !e.opts.DryRun && mode&0o500 != 0o500 && e.fs.Lchmodat(platform.CurrentDir, dest, mode|0o700) == nil {
		e.unlisted.hold("", mode)
	}
	fd, err := platform.OpenRoot(dest)
	if errors.Is(err, fs.ErrPermission) {
		if sfd, serr := platform.OpenDirSearchAt(platform.CurrentDir, dest, true); serr == nil {
			return sfd, nil // someone else's drop box (1733): searched, not listed (walker.ErrUnlisted)
		}
	}
	return fd, err
}

// rootMode is the mode the destination root had before openRootDir.
func (e *Executor) rootMode(have uint32) uint32 {
	if mode, ok := e.unlisted.modes[""]; ok {
		return mode
	}
	return have
}

// finishUnlisted gives the directories holdUnlisted kept open their
// modes, deeper ones first (a path sorts after those of the directories
// above it), while the path to each can still be searched. The root
// stays open when keepRoot is set (the walk the --delete-before pass
// comes before still lists it).
func (e *Executor) finishUnlisted(keepRoot bool) {
	e.unlisted.mu.Lock()
	defer e.unlisted.mu.Unlock()
	paths := slices.Sorted(maps.Keys(e.unlisted.modes))
	for _, p := range slices.Backward(paths) {
		if p == "" && keepRoot {
			continue
		}
		mode := e.unlisted.modes[p]
		delete(e.unlisted.modes, p)
		fd, err := e.openDst(cmp.Or(p, "."))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			e.fail(itemPath(&walker.Dir{Path: p}, "", planner.KindDir), fmt.Errorf("open to put back mode: %w", err))
		default:
			e.relock(fd, p, mode)
			platform.Close(fd)
		}
	}
}

// openWritable opens the file name in dirfd, expected to be want, for
// writing; one its owner may not write to is made writable first when
// the run is not root's, as rsync does for --inplace and --append (the
// attributes set after the data give it its mode back).
func (e *Executor) openWritable(dirfd int, name string, want *planner.Entry) (int, error) {
	fd, err := platform.OpenFileWriteAt(dirfd, name)
	if !errors.Is(err, fs.ErrPermission) || !e.modesBind || want.Mode&0o200 != 0 {
		return fd, err
	}
	if e.fs.Lchmodat(dirfd, name, want.Mode|0o200) != nil {
		return fd, err
	}
	fd, err = platform.OpenFileWriteAt(dirfd, name)
	if err != nil {
		_ = e.fs.Lchmodat(dirfd, name, want.Mode)
	}
	return fd, err
}

// whileWritable runs f again with the entry name in dirfd (dirfd itself
// when "") made writable by its owner, when its mode does not let it:
// an ordinary user's extended attributes of a read-only file can be set
// only so, and rsync does so. The mode is put back after.
func (e *Executor) whileWritable(dirfd int, name string, f func() error) error {
	st, err := lstatAt(dirfd, name)
	mode := st.Mode & platform.ModePerm
	if err != nil || mode&0o200 != 0 || st.Type() == platform.ModeSymlink {
		return f()
	}
	if err := chmodAt(e.fs, dirfd, name, mode|0o200); err != nil {
		return f()
	}
	defer func() { _ = chmodAt(e.fs, dirfd, name, mode) }()
	return f()
}

// unlockVisited unlocks d's destination directory for its visit; dirDone
// locks it again (relockVisited). One this run made is writable already.
func (e *Executor) unlockVisited(d *walker.Dir) {
	if !e.modesBind || e.opts.DryRun || d.DstFd < 0 || (d.Action.Op == planner.OpMkdir && d.Action.Dst == nil) {
		return
	}
	var mode uint32
	if a := d.Action.Dst; a != nil && a.Kind == planner.KindDir && d.Parent != nil && !d.Top() {
		mode = a.Mode
	} else if st, err := platform.Fstat(d.DstFd); err == nil {
		mode = st.Mode & platform.ModePerm
	} else {
		return
	}
	if d.Unlocked || e.unlock(d.DstFd, mode) {
		x := extOf(d)
		if x == nil {
			x = &dirExt{}
			d.Ext = x
		}
		x.relock, x.locked = mode, true
	}
}

// relockVisited puts back the mode unlockVisited changed, before the
// directory gets its own attributes (which may change it again).
func (e *Executor) relockVisited(d *walker.Dir) {
	if x := extOf(d); x != nil && x.locked {
		x.locked = false
		e.relock(d.DstFd, d.Path, x.relock)
	}
}

// lstatAt stats name in dirfd, never following a symlink, or dirfd
// itself when name is "".
func lstatAt(dirfd int, name string) (platform.Stat, error) {
	if name == "" {
		return platform.Fstat(dirfd)
	}
	return platform.Lstatat(dirfd, name)
}

// chmodAt sets the mode of name in dirfd through fs, or dirfd's own
// when name is "".
func chmodAt(fs fsys, dirfd int, name string, mode uint32) error {
	if name == "" {
		return fs.Fchmod(dirfd, mode)
	}
	return fs.Lchmodat(dirfd, name, mode)
}
