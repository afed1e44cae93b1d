//go:build linux

package e2e

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/treesync/treesync/e2e/tree"
)

// seeds is how many random trees TestRandomTreesVsRsync tries:
// TREESYNC_E2E_SEEDS (make fuzz sets many), else 5.
func seeds() int {
	if n, err := strconv.Atoi(os.Getenv("TREESYNC_E2E_SEEDS")); err == nil && n > 0 {
		return n
	}
	return 5
}

// randName returns a name with odd bytes now and then (newline, tab,
// invalid UTF-8, spaces), never "/" or NUL, unique within its directory.
func randName(r *rand.Rand, i int) string {
	odd := []string{"", " space", "\ttab", "\nnewline", "\xff\xfe", "é", "-dash", ".dot", "#hash"}
	return fmt.Sprintf("n%d%s", i, odd[r.IntN(len(odd))])
}

// randTree builds a seeded random tree: directories, files of random
// sizes (some sparse), symlinks, hard links and fifos, with random modes
// and whole-second mtimes (rsync compares seconds).
func randTree(r *rand.Rand, dirs int) []tree.Node {
	var nodes []tree.Node
	var files []string
	paths := []string{"."}
	for i := range dirs * 6 {
		parent := paths[r.IntN(len(paths))]
		p := filepath.Join(parent, randName(r, i))
		mtime := tree.At(int64(1e6+r.IntN(1e6)), 0)
		switch k := r.IntN(10); {
		case k < 2 && len(paths) < dirs:
			nodes = append(nodes, tree.Node{Path: p, Kind: tree.Dir, Mode: []uint32{0o755, 0o700, 0o2775, 0o1777}[r.IntN(4)], Mtime: mtime})
			paths = append(paths, p)
		case k < 6:
			nodes = append(nodes, randFile(r, p, mtime))
			files = append(files, p)
		case k < 7 && len(files) > 0:
			nodes = append(nodes, tree.Node{Path: p, Kind: tree.Hardlink, Target: files[r.IntN(len(files))]})
		case k < 9:
			nodes = append(nodes, tree.Node{Path: p, Kind: tree.Symlink, Target: randName(r, r.IntN(100)), Mtime: mtime})
		default:
			nodes = append(nodes, tree.Node{Path: p, Kind: tree.Fifo, Mode: 0o640, Mtime: mtime})
		}
	}
	return nodes
}

func randFile(r *rand.Rand, p string, mtime time.Time) tree.Node {
	data := make([]byte, []int{0, 1, 100, 4096, 70000}[r.IntN(5)])
	for i := range data {
		data[i] = byte(r.IntN(256))
	}
	n := tree.Node{Path: p, Data: data, Mode: []uint32{0o644, 0o600, 0o755, 0o4755, 0o444}[r.IntN(5)], Mtime: mtime}
	if r.IntN(6) == 0 {
		n.Size = int64(len(data)) + int64(r.IntN(8<<20)) // a trailing hole
	}
	return n
}

// mutate changes a built tree at random: rewrites, removals, new files.
func mutate(t *testing.T, r *rand.Rand, root string, nodes []tree.Node) {
	t.Helper()
	for i, n := range nodes {
		p := filepath.Join(root, n.Path)
		switch r.IntN(8) {
		case 0:
			_ = os.RemoveAll(p)
		case 1:
			if n.Kind == tree.File {
				f := randFile(r, n.Path, tree.At(int64(3e6+i), 0))
				f.Kind = tree.File
				_ = os.Remove(p)
				build(t, root, []tree.Node{f})
			}
		case 2:
			if _, err := os.Lstat(filepath.Dir(p)); err == nil {
				build(t, root, []tree.Node{randFile(r, n.Path+".new", tree.At(int64(4e6+i), 0))})
			}
		}
	}
}

// TestRandomTreesVsRsync mirrors seeded random trees with treesync -aH
// and rsync -aH, then mutates each source and resyncs both with --delete:
// every time both destinations must be identical, attribute by attribute.
// Odd seeds list and plan every directory three names at a time, as a
// directory wider than the walker's window is.
func TestRandomTreesVsRsync(t *testing.T) {
	for seed := range seeds() {
		t.Run("seed"+strconv.Itoa(seed), func(t *testing.T) {
			if seed%2 == 1 {
				t.Setenv("TREESYNC_LIST_WINDOW", "3")
			}
			r := rand.New(rand.NewPCG(uint64(seed), 42))
			dir := t.TempDir()
			src, dst, ref := filepath.Join(dir, "src"), filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
			nodes := randTree(r, 12)
			build(t, src, nodes)
			wholeSecondDirs(t, src)
			mustRun(t, treesync, "-aH", src+"/", dst+"/")
			mustRun(t, rsync, "-aH", src+"/", ref+"/")
			noDiff(t, "rsync -aH vs treesync -aH", ref, dst, tree.Options{})
			mutate(t, r, src, nodes)
			wholeSecondDirs(t, src)
			mustRun(t, treesync, "-aH", "--delete", src+"/", dst+"/")
			mustRun(t, rsync, "-aH", "--delete", src+"/", ref+"/")
			noDiff(t, "after mutation: rsync -aH --delete vs treesync", ref, dst, tree.Options{})
			noDiff(t, "after mutation: source vs treesync", src, dst, tree.Options{})
		})
	}
}

