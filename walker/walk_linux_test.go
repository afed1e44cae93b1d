package walker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// recorder collects what a walk reports, safely from every lister.
type recorder struct {
	mu      sync.Mutex
	visits  map[string]int
	pairs   map[string]*Pair
	done    []string
	dirs    int // Dirs created: the root and every Child
	errs    map[string]error
	visitFn func(ctx context.Context, p *Pair) // extra behaviour, before planning
}

func newRecorder() *recorder {
	return &recorder{visits: map[string]int{}, pairs: map[string]*Pair{}, errs: map[string]error{}, dirs: 1}
}

func (r *recorder) options(workers int) Options {
	return Options{
		Workers: workers,
		OnError: func(path string, err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.errs[path] = err
		},
		OnDone: func(d *Dir) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.done = append(r.done, d.Path)
		},
	}
}

// visit records the pair, plans it with the real planner and walks into
// every subdirectory the plan names.
func (r *recorder) visit(pol planner.Policy) Visit {
	return func(ctx context.Context, p *Pair) []*Dir {
		if r.visitFn != nil {
			r.visitFn(ctx, p)
		}
		r.mu.Lock()
		r.visits[p.Dir.Path]++
		r.pairs[p.Dir.Path] = p
		r.mu.Unlock()
		plan := planner.PlanDir(p.Dir.Path, &p.Src, &p.Dst, pol)
		var children []*Dir
		for _, a := range plan.Subdirs {
			children = append(children, p.Dir.Child(a))
		}
		r.mu.Lock()
		r.dirs += len(children)
		r.mu.Unlock()
		return children
	}
}

var archive = planner.Policy{Recursive: true, Links: true, Perms: true, Times: true, Owner: true, Group: true,
	Devices: true, Specials: true}

// checkDoneOrder verifies OnDone ran once per visited directory, and for
// every directory after all of its descendants.
func (r *recorder) checkDoneOrder(t *testing.T) {
	t.Helper()
	at := map[string]int{}
	for i, p := range r.done {
		if _, dup := at[p]; dup {
			t.Errorf("OnDone(%q) called twice", p)
		}
		at[p] = i
	}
	if len(r.done) != r.dirs {
		t.Errorf("OnDone called %d times for %d directories: %q", len(r.done), r.dirs, r.done)
	}
	for p := range r.visits {
		if _, ok := at[p]; !ok {
			t.Errorf("OnDone never called for %q", p)
		}
	}
	for child, ci := range at {
		for anc, ai := range at {
			if anc != child && (anc == "" || strings.HasPrefix(child, anc+"/")) && ai < ci {
				t.Errorf("OnDone(%q) at %d before its descendant %q at %d", anc, ai, child, ci)
			}
		}
	}
}

func openRoot(t *testing.T, path string) int {
	t.Helper()
	fd, err := platform.OpenRoot(path)
	if err != nil {
		t.Fatal(err)
	}
	return fd
}

var initPoller sync.Once

// openFDs counts this process's open descriptors. The runtime's poller
// (an epoll and an eventfd) is started first, so that its lazy start is
// not mistaken for a leak.
func openFDs(t *testing.T) int {
	t.Helper()
	initPoller.Do(func() {
		if r, w, err := os.Pipe(); err == nil {
			r.Close()
			w.Close()
		}
	})
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		skipOrFail(t, "cannot count descriptors: %v", err)
	}
	return len(es)
}

// noLeaks fails the test if the walk left goroutines or descriptors
// behind. Call it first; it checks when the test ends.
func noLeaks(t *testing.T) {
	t.Helper()
	g, fds := runtime.NumGoroutine(), openFDs(t)
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > g && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > g {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines before the walk, %d after:\n%s", g, n, buf[:runtime.Stack(buf, true)])
		}
		if n := openFDs(t); n != fds {
			t.Errorf("%d descriptors open before the walk, %d after", fds, n)
		}
	})
}

