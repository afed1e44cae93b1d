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
	if !e.modesBind || d.DstFd < 0 || d.Top() {
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
	if e.modesBind && mode&0o500 != 0o500 && e.fs.Lchmodat(platform.CurrentDir, dest, mode|0o700) == nil {
		e.unlisted.hold("", mode)
	}
	fd, err := e.openOperatorDir(dest)
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
