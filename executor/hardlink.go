package executor

import (
	"fmt"
	"path"
	"sync"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// linkGroup is one source inode with several names (-H). Its first member
// to reach a copy worker is copied; the others wait for it and are linked
// to the copy. Only files with nlink > 1 get here, so the map grows with
// those alone.
type linkGroup struct {
	done   chan struct{}
	ok     bool
	path   string // the copy's path relative to the destination root
	dstIno uint64 // the copy's inode at the destination
}

type linkMap struct {
	mu sync.Mutex
	m  map[[2]uint64]*linkGroup
}

// claim returns the group of e and whether the caller leads it.
func (l *linkMap) claim(e *planner.Entry) (*linkGroup, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[[2]uint64]*linkGroup)
	}
	k := [2]uint64{e.Dev, e.Ino}
	if g, ok := l.m[k]; ok {
		return g, false
	}
	g := &linkGroup{done: make(chan struct{})}
	l.m[k] = g
	return g, true
}

// doHardLink handles a member of a hard-link group.
func (e *Executor) doHardLink(d *walker.Dir, a planner.Action) error {
	g, leader := e.links.claim(a.Src)
	if leader {
		return e.leadGroup(d, a, g)
	}
	select {
	case <-g.done:
	case <-e.ctx.Done():
		return e.ctx.Err()
	}
	if !g.ok {
		return e.doPlain(d, a) // the first copy failed: this one stands alone
	}
	if a.Dst != nil && a.Dst.Kind == planner.KindFile && a.Dst.Ino == g.dstIno && !e.opts.DryRun {
		return nil // already linked as in the source
	}
	return e.linkTo(d, a, g)
}

// leadGroup copies (or checks) the group's first member and publishes
// where its copy lives.
func (e *Executor) leadGroup(d *walker.Dir, a planner.Action, g *linkGroup) error {
	defer close(g.done)
	if err := e.doPlain(d, a); err != nil {
		return err
	}
	g.path = planner.Join(d.Path, a.Name)
	if e.opts.DryRun {
		g.ok = true
		return nil
	}
	st, err := platform.Lstatat(d.DstFd, a.Name)
	if err != nil {
		return fmt.Errorf("stat copy: %w", err)
	}
	g.dstIno, g.ok = st.Ino, true
	return nil
}

// linkTo makes a.Name in d a hard link to the group's copy, replacing
// what is there atomically (link to a temporary, then rename).
func (e *Executor) linkTo(d *walker.Dir, a planner.Action, g *linkGroup) error {
	p := itemPath(d, a.Name, planner.KindFile)
	if e.opts.DryRun {
		e.print(planner.OpLink, planner.KindFile, a.Change|planner.ChangeNew, p, g.path)
		return nil
	}
	want, err := e.makeWay(d, a)
	if err != nil {
		return err
	}
	dir, name := path.Split(g.path)
	from, err := platform.OpenBeneath(e.rootFd, dir)
	if err != nil {
		return fmt.Errorf("open %s to link: %w", dir, err)
	}
	defer platform.Close(from)
	tmp, err := withTempName(func(tmp string) error { return e.fs.Linkat(from, name, d.DstFd, tmp) })
	if err != nil {
		return fmt.Errorf("link to %s: %w", g.path, err)
	}
	if err := e.commit(d, tmp, a.Name, want); err != nil {
		return err
	}
	e.print(planner.OpLink, planner.KindFile, a.Change|planner.ChangeNew, p, g.path)
	return nil
}