// mkTree creates the files ("name"), directories ("name/") and symlinks
// ("name -> target") below root.
func mkTree(t *testing.T, root string, specs ...string) {
	t.Helper()
	for _, s := range specs {
		p := filepath.Join(root, s)
		var err error
		switch {
		case strings.Contains(s, " -> "):
			name, target, _ := strings.Cut(s, " -> ")
			p = filepath.Join(root, name)
			err = os.MkdirAll(filepath.Dir(p), 0o755)
			if err == nil {
				err = os.Symlink(target, p)
			}
		case strings.HasSuffix(s, "/"):
			err = os.MkdirAll(p, 0o755)
		default:
			err = os.MkdirAll(filepath.Dir(p), 0o755)
			if err == nil {
				err = os.WriteFile(p, []byte("content of "+s), 0o644)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func names(es []planner.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func dirNames(t *testing.T, path string) []string {
	t.Helper()
	es, err := os.ReadDir(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestWalkTree(t *testing.T) {
	for _, workers := range []int{1, 2, 8, 0} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			noLeaks(t)
			src, dst := t.TempDir(), t.TempDir()
			mkTree(t, src, "b", "a", "é", "a\nb", "\xff", "A/", "d1/x", "d1/d2/y", "d1/d2/d3/d4/", "d5/",
				"ln -> d1", "d1/rel -> ../b", "d1/abs -> /etc")
			mkTree(t, dst, "d1/extra", "d1/zz/deep", "gone/g", "b")
			r := newRecorder()
			Walk(context.Background(), Root{SrcFd: openRoot(t, src), DstFd: openRoot(t, dst)}, r.options(workers), r.visit(archive))

			want := []string{"", "A", "d1", "d1/d2", "d1/d2/d3", "d1/d2/d3/d4", "d5"}
			var got []string
			for p, n := range r.visits {
				got = append(got, p)
				if n != 1 {
					t.Errorf("%q visited %d times", p, n)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("visited %q, want %q", got, want)
			}
			for _, path := range want {
				p := r.pairs[path]
				if p.Dir.Path != path {
					t.Errorf("pair for %q has Path %q", path, p.Dir.Path)
				}
				if p.Src.Err != nil || p.Dst.Err != nil || p.Src.Missing {
					t.Errorf("%q: errors %v, %v, source missing %v", path, p.Src.Err, p.Dst.Err, p.Src.Missing)
				}
				if got, want := names(p.Src.Entries), dirNames(t, filepath.Join(src, path)); !slices.Equal(got, want) {
					t.Errorf("%q: source listing %q, want %q", path, got, want)
				}
				dstPath := filepath.Join(dst, path)
				_, statErr := os.Lstat(dstPath)
				if missing := errors.Is(statErr, os.ErrNotExist); p.Dst.Missing != missing {
					t.Errorf("%q: Dst.Missing = %v, want %v", path, p.Dst.Missing, missing)
				} else if !missing {
					if got, want := names(p.Dst.Entries), dirNames(t, dstPath); !slices.Equal(got, want) {
						t.Errorf("%q: destination listing %q, want %q", path, got, want)
					}
				} else if len(p.Dst.Entries) != 0 {
					t.Errorf("%q: missing destination lists %q", path, names(p.Dst.Entries))
				}
			}
			root := r.pairs[""]
			checkEntry(t, root.Src.Find("ln"), planner.KindSymlink, "d1", 2)
			checkEntry(t, r.pairs["d1"].Src.Find("rel"), planner.KindSymlink, "../b", 4)
			checkEntry(t, r.pairs["d1"].Src.Find("abs"), planner.KindSymlink, "/etc", 4)
			checkEntry(t, root.Src.Find("a\nb"), planner.KindFile, "", int64(len("content of a\nb")))
			checkEntry(t, root.Src.Find("d1"), planner.KindDir, "", -1)
			if len(r.errs) != 0 {
				t.Errorf("errors reported: %v", r.errs)
			}
			r.checkDoneOrder(t)
		})
	}
}

func checkEntry(t *testing.T, e *planner.Entry, kind planner.Kind, target string, size int64) {
	t.Helper()
	if e == nil {
		t.Errorf("entry missing")
		return
	}
	if e.Kind != kind || e.Target() != target || (size >= 0 && e.Size != size) {
		t.Errorf("entry %q: kind %v target %q size %d; want %v %q %d", e.Name, e.Kind, e.Target(), e.Size, kind, target, size)
	}
	if e.Ino == 0 || e.Nlink == 0 || e.Mtime == 0 {
		t.Errorf("entry %q lacks stat fields: %+v", e.Name, e)
	}
}

func TestWalkEntryFields(t *testing.T) {
	noLeaks(t)
	src := t.TempDir()
	mkTree(t, src, "f")
	f := filepath.Join(src, "f")
	mtime := time.Unix(1_600_000_000, 123456789)
	if err := syscall.Chmod(f, 0o4751); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(f, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(src, "p"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := newRecorder()
	Walk(context.Background(), Root{SrcFd: openRoot(t, src), DstFd: -1}, r.options(1), r.visit(archive))
	e := r.pairs[""].Src.Find("f")
	if e == nil || e.Kind != planner.KindFile || e.Mode != 0o4751 || e.Mtime != mtime.UnixNano() || e.Size != int64(len("content of f")) {
		t.Errorf("file entry %+v", e)
	}
	if p := r.pairs[""].Src.Find("p"); p == nil || p.Kind != planner.KindFIFO || p.Mode != 0o600 {
		t.Errorf("fifo entry %+v", p)
	}
}

func TestWalkMissingDestination(t *testing.T) {
	noLeaks(t)
	src := t.TempDir()
	mkTree(t, src, "a/b/c/f", "x/")
	r := newRecorder()
	Walk(context.Background(), Root{SrcFd: openRoot(t, src), DstFd: -1}, r.options(4), r.visit(archive))
	for _, path := range []string{"a", "a/b", "a/b/c", "x"} {
		p := r.pairs[path]
		if p == nil {
			t.Fatalf("%q not visited", path)
		}
		if !p.Dst.Missing || p.Dst.Err != nil || len(p.Dst.Entries) != 0 || p.Dir.DstFd != -1 {
			t.Errorf("%q: Dst = %+v, DstFd %d; want missing", path, p.Dst, p.Dir.DstFd)
		}
	}
	if got := names(r.pairs["a/b/c"].Src.Entries); !slices.Equal(got, []string{"f"}) {
		t.Errorf("a/b/c lists %q", got)
	}
	r.checkDoneOrder(t)
}

// A source named without a trailing slash: the root is its parent,
// listed for that one name, which takes the destination's name.
func TestWalkOnly(t *testing.T) {
	tests := []struct {
		name        string
		dstHasIt    bool
		wantDstRoot []string
	}{
		{name: "destination has the renamed entry", dstHasIt: true, wantDstRoot: []string{"renamed"}},
		{name: "destination lacks it", dstHasIt: false, wantDstRoot: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			parent, dst := t.TempDir(), t.TempDir()
			mkTree(t, parent, "tree/f", "tree/sub/g", "sibling/h", "tree2")
			mkTree(t, dst, "other/")
			if tc.dstHasIt {
				mkTree(t, dst, "renamed/sub/extra")
			}
			r := newRecorder()
			root := Root{SrcFd: openRoot(t, parent), DstFd: openRoot(t, dst), Only: "tree", OnlyDst: "renamed"}
			Walk(context.Background(), root, r.options(2), r.visit(archive))

			top := r.pairs[""]
			if top == nil || !top.Dir.Top() {
				t.Fatalf("top pair %+v", top)
			}
			if got := names(top.Src.Entries); !slices.Equal(got, []string{"renamed"}) {
				t.Errorf("top source listing %q, want [renamed]", got)
			}
			if got := names(top.Dst.Entries); !slices.Equal(got, tc.wantDstRoot) {
				t.Errorf("top destination listing %q, want %q", got, tc.wantDstRoot)
			}
			var got []string
			for p := range r.visits {
				got = append(got, p)
			}
			slices.Sort(got)
			if want := []string{"", "renamed", "renamed/sub"}; !slices.Equal(got, want) {
				t.Fatalf("visited %q, want %q", got, want)
			}
			d := r.pairs["renamed"].Dir
			if d.SrcName != "tree" || d.DstName != "renamed" || d.Top() {
				t.Errorf("child Dir: SrcName %q DstName %q Top %v", d.SrcName, d.DstName, d.Top())
			}
			if got := names(r.pairs["renamed"].Src.Entries); !slices.Equal(got, []string{"f", "sub"}) {
				t.Errorf("renamed lists %q", got)
			}
			if r.pairs["renamed"].Dst.Missing == tc.dstHasIt {
				t.Errorf("renamed: Dst.Missing = %v", r.pairs["renamed"].Dst.Missing)
			}
			if tc.dstHasIt {
				if got := names(r.pairs["renamed/sub"].Dst.Entries); !slices.Equal(got, []string{"extra"}) {
					t.Errorf("renamed/sub destination lists %q", got)
				}
			}
			r.checkDoneOrder(t)
		})
	}
}

// A directory that turns into something else between its parent's
// listing and its own opening: a file on the source side, a symlink (never
// followed) or a file on the destination side.
func TestWalkOpenErrors(t *testing.T) {
	noLeaks(t)
	src, dst, elsewhere := t.TempDir(), t.TempDir(), t.TempDir()
	mkTree(t, src, "s/f", "d/f", "e/f", "ok/f")
	mkTree(t, dst, "s/f", "d/f", "e/f", "ok/")
	mkTree(t, elsewhere, "secret")
	r := newRecorder()
	r.visitFn = func(ctx context.Context, p *Pair) {
		if p.Dir.Path != "" {
			return
		}
		replace := func(path string, mk func(string) error) {
			if err := os.RemoveAll(path); err != nil {
				t.Error(err)
			}
			if err := mk(path); err != nil {
				t.Error(err)
			}
		}
		writeFile := func(p string) error { return os.WriteFile(p, nil, 0o644) }
		replace(filepath.Join(src, "s"), writeFile)
		replace(filepath.Join(dst, "d"), func(p string) error { return os.Symlink(elsewhere, p) })
		replace(filepath.Join(dst, "e"), writeFile)
	}
	Walk(context.Background(), Root{SrcFd: openRoot(t, src), DstFd: openRoot(t, dst)}, r.options(2), r.visit(archive))

	s := r.pairs["s"]
	if s == nil || s.Src.Err == nil || !errors.Is(s.Src.Err, syscall.ENOTDIR) || len(s.Src.Entries) != 0 {
		t.Errorf("source turned file: Src = %+v", s.Src)
	}
	if got := names(s.Dst.Entries); !slices.Equal(got, []string{"f"}) || s.Dst.Err != nil {
		t.Errorf("source turned file: destination still listed? %q, %v", got, s.Dst.Err)
	}
	for _, name := range []string{"d", "e"} {
		p := r.pairs[name]
		if p.Dst.Err == nil || p.Dst.Missing || len(p.Dst.Entries) != 0 || p.Dir.DstFd >= 0 {
			t.Errorf("%s: destination %+v (fd %d), want an error", name, p.Dst, p.Dir.DstFd)
		}
		if got := names(p.Src.Entries); !slices.Equal(got, []string{"f"}) {
			t.Errorf("%s: source lists %q", name, got)
		}
		if _, ok := r.errs[name]; !ok {
			t.Errorf("no error reported for %q: %v", name, r.errs)
		}
	}
	if _, ok := r.errs["s"]; !ok {
		t.Errorf("no error reported for s: %v", r.errs)
	}
	if p := r.pairs["ok"]; p.Src.Err != nil || p.Dst.Err != nil {
		t.Errorf("ok: %v, %v", p.Src.Err, p.Dst.Err)
	}
	r.checkDoneOrder(t)
	// Deletes are held where a listing failed.
	for _, name := range []string{"s", "d", "e"} {
		p := r.pairs[name]
		if plan := planner.PlanDir(name, &p.Src, &p.Dst, planner.Policy{Recursive: true, Delete: true}); !plan.DeletesHeld || len(plan.Deletes) != 0 {
			t.Errorf("%s: plan %+v, want deletes held", name, plan)
		}
	}
}

// An entry that vanishes between readdir and stat is left out without
// making the listing partial.
func TestWalkVanishedEntry(t *testing.T) {
	noLeaks(t)
	src := t.TempDir()
	mkTree(t, src, "sub/a", "sub/b", "sub/c")
	r := newRecorder()
	var once sync.Once
	// Remove sub/b after the root is listed, before sub is: sub's listing
	// simply lacks it. (A true readdir/stat race cannot be forced here;
	// this checks the listing stays complete and error-free.)
	r.visitFn = func(ctx context.Context, p *Pair) {
		once.Do(func() { _ = os.Remove(filepath.Join(src, "sub/b")) })
	}
	Walk(context.Background(), Root{SrcFd: openRoot(t, src), DstFd: -1}, r.options(1), r.visit(archive))
	p := r.pairs["sub"]
	if got := names(p.Src.Entries); !slices.Equal(got, []string{"a", "c"}) || p.Src.Err != nil {
		t.Errorf("sub lists %q, %v", got, p.Src.Err)
	}
}

// As root, mode 000 does not stop reading a directory, so the test
// re-runs itself as an unprivileged user (nobody) when it can.
func TestWalkUnreadableDir(t *testing.T) {
	if os.Getenv("TREESYNC_WALKER_UNPRIVILEGED") == "" && os.Geteuid() == 0 {
		runUnprivileged(t, "TestWalkUnreadableDir")
		return
	}
	if os.Geteuid() == 0 {
		skipOrFail(t, "running as root: mode 000 does not block reads")
	}
	noLeaks(t)
	src := t.TempDir()
	mkTree(t, src, "locked/f", "open/g")
	if err := os.Chmod(filepath.Join(src, "locked"), 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(filepath.Join(src, "locked"), 0o755) })
	r := newRecorder()
	Walk(context.Background(), Root{SrcFd: openRoot(t, src), DstFd: -1}, r.options(2), r.visit(archive))
	p := r.pairs["locked"]
	if p == nil || !errors.Is(p.Src.Err, syscall.EACCES) || len(p.Src.Entries) != 0 {
		t.Fatalf("locked: %+v", p)
	}
	if _, ok := r.errs["locked"]; !ok {
		t.Errorf("no error reported for locked: %v", r.errs)
	}
	if got := names(r.pairs["open"].Src.Entries); !slices.Equal(got, []string{"g"}) {
		t.Errorf("open lists %q", got)
	}
	r.checkDoneOrder(t)
}

// runUnprivileged re-runs one test of this binary as uid/gid 65534.
func runUnprivileged(t *testing.T, test string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		skipOrFail(t, "running as root and cannot find the test binary: %v", err)
	}
	dir := t.TempDir()
	// t.TempDir's directory and its per-test parent are private (0700).
	for _, p := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(p, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "walker.test")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	// Every directory above dir must be searchable by nobody.
	for p := filepath.Dir(dir); p != "/"; p = filepath.Dir(p) {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm()&0o001 == 0 {
			skipOrFail(t, "running as root; %s is not searchable by an unprivileged user", p)
		}
	}
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), "TREESYNC_WALKER_UNPRIVILEGED=1", "TMPDIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	t.Logf("as nobody:\n%s", out)
	if err != nil {
		t.Errorf("unprivileged run: %v", err)
	}
	if strings.Contains(string(out), "--- SKIP") {
		t.Errorf("unprivileged run skipped")
	}
}

func TestWalkCancel(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			noLeaks(t)
			src, dst := t.TempDir(), t.TempDir()
			var specs []string
			for i := range 20 {
				for j := range 10 {
					specs = append(specs, fmt.Sprintf("d%02d/e%02d/f", i, j))
				}
			}
			mkTree(t, src, specs...)
			mkTree(t, dst, "d00/e00/", "d01/")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r := newRecorder()
			visits := 0
			r.visitFn = func(ctx context.Context, p *Pair) {
				r.mu.Lock()
				visits++
				if visits == 5 {
					cancel()
				}
				r.mu.Unlock()
			}
			fds := openFDs(t)
			finished := make(chan struct{})
			go func() {
				defer close(finished)
				Walk(ctx, Root{SrcFd: openRoot(t, src), DstFd: openRoot(t, dst)}, r.options(workers), r.visit(archive))
			}()
			select {
			case <-finished:
			case <-time.After(10 * time.Second):
				t.Fatal("Walk did not return after cancellation")
			}
			if n := openFDs(t); n != fds {
				t.Errorf("%d descriptors before the walk, %d after", fds, n)
			}
			if total := 1 + 20 + 200; len(r.visits) >= total {
				t.Errorf("visited all %d directories despite cancellation", len(r.visits))
			}
			// Every Dir made, visited or dropped, completed exactly once.
			r.checkDoneOrder(t)
		})
	}
}

