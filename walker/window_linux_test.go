package walker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWindow(t *testing.T) {
	for _, c := range []struct {
		src, dst []string
		max      int
		i, j     int
	}{
		{[]string{"a", "b"}, []string{"c"}, 3, 2, 1},                // fits: all
		{[]string{"a", "c", "e"}, []string{"b", "d"}, 3, 2, 1},      // a b c
		{[]string{"a", "b", "c"}, []string{"a", "b", "c"}, 3, 2, 2}, // a pair is never split
		{nil, []string{"a", "b", "c", "d"}, 2, 0, 2},
		{[]string{"a", "b", "c", "d"}, nil, 2, 2, 0},
	} {
		if i, j := window(c.src, c.dst, c.max); i != c.i || j != c.j {
			t.Errorf("window(%q, %q, %d) = %d, %d; want %d, %d", c.src, c.dst, c.max, i, j, c.i, c.j)
		}
	}
}

// TestWalkInWindows lists a directory wider than the window: every name
// of each side reaches the visits once, in name order, both sides of a
// name in the same visit, First on the first visit and Last on the last
// only; the subdirectories are walked and the directory completes after
// them.
func TestWalkInWindows(t *testing.T) {
	noLeaks(t)
	src, dst := t.TempDir(), t.TempDir()
	for i := range 23 {
		name := fmt.Sprintf("f%02d", i)
		if i%3 != 2 {
			mustWrite(t, filepath.Join(src, name))
		}
		if i%2 == 0 {
			mustWrite(t, filepath.Join(dst, name))
		}
	}
	for _, sub := range []string{"d05", "d11"} {
		if err := os.MkdirAll(filepath.Join(src, sub, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r := newRecorder()
	var visits []Pair
	r.visitFn = func(_ context.Context, p *Pair) {
		if p.Dir.Path == "" {
			visits = append(visits, *p) // one lister visits a directory's windows in turn
		}
	}
	opts := r.options(2)
	opts.Window = 4
	Walk(context.Background(), Root{SrcFd: openRoot(t, src), DstFd: openRoot(t, dst)}, opts, r.visit(archive))
	if len(visits) < 5 {
		t.Fatalf("%d visits of the root, want one per window of at most 5 names", len(visits))
	}
	var gotSrc, gotDst []string
	for k, p := range visits {
		if p.First != (k == 0) || p.Last != (k == len(visits)-1) {
			t.Errorf("visit %d: First %v Last %v", k, p.First, p.Last)
		}
		if n := len(p.Src.Entries) + len(p.Dst.Entries); n > 5 {
			t.Errorf("visit %d holds %d entries", k, n)
		}
		for _, e := range p.Src.Entries {
			gotSrc = append(gotSrc, e.Name)
		}
		for _, e := range p.Dst.Entries {
			gotDst = append(gotDst, e.Name)
			if k+1 < len(visits) && len(visits[k+1].Src.Entries) > 0 && visits[k+1].Src.Entries[0].Name <= e.Name {
				t.Errorf("destination %q in visit %d, source names up to it in the next", e.Name, k)
			}
		}
	}
	wantSrc, wantDst := dirNames(t, src), dirNames(t, dst)
	if !slices.Equal(gotSrc, wantSrc) || !slices.Equal(gotDst, wantDst) {
		t.Errorf("names visited:\n src %q\n dst %q\nwant\n src %q\n dst %q", gotSrc, gotDst, wantSrc, wantDst)
	}
	if r.visits["d05"] != 1 || r.visits["d11"] != 1 || r.visits["d05/x"] != 1 {
		t.Errorf("subdirectories visited: %v", r.visits)
	}
	r.checkDoneOrder(t)
}

func mustWrite(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWindowsStopWithTheRun: once the walk's context ends, a directory in
// windows gets one more visit, its last, with nothing listed in it, so
// that the visitor can close it without planning more.
func TestWindowsStopWithTheRun(t *testing.T) {
	noLeaks(t)
	src := t.TempDir()
	for i := range 10 {
		mustWrite(t, filepath.Join(src, fmt.Sprintf("f%d", i)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := newRecorder()
	var visits []Pair
	r.visitFn = func(_ context.Context, p *Pair) {
		visits = append(visits, *p)
		cancel() // during the first window's visit
	}
	opts := r.options(1)
	opts.Window = 3
	Walk(ctx, Root{SrcFd: openRoot(t, src), DstFd: -1}, opts, r.visit(archive))
	if len(visits) != 2 {
		t.Fatalf("%d visits, want the first window and an empty last one", len(visits))
	}
	if p := visits[1]; !p.Last || p.First || len(p.Src.Entries)+len(p.Dst.Entries) != 0 {
		t.Errorf("second visit: First %v Last %v, %d entries", p.First, p.Last, len(p.Src.Entries)+len(p.Dst.Entries))
	}
	if len(r.done) != 1 {
		t.Errorf("OnDone ran %d times, want once", len(r.done))
	}
}
