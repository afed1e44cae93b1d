package executor

import (
	"errors"
	"testing"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/walker"
)

func deletesOf(names ...string) []planner.Action {
	var as []planner.Action
	for _, n := range names {
		as = append(as, planner.Action{Op: planner.OpDelete, Name: n, Dst: &planner.Entry{Name: n}})
	}
	return as
}

// TestDecidedInWindows: a directory listed whole is decided at once; one
// listed in windows at its last window, with every window's deletes (in
// order, their entries copied) unless a window's listing failed, in which
// case none.
func TestDecidedInWindows(t *testing.T) {
	whole := &walker.Pair{First: true, Last: true}
	whole.Src.Entries = make([]planner.Entry, 2)
	plan := planner.DirPlan{Deletes: deletesOf("x")}
	if got, ok := decided(&walker.Dir{}, whole, &plan); !ok || len(got.deletes) != 1 || got.src != 2 {
		t.Fatalf("whole directory: %+v, %v", got, ok)
	}
	for _, failAt := range []int{-1, 0, 2} {
		d := &walker.Dir{}
		var got dirTotals
		for k, dels := range [][]string{{"a"}, {"b", "c"}, {}} {
			p := &walker.Pair{Dir: d, First: k == 0, Last: k == 2}
			p.Src.Entries = make([]planner.Entry, 1)
			p.Dst.Entries = make([]planner.Entry, 3)
			plan := planner.DirPlan{Deletes: deletesOf(dels...)}
			if k == failAt {
				p.Src.Err = errors.New("stat failed")
				plan = planner.DirPlan{DeletesHeld: true}
			}
			t2, ok := decided(d, p, &plan)
			if ok != p.Last {
				t.Fatalf("failAt %d, window %d: decided %v", failAt, k, ok)
			}
			(&Executor{}).afterWindow(d, p, nil)
			if len(plan.Deletes) > 0 {
				plan.Deletes[0].Dst.Name = "changed" // the window's listing is reused or freed
			}
			got = t2
		}
		var names []string
		for _, a := range got.deletes {
			names = append(names, a.Dst.Name)
		}
		switch {
		case got.src != 3 || got.dst != 9:
			t.Errorf("failAt %d: totals %d, %d", failAt, got.src, got.dst)
		case failAt >= 0 && (!got.held || !got.srcErr || len(names) != 0):
			t.Errorf("failAt %d: held %v srcErr %v deletes %q; want none", failAt, got.held, got.srcErr, names)
		case failAt < 0 && (got.held || len(names) != 3 || names[0] != "a" || names[1] != "b" || names[2] != "c"):
			t.Errorf("deletes %q held %v; want a b c", names, got.held)
		}
		if extOf(d).window != nil {
			t.Error("window state kept after the last window")
		}
	}
}

// TestRootKidsWaitForTheGuard: a transfer root listed in windows under
// --delete hands out its subdirectories at its last window, after the
// empty-source guard; any other directory at once.
func TestRootKidsWaitForTheGuard(t *testing.T) {
	e := &Executor{}
	e.pol.Delete = true
	root, inner := &walker.Dir{}, &walker.Dir{Parent: &walker.Dir{}}
	for _, c := range []struct {
		d      *walker.Dir
		handed []int // subdirectories handed out at each of three windows
	}{{root, []int{0, 0, 6}}, {inner, []int{1, 2, 3}}} {
		for k := range 3 {
			p := &walker.Pair{Dir: c.d, First: k == 0, Last: k == 2}
			kids := make([]*walker.Dir, k+1)
			if got := len(e.afterWindow(c.d, p, kids)); got != c.handed[k] {
				t.Errorf("root %v, window %d: %d subdirectories handed out, want %d", c.d == root, k, got, c.handed[k])
			}
		}
		if extOf(c.d).window != nil {
			t.Error("window state kept after the last window")
		}
	}
	whole := &walker.Pair{Dir: &walker.Dir{}, First: true, Last: true}
	if got := len(e.afterWindow(whole.Dir, whole, make([]*walker.Dir, 2))); got != 2 {
		t.Errorf("a directory listed whole: %d subdirectories handed out", got)
	}
}