// A tree whose paths exceed PATH_MAX is walked completely: everything is
// opened relative to its parent's descriptor.
func TestWalkDeeperThanPathMax(t *testing.T) {
	noLeaks(t)
	const levels, nameLen = 20, 250
	src := t.TempDir()
	fd := openRoot(t, src)
	var path []string
	for i := range levels {
		name := fmt.Sprintf("%03d", i) + strings.Repeat("n", nameLen-3)
		path = append(path, name)
		if err := syscall.Mkdirat(fd, name, 0o755); err != nil {
			t.Fatal(err)
		}
		next, err := platform.OpenDirAt(fd, name)
		if err != nil {
			t.Fatal(err)
		}
		_ = platform.Close(fd)
		fd = next
	}
	leaf, err := syscall.Openat(fd, "leaf", syscall.O_CREAT|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_ = syscall.Close(leaf)
	_ = platform.Close(fd)
	deepest := strings.Join(path, "/")
	if len(src)+len(deepest) <= 4096 {
		t.Fatalf("tree not deep enough: %d bytes", len(src)+len(deepest))
	}

	r := newRecorder()
	Walk(context.Background(), Root{SrcFd: openRoot(t, src), DstFd: -1}, r.options(3), r.visit(archive))
	if len(r.visits) != levels+1 {
		t.Errorf("visited %d directories, want %d", len(r.visits), levels+1)
	}
	p := r.pairs[deepest]
	if p == nil {
		t.Fatalf("deepest directory (%d bytes) not visited", len(deepest))
	}
	if p.Src.Err != nil || !slices.Equal(names(p.Src.Entries), []string{"leaf"}) {
		t.Errorf("deepest lists %q, %v", names(p.Src.Entries), p.Src.Err)
	}
	if len(r.errs) != 0 {
		t.Errorf("errors: %v", r.errs)
	}
	r.checkDoneOrder(t)
}

// Exclude keeps a source directory (a destination inside the source) out
// of the listing.
func TestWalkExclude(t *testing.T) {
	noLeaks(t)
	src := t.TempDir()
	mkTree(t, src, "a/f", "backup/old", "z")
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(src, "backup"), &st); err != nil {
		t.Fatal(err)
	}
	r := newRecorder()
	opts := r.options(2)
	opts.Exclude = &[2]uint64{uint64(st.Dev), st.Ino}
	Walk(context.Background(), Root{SrcFd: openRoot(t, src), DstFd: -1}, opts, r.visit(archive))
	if got := names(r.pairs[""].Src.Entries); !slices.Equal(got, []string{"a", "z"}) {
		t.Errorf("root lists %q, want [a z]", got)
	}
	if _, ok := r.visits["backup"]; ok {
		t.Error("excluded directory visited")
	}
}

