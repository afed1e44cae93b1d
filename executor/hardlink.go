package executor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sync"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// linkGroup is one source inode with several names (-H). One member
// leads: its copy (or its destination, found up to date) is what the
// others are linked to once done is closed. Only files with nlink > 1
// get here, so the map grows with those alone.
type linkGroup struct {
	done   chan struct{}
	led    bool   // a member has claimed the lead
	ok     bool   // the leader's destination is in place
	path   string // the leader's path relative to the destination root
	dstIno uint64 // the leader's inode at the destination
	// held is, under --delay-updates, the leader's copy waiting under
	// its temporary name, which the others are linked to (ok: one is).
	held   delayed
	isHeld bool
}

// linkMap holds the groups met so far, and the members parked until the
// walk is over: a member that needs its data copied, met before any
// member led, waits (its directory held open) in case a later member is
// up to date at the destination — then the others are linked to that one
// instead of to a new copy, as rsync links a new name to an existing file.
type linkMap struct {
	mu     sync.Mutex
	m      map[[2]uint64]*linkGroup
	parked []parkedLink
	dirs   map[*walker.Dir]bool // directories held for parked members
	final  bool                 // the walk is over: nobody parks any more
}

type parkedLink struct {
	d   *walker.Dir
	a   planner.Action
	ref bool // a reference tree has a file of its name (hasRef)
}

// memberState is what claim weighs of a member: whether its destination
// is current, whether it may park, and whether a reference tree has a
// file of its name (hasRef).
type memberState struct{ current, canPark, ref bool }

// maxParkedDirs bounds the directories held open for parked members (two
// descriptors each); past it, members lead as they come.
const maxParkedDirs = 256

type linkRole uint8

const (
	roleFollow linkRole = iota // link to the leader once it is done
	roleLead                   // copy or check this member, then release the others
	rolePark                   // parked until the walk is over
)

// claim returns the group of a's source inode and a's role in it. A
// member whose destination is current leads a group nobody leads yet; one
// that needs data parks when s.canPark allows, else (or once the walk is
// over, or too many directories are held) leads.
func (l *linkMap) claim(d *walker.Dir, a planner.Action, s memberState) (*linkGroup, linkRole) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[[2]uint64]*linkGroup)
	}
	k := [2]uint64{a.Src.Dev, a.Src.Ino}
	g, ok := l.m[k]
	if !ok {
		g = &linkGroup{done: make(chan struct{})}
		l.m[k] = g
	}
	switch {
	case g.led:
		return g, roleFollow
	case !s.current && s.canPark && !l.final && l.park(d, a, s.ref):
		return g, rolePark
	}
	g.led = true
	return g, roleLead
}

// park holds d for a parked member, unless too many directories are held.
func (l *linkMap) park(d *walker.Dir, a planner.Action, ref bool) bool {
	if l.dirs == nil {
		l.dirs = make(map[*walker.Dir]bool)
	}
	if !l.dirs[d] && len(l.dirs) >= maxParkedDirs {
		return false
	}
	l.dirs[d] = true
	d.Hold()
	l.parked = append(l.parked, parkedLink{d: d, a: detached(a), ref: ref})
	return true
}

// unpark ends parking and returns the parked members, those with a file
// of their name at the destination or in a reference tree first: where a
// group has one, it leads: updated in place, keeping its inode (and,
// without -p, its permissions), or linked or copied from its reference.
// rsync starts the member it meets first that has either, and makes
// those with neither wait for the group's last name.
func (l *linkMap) unpark() []parkedLink {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.final = true
	parked := make([]parkedLink, 0, len(l.parked))
	for _, withFile := range []bool{true, false} {
		for _, p := range l.parked {
			if (p.ref || (p.a.Dst != nil && p.a.Dst.Kind == planner.KindFile)) == withFile {
				parked = append(parked, p)
			}
		}
	}
	l.parked, l.dirs = nil, nil
	return parked
}

// upToDate reports a member whose destination file needs no data: the
// planner found it current (an attribute fix at most).
func upToDate(a planner.Action) bool {
	return a.Op == planner.OpMeta && a.Dst != nil && a.Dst.Kind == planner.KindFile
}

