package executor

import (
	"sync"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// delayed is a finished copy waiting under its temporary name for the
// end of the run (--delay-updates).
type delayed struct {
	dir  string // root-relative directory
	tmp  string
	name string
	want *planner.Entry // what the name must still be (nil: nothing)
	temp bool           // tmp is in --temp-dir, not in dir
}

// delayedUpdates are the copies --delay-updates holds back, and, for -H,
// where each one waits, by its final root-relative path.
type delayedUpdates struct {
	mu     sync.Mutex
	list   []delayed
	byPath map[string]delayed
}

// delay holds a finished copy back until the end of the run.
func (e *Executor) delay(d *walker.Dir, tmp, name string, want *planner.Entry, temp bool) {
	u := &e.delayedUpds
	u.mu.Lock()
	defer u.mu.Unlock()
	p := delayed{dir: d.Path, tmp: tmp, name: name, want: want, temp: temp}
	u.list = append(u.list, p)
	if e.pol.HardLinks {
		if u.byPath == nil {
			u.byPath = make(map[string]delayed)
		}
		u.byPath[planner.Join(d.Path, name)] = p
	}
}

// delayedCopy returns the held copy of the root-relative path, if any.
func (e *Executor) delayedCopy(path string) (delayed, bool) {
	u := &e.delayedUpds
	u.mu.Lock()
	defer u.mu.Unlock()
	p, ok := u.byPath[path]
	return p, ok
}

// finishDelayed puts the held copies under their names in rapid
// succession, as rsync does at the end of a --delay-updates transfer,
// and gives each directory back the time the run set on it. A stopped
// run removes them instead.
func (e *Executor) finishDelayed() {
	u := &e.delayedUpds
	u.mu.Lock()
	list := u.list
	u.list = nil
	u.mu.Unlock()
	byDir := make(map[string][]delayed)
	var dirs []string
	for _, p := range list {
		if byDir[p.dir] == nil {
			dirs = append(dirs, p.dir)
		}
		byDir[p.dir] = append(byDir[p.dir], p)
	}
	for _, dir := range dirs {
		e.publishDelayed(dir, byDir[dir])
	}
}

// publishDelayed renames the held copies of one directory into place.
func (e *Executor) publishDelayed(dir string, list []delayed) {
	fd, err := e.openDst(dir)
	if err != nil {
		for _, p := range list {
			e.fail(planner.Join(dir, p.name), err)
		}
		return
	}
	defer platform.Close(fd)
	d := &walker.Dir{DstFd: fd, Path: dir}
	before, statErr := platform.Fstat(fd)
	if statErr == nil && e.unlock(fd, before.Mode&platform.ModePerm) {
		defer e.relock(fd, dir, before.Mode&platform.ModePerm)
	}
	for _, p := range list {
		from := fd
		if p.temp {
			from = e.tempFd
		}
		if err := e.commitTemp(d, from, p.tmp, p.name, p.want); err != nil && e.ctx.Err() == nil {
			e.fail(planner.Join(dir, p.name), err)
		}
	}
	if statErr == nil && e.pol.Times && !e.pol.OmitDirTimes {
		_ = e.fs.Futimes(fd, platform.OmitTime, before.Mtime)
	}
}