// wholeSecondDirs gives every directory below root (root included) a
// whole-second mtime unlike any before: rsync compares seconds, so a
// directory changed within the second of its last copy would otherwise
// be left alone by rsync and fixed by treesync.
func wholeSecondDirs(t *testing.T, root string) {
	t.Helper()
	var dirs []string
	_ = filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err == nil && de.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	stamp := time.Unix(7e6+int64(time.Now().UnixNano()%1e6), 0)
	for i := len(dirs) - 1; i >= 0; i-- { // deepest first
		must(t, os.Chtimes(dirs[i], stamp, stamp))
	}
}

// TestSourceChangingDuringCopy rewrites a large source file block by
// block, continuously, while it is copied: the destination never holds a
// mix of versions under the final name that the source did not hold at
// rest; treesync retries and, when the file keeps changing, keeps the old
// version and exits 23. (A writer that rewrites the whole file in one
// system call is invisible to any before/after stat: the kernel stamps
// the mtime when a write starts.) The writer can stall between two blocks
// (a garbage collection, the race detector, a busy machine), leaving the
// source itself mixed for a while: copying that resting state is right,
// so such a mix is allowed when the writer's log shows the pause.
func TestSourceChangingDuringCopy(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	const blocks, block = 64, 1 << 20
	build(t, src, []tree.Node{{Path: "live", Data: versioned(0, blocks, block)}})
	var stop atomic.Bool
	done := make(chan struct{})
	var log writeLog
	go func() {
		defer close(done)
		f, err := os.OpenFile(filepath.Join(src, "live"), os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		for v := 1; !stop.Load(); v++ {
			data := versioned(v, blocks, block)
			for i := 0; i < blocks && !stop.Load(); i++ {
				log.note(v, i, time.Now())
				_, _ = f.WriteAt(data[i*block:(i+1)*block], int64(i*block))
				log.note(v, i+1, time.Now())
				time.Sleep(200 * time.Microsecond)
			}
		}
	}()
	r := treesync(t, "-a", "--copy-method=buffered", src+"/", dst+"/")
	stop.Store(true)
	<-done
	if r.code != 0 && r.code != 23 {
		t.Fatalf("want exit 0 or 23, got\n%s", r)
	}
	if r.code == 23 && !bytes.Contains([]byte(r.stderr), []byte("kept changing")) {
		t.Errorf("exit 23 without naming the changing file:\n%s", r)
	}
	got, err := os.ReadFile(filepath.Join(dst, "live"))
	if err == nil && !oneVersion(got, block) && !log.rested(got, block, 10*time.Millisecond) {
		t.Errorf("the destination file mixes versions of the source under its final name: %s\n%s", log.describe(got, block), r)
	}
}

// writeLog records when TestSourceChangingDuringCopy's writer started a
// block's write (v, i) and finished it (v, i+1).
type writeLog struct {
	mu sync.Mutex
	at map[[2]int][]time.Time
}

func (l *writeLog) note(v, i int, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.at == nil {
		l.at = make(map[[2]int][]time.Time)
	}
	l.at[[2]int{v, i}] = append(l.at[[2]int{v, i}], at)
}

// describe gives each block's version in got, and the writer's times
// around the first change of version.
func (l *writeLog) describe(got []byte, size int) string {
	var b strings.Builder
	for off := 0; off < len(got); off += size {
		fmt.Fprintf(&b, "%s ", got[off+1:off+9])
	}
	return b.String()
}

// rested reports whether got, blocks 0..k-1 of version v and the rest of
// version v-1, is a state the source held for at least pause: the write
// of block k-1 ended that long before the write of block k began.
func (l *writeLog) rested(got []byte, size int, pause time.Duration) bool {
	k := size
	for k < len(got) && bytes.Equal(got[k:k+9], got[:9]) {
		k += size
	}
	var v, older int
	if _, err := fmt.Sscanf(string(got[1:9]), "%d", &v); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(string(got[k+1:k+9]), "%d", &older); err != nil || older != v-1 || !oneVersion(got[k:], size) {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// (v, k): when block k-1's write ended, then when block k's began
	switch times := l.at[[2]int{v, k / size}]; len(times) {
	case 1:
		return true // the writer stopped there
	case 2:
		return times[1].Sub(times[0]) >= pause
	}
	return false
}

// versioned is n blocks each starting with the version number v.
func versioned(v, n, size int) []byte {
	b := make([]byte, n*size)
	for i := range n {
		copy(b[i*size:], fmt.Sprintf("v%08d", v))
	}
	return b
}

func oneVersion(b []byte, size int) bool {
	for off := size; off < len(b); off += size {
		if !bytes.Equal(b[off:off+9], b[:9]) {
			return false
		}
	}
	return true
}