// verifiedMember compares a member whose contents decide whether it is
// current (-c, or the same size at another time): when they match it is
// current, its attributes to fix at most, and may lead its group, as
// rsync -c takes a member whose checksum matches. One that differs where
// --append leaves it as it is (KeepIfDiffers) is no member at all: errKept,
// and the group's other names are copied and linked without it, as rsync.
func (e *Executor) verifiedMember(d *walker.Dir, a planner.Action) (planner.Action, error) {
	if !a.Verify || a.Dst == nil || a.Dst.Kind != planner.KindFile || !e.mayFixInPlace(a, a.Change) {
		return a, nil
	}
	open := e.fs.OpenFileAt
	if a.Src.Followed {
		open = platform.OpenFileFollowAt
	}
	src, err := open(d.SrcFd, d.SourceName(a.Name))
	if err != nil {
		return a, nil // the copy meets and reports it
	}
	defer platform.Close(src)
	same, err := e.sameContent(d, a, src)
	switch {
	case err == nil && same:
		a.Op, a.Verify, a.Change = planner.OpMeta, false, e.sameChange(a.Change) // (as copyFile's keepSame)
	case err == nil && a.KeepIfDiffers:
		return a, errKept
	}
	return a, nil
}

// doHardLink handles a member of a hard-link group.
func (e *Executor) doHardLink(d *walker.Dir, a planner.Action) (parked bool, err error) {
	a, err = e.verifiedMember(d, a)
	if err != nil {
		return false, err
	}
	// Parking waits for a member elsewhere to start from: current at the
	// destination, or with a reference; a destination with nothing listed
	// yet (a first mirror) and no reference trees has none to wait for.
	canPark := e.del.dstSeen.Load() > 0 || len(e.alt.roots) > 0
	g, role := e.links.claim(d, a, memberState{current: upToDate(a), canPark: canPark, ref: e.hasRef(d, a)})
	switch role {
	case rolePark:
		return true, nil
	case roleLead:
		return false, e.leadGroup(d, a, g)
	}
	select {
	case <-g.done:
	case <-e.ctx.Done():
		return false, e.ctx.Err()
	}
	if !g.ok {
		return false, e.doPlain(d, a) // the first copy failed: this one stands alone
	}
	if a.Dst != nil && a.Dst.Kind == planner.KindFile && a.Dst.Ino == g.dstIno {
		if e.opts.ItemizeAll && a.Change == 0 { // (-ii: rsync's "hf" line, with no target)
			e.printLine(item{op: planner.OpLink, kind: planner.KindFile, path: itemPath(d, a.Name, planner.KindFile), ent: a.Src})
		}
		return false, nil // already linked as in the source
	}
	return false, e.linkTo(d, a, g)
}

// hasRef reports a reference tree (--link-dest, --copy-dest,
// --clone-dest) with a regular file of a's name, where the destination
// has none: a member of a hard-link group rsync starts from it (linked,
// copied, or sent against it) rather than wait for the group's last name.
func (e *Executor) hasRef(d *walker.Dir, a planner.Action) bool {
	if len(e.alt.roots) == 0 || e.opts.AltMode == AltCompare || (a.Dst != nil && a.Dst.Kind == planner.KindFile) {
		return false
	}
	for _, fd := range e.altFds(d) {
		if fd < 0 {
			continue
		}
		if st, err := platform.Lstatat(fd, a.Name); err == nil && st.IsRegular() {
			return true
		}
	}
	return false
}

// resolveLinks runs, once a walk is over, the members parked during it:
// each links to its group's leader, or the first to get there leads.
// The first parked member of a group nobody leads goes first, alone, so
// that it leads whatever the order the workers take the others in.
func (e *Executor) resolveLinks(ctx context.Context) {
	parked := e.links.unpark()
	first := make(map[[2]uint64]bool)
	var rest []parkedLink
	for _, p := range parked {
		k := [2]uint64{p.a.Src.Dev, p.a.Src.Ino}
		if first[k] || e.links.led(k) {
			rest = append(rest, p)
			continue
		}
		first[k] = true
		e.runParked(ctx, p)
	}
	e.waitIdle()
	for _, p := range rest {
		e.runParked(ctx, p)
	}
}

func (e *Executor) runParked(ctx context.Context, p parkedLink) {
	if ctx.Err() == nil {
		e.submit(ctx, task{d: p.d, items: []planner.Action{p.a}})
	}
	p.d.Release() // the hold of parking; submit holds it while queued
}

// led reports whether the group of source inode k has a leader.
func (l *linkMap) led(k [2]uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	g, ok := l.m[k]
	return ok && g.led
}

// known reports whether a member of the group of source inode k was met.
func (l *linkMap) known(k [2]uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.m[k]
	return ok
}

// namesRemoved reports a source file listed with one link that belongs
// to a group met before: --remove-source-files removed its other names
// after they were copied (a directory listed later, or a later window of
// one), and it is still to be linked to them.
func (e *Executor) namesRemoved(a planner.Action) bool {
	return e.opts.RemoveSourceFiles && e.pol.HardLinks && a.Src != nil && a.Src.Kind == planner.KindFile &&
		a.Src.Nlink == 1 && e.links.known([2]uint64{a.Src.Dev, a.Src.Ino})
}

