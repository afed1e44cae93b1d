package executor

import (
	"errors"
	"fmt"
	"io/fs"

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
// given its mode back likewise (unlisted.go).

// unlock gives the open directory fd, whose permission bits are mode,
// u+rwx when they do not let its owner list, search and write in it, and
// reports whether it did (relock puts mode back).
func (e *Executor) unlock(fd int, mode uint32) bool {
	if !e.modesBind || fd < 0 || mode&0o700 == 0o700 {
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
	if errors.Is(err, fs.ErrPermission) && e.modesBind {
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

// openWritable opens the file name in dirfd for writing; one its owner
// may not write to is made writable first when the run is not root's, as
// rsync does for --inplace and --append, and
// given its mode back as soon as it is open (the descriptor stays
// writable): a run stopped while writing it leaves its mode as it was
// (seed 86029, stopped by SIGTERM in an --append-verify as uid 65534:
// left 0644 for good without -p). The real mode is the one that binds,
// read again here: under --fake-super want's is the one kept in xattrs,
// and a file the run did not make may be read-only (seed 2965 as uid
// 65534: --inplace failed on a 0444 file rsync updated).
func (e *Executor) openWritable(dirfd int, name string, _ *planner.Entry) (int, error) {
	fd, err := platform.OpenFileWriteAt(dirfd, name)
	if !errors.Is(err, fs.ErrPermission) || e.euid == 0 {
		return fd, err
	}
	st, serr := platform.Lstatat(dirfd, name)
	mode, chmod := st.Mode&platform.ModePerm, e.fs.Lchmodat
	if e.pol.FakeSuper {
		chmod = platform.Lchmodat // (the real mode: fakeSuperFS keeps modes in xattrs)
	}
	if serr != nil || mode&0o200 != 0 || chmod(dirfd, name, mode|0o200) != nil {
		return fd, err
	}
	fd, err = platform.OpenFileWriteAt(dirfd, name)
	_ = chmod(dirfd, name, mode)
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
	if !e.modesBind || d.DstFd < 0 || (d.Action.Op == planner.OpMkdir && d.Action.Dst == nil) {
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
