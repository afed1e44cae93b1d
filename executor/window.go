package executor

import (
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/walker"
)

// A directory wider than the walker's window is visited once per window
// of names. What rsync decides for a whole directory waits for its last
// window: deletes are carried out only when no window's listing failed
// (one failure holds back all of the directory's deletes, as when it is
// listed whole), after the check for an empty source root; their
// destination entries are copied, so that the windows' listings are not
// kept. A directory listed whole (one window: First and Last) is decided
// at once, from its plan.
type windowed struct {
	rules    planner.Filter
	rulesErr error
	kids     []*walker.Dir // a transfer root's subdirectories, until its last window
	// needed records that a window needed the missing destination
	// directory (reported once, by the first such window).
	needed bool
	dirTotals
}

// firstNeed reports whether this window is the first of d's to need its
// missing destination directory: the one to report it (the first window
// may have had nothing for it, its names all excluded).
func firstNeed(d *walker.Dir, p *walker.Pair) bool {
	if p.First && p.Last {
		return true
	}
	w := windowOf(d)
	first := !w.needed
	w.needed = true
	return first
}

// dirTotals is what a directory's deletes are decided on.
type dirTotals struct {
	deletes  []planner.Action
	held     bool // a plan held deletes back (a listing failed)
	src, dst int  // entries listed on each side
	srcErr   bool // the source listing failed
}

// windowOf returns d's window state, made at its first window, before
// any of d's subdirectories are handed out (they read d's state too),
// and dropped at its last (decided).
func windowOf(d *walker.Dir) *windowed {
	x := extOf(d)
	if x == nil {
		x = &dirExt{}
		d.Ext = x
	}
	if x.window == nil {
		x.window = &windowed{}
	}
	return x.window
}

// rulesFor returns d's filter rules: entered at its first window, the
// same ones after.
func (e *Executor) rulesFor(d *walker.Dir, p *walker.Pair) (planner.Filter, error) {
	if p.First && p.Last {
		return e.dirRules(d)
	}
	w := windowOf(d)
	if p.First {
		w.rules, w.rulesErr = e.dirRules(d)
	}
	return w.rules, w.rulesErr
}

// decided returns d's totals once its deletes can be decided: at once
// for a directory listed whole, at the last window otherwise.
func decided(d *walker.Dir, p *walker.Pair, plan *planner.DirPlan) (dirTotals, bool) {
	t := dirTotals{deletes: plan.Deletes, held: plan.DeletesHeld, src: len(p.Src.Entries),
		dst: len(p.Dst.Entries), srcErr: p.Src.Err != nil}
	if p.First && p.Last {
		return t, true
	}
	w := windowOf(d)
	w.held = w.held || t.held
	w.srcErr = w.srcErr || t.srcErr
	w.src += t.src
	w.dst += t.dst
	for _, a := range t.deletes {
		w.deletes = append(w.deletes, detached(a)) // the window's listing is not kept
	}
	if !p.Last {
		return dirTotals{}, false
	}
	t = w.dirTotals
	if t.held {
		t.deletes = nil
	}
	return t, true
}

// afterWindow returns the subdirectories to walk now, and drops d's
// window state at its last window. A transfer root listed in windows
// holds its subdirectories back until then when the empty-source guard
// may refuse: the guard, decided at the last window, must come before
// any delete below the root.
func (e *Executor) afterWindow(d *walker.Dir, p *walker.Pair, kids []*walker.Dir) []*walker.Dir {
	if p.First && p.Last {
		return kids
	}
	w := windowOf(d)
	if e.guards(d) {
		w.kids = append(w.kids, kids...)
		kids = nil
	}
	if p.Last {
		kids = append(kids, w.kids...)
		extOf(d).window = nil
	}
	return kids
}