// leadGroup copies (or checks) the group's first member and publishes
// where its copy lives.
func (e *Executor) leadGroup(d *walker.Dir, a planner.Action, g *linkGroup) error {
	defer close(g.done)
	if err := e.leadPlain(d, a); err != nil {
		return err
	}
	g.path = planner.Join(d.Path, a.Name)
	if e.opts.DryRun {
		if upToDate(a) {
			g.dstIno = a.Dst.Ino // kept: the names linked to it already stay so
		}
		g.ok = true
		return nil
	}
	dirfd, name := d.DstFd, a.Name
	if g.held, g.isHeld = e.delayedCopy(g.path); g.isHeld {
		dirfd, name = e.heldDir(d.DstFd, g.held), g.held.tmp
	}
	st, err := platform.Lstatat(dirfd, name)
	if errors.Is(err, fs.ErrNotExist) && e.opts.AltMode == AltCompare {
		return nil // left out, its reference standing for it: each other name is on its own
	}
	if err != nil {
		return fmt.Errorf("stat copy: %w", err)
	}
	g.dstIno, g.ok = st.Ino, true
	return nil
}

// leadPlain does the leader's own work: an existing file an exact match
// in a --link-dest tree makes redundant (Action.AltExact) becomes a link
// to it, and so the group's other names, as rsync links them; else
// doPlain.
func (e *Executor) leadPlain(d *walker.Dir, a planner.Action) error {
	if a.AltExact && e.opts.AltMode == AltLink {
		handled, err := e.redundantFile(d, a)
		if err == nil && handled {
			e.printSettled(d, a, e.settledOp(true))
		}
		if err != nil || handled {
			return err
		}
	}
	return e.doPlain(d, a)
}

// heldDir is the directory a held copy waits in: --temp-dir, or its own
// (dirfd).
func (e *Executor) heldDir(dirfd int, p delayed) int {
	if p.temp {
		return e.tempFd
	}
	return dirfd
}

// linkTo makes a.Name in d a hard link to the group's copy, replacing
// what is there atomically (link to a temporary, then rename).
func (e *Executor) linkTo(d *walker.Dir, a planner.Action, g *linkGroup) error {
	p := itemPath(d, a.Name, planner.KindFile)
	change := a.Change // rsync shows what differs from the file replaced,
	switch {
	case a.Dst == nil || a.Dst.Kind == planner.KindDir:
		change |= planner.ChangeNew
	case a.Dst.Kind != planner.KindFile: // or from the symlink or special file
		change = e.changeFrom(a.Src, a.Dst)
	}
	want, err := e.makeWay(d, a)
	if err != nil {
		return err
	}
	if e.opts.DryRun {
		e.noteLinked(a)
		e.print(item{op: planner.OpLink, kind: planner.KindFile, change: change, path: p, target: g.path, ent: a.Src})
		return nil
	}
	dir, name := path.Split(g.path)
	if g.isHeld {
		dir, name = g.held.dir, g.held.tmp
	}
	from, err := e.openDst(dir)
	if err != nil {
		return fmt.Errorf("open %s to link: %w", dir, err)
	}
	defer platform.Close(from)
	if g.isHeld {
		from = e.heldDir(from, g.held)
	}
	tmp, err := withTempName(func(tmp string) error { return e.fs.Linkat(from, name, d.DstFd, tmp) })
	if err != nil {
		return fmt.Errorf("link to %s: %w", g.path, err)
	}
	if e.opts.DelayUpdates {
		e.delay(d, tmp, a.Name, want, false) // in place with the others at the end
	} else if err := e.commit(d, tmp, a.Name, want); err != nil {
		return err
	}
	e.noteLinked(a)
	e.print(item{op: planner.OpLink, kind: planner.KindFile, change: change, path: p, target: g.path, ent: a.Src})
	return nil
}

// noteLinked counts a name linked to its group's copy as created
// (--stats) where its line says so (linkTo): the destination had nothing
// of that name, or a directory; as rsync counts, whose lines say so too.
// One replacing a file, symlink or special file is itemized by what
// differs from it, and not counted (rsync's, which may link other
// members, shows such a one as new where it links it while copying the
// group's file: seed 6035).
func (e *Executor) noteLinked(a planner.Action) {
	if a.Dst == nil || a.Dst.Kind == planner.KindDir {
		e.stats.Created.add(planner.KindFile)
	}
}