// shmMount skips unless /dev/shm is a mount point of its own, which
// the -x tests need.
func shmMount(t *testing.T) {
	t.Helper()
	var dev, shm syscall.Stat_t
	if syscall.Stat("/dev", &dev) != nil || syscall.Stat("/dev/shm", &shm) != nil || dev.Dev == shm.Dev {
		skipOrFail(t, "/dev/shm is not a separate mount here")
	}
}

// onlyShm plans just the entry "shm", so the test never walks /dev.
func onlyShm(r *recorder) Visit {
	inner := r.visit(archive)
	return func(ctx context.Context, p *Pair) []*Dir {
		if p.Dir.Path == "" {
			p.Src.Entries = slices.DeleteFunc(p.Src.Entries, func(e planner.Entry) bool { return e.Name != "shm" })
		}
		return inner(ctx, p)
	}
}

func TestWalkOneFileSystemStopsAtMountPoint(t *testing.T) {
	shmMount(t)
	noLeaks(t)
	r := newRecorder()
	opts := r.options(2)
	opts.OneFileSystem = true
	Walk(context.Background(), Root{SrcFd: openRoot(t, "/dev"), DstFd: -1}, opts, onlyShm(r))
	p := r.pairs["shm"]
	if p == nil || !p.Dir.NoDescend || len(p.Src.Entries) != 0 {
		t.Errorf("mount point below the root: %+v", p)
	}
}

// rsync -x with a source that is itself a mount point, named without a
// trailing slash (`rsync -aix /dev/shm dst/`), copies its contents: the
// file system is the source's, not its parent's.
func TestWalkOneFileSystemSourceIsMountPoint(t *testing.T) {
	shmMount(t)
	noLeaks(t)
	probe, err := os.MkdirTemp("/dev/shm", "walker-test-")
	if err != nil {
		skipOrFail(t, "%v", err)
	}
	defer os.RemoveAll(probe)
	r := newRecorder()
	opts := r.options(2)
	opts.OneFileSystem = true
	root := Root{SrcFd: openRoot(t, "/dev"), DstFd: -1, Only: "shm", OnlyDst: "shm"}
	Walk(context.Background(), root, opts, r.visit(archive))
	p := r.pairs["shm"]
	if p == nil || p.Dir.NoDescend || p.Src.Find(filepath.Base(probe)) == nil {
		t.Errorf("source mount point not entered: %+v", p)
	}
}

func TestDirSourceName(t *testing.T) {
	d := &Dir{Only: "src", OnlyDst: "dst"}
	for _, tc := range []struct{ in, want string }{{"dst", "src"}, {"other", "other"}, {"src", "src"}} {
		if got := d.SourceName(tc.in); got != tc.want {
			t.Errorf("SourceName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if (&Dir{}).SourceName("x") != "x" || (&Dir{}).Top() {
		t.Error("plain Dir maps names or claims to be a top")
	}
}

// Each destination directory's DstDev is its own device, also across a
// mount point inside the destination (taken from the parent's listing,
// not from the parent's device).
func TestWalkDstDev(t *testing.T) {
	if os.Geteuid() != 0 {
		skipOrFail(t, "mounting a tmpfs needs root")
	}
	src, dst := t.TempDir(), t.TempDir()
	mkTree(t, src, "same/x", "m/y")
	mkTree(t, dst, "same/", "m/")
	if err := syscall.Mount("tmpfs", filepath.Join(dst, "m"), "tmpfs", 0, "size=1m"); err != nil {
		skipOrFail(t, "mount tmpfs: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(filepath.Join(dst, "m"), 0) })
	r := newRecorder()
	devs := map[string]uint64{}
	r.visitFn = func(_ context.Context, p *Pair) {
		r.mu.Lock()
		defer r.mu.Unlock()
		devs[p.Dir.Path] = p.Dir.DstDev
	}
	Walk(context.Background(), Root{SrcFd: openRoot(t, src), DstFd: openRoot(t, dst)}, r.options(2), r.visit(archive))
	for _, path := range []string{"", "same", "m"} {
		var st syscall.Stat_t
		if err := syscall.Stat(filepath.Join(dst, path), &st); err != nil {
			t.Fatal(err)
		}
		if got, ok := devs[path]; !ok || got != uint64(st.Dev) {
			t.Errorf("%q: DstDev %d (visited %v), want %d", path, got, ok, st.Dev)
		}
	}
	if devs["m"] == devs[""] {
		t.Errorf("the tmpfs mount point has the root's device %d", devs[""])
	}
}
