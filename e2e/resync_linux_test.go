//go:build linux

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/treesync/treesync/e2e/tree"
)

// identity is what changes when an entry is rewritten or touched: its
// inode number and its ctime.
type identity struct {
	ino   uint64
	ctime string
}

func identities(t *testing.T, root string) map[string]identity {
	t.Helper()
	tr, err := tree.Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]identity{}
	for p, e := range tr.Entries {
		out[p] = identity{e.Ino, fmt.Sprintf("%d.%09d", e.Ctime.Sec, e.Ctime.Nsec)}
	}
	return out
}

// changedPaths returns the paths whose identity differs between two
// snapshots, or that exist in one only.
func changedPaths(before, after map[string]identity) []string {
	var out []string
	for p, id := range before {
		if a, ok := after[p]; !ok || a != id {
			out = append(out, p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// TestNoopResync runs treesync twice on an unchanged corner-case tree:
// the second run must touch nothing and, with -i, print nothing, as
// rsync -ai prints nothing on a no-op.
func TestNoopResync(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		dir := fs.TempDir(t)
		src := buildCorners(t, dir)
		dst := filepath.Join(dir, "dst")
		mustRun(t, treesync, "-a", src+"/", dst+"/")
		before := identities(t, dst)
		r := mustRun(t, treesync, "-ai", src+"/", dst+"/")
		if r.stdout != "" {
			t.Errorf("treesync -ai on a no-op printed:\n%s", r.stdout)
		}
		if changed := changedPaths(before, identities(t, dst)); len(changed) > 0 {
			t.Errorf("a no-op resync rewrote or touched %d entries: %q", len(changed), changed)
		}
	})
}

// TestRsyncNoopPrintsNothing pins the reference behaviour the test above
// holds treesync to (the tree has no path longer than PATH_MAX: rsync
// cannot copy one).
func TestRsyncNoopPrintsNothing(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := tree.Build(src, withoutDeep(tree.Corners(false))); err != nil {
		t.Fatal(err)
	}
	mustRun(t, rsync, "-a", src+"/", dir+"/dst/")
	if r := mustRun(t, rsync, "-ai", src+"/", dir+"/dst/"); r.stdout != "" {
		t.Errorf("rsync -ai on a no-op printed:\n%s", r.stdout)
	}
}

// TestResyncOneChangedFile changes one file's content (same size, new
// mtime): the resync must rewrite that file only, and say so with -i
// as rsync does.
func TestResyncOneChangedFile(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		dir := fs.TempDir(t)
		src := buildCorners(t, dir)
		dst, ref := filepath.Join(dir, "dst"), filepath.Join(dir, "ref")
		mustRun(t, treesync, "-a", src+"/", dst+"/")
		mustRun(t, treesync, "-a", src+"/", ref+"/")
		before := identities(t, dst)
		changeFile(t, filepath.Join(src, "dir/file.txt"), "HELLO\n")
		r := mustRun(t, treesync, "-ai", src+"/", dst+"/")
		after := identities(t, dst)
		// The file is rewritten by temp file and rename: its directory's
		// ctime changes too (as with rsync), but not its inode.
		if after["dir"].ino == before["dir"].ino {
			after["dir"] = before["dir"]
		}
		if changed := changedPaths(before, after); len(changed) != 1 || changed[0] != "dir/file.txt" {
			t.Errorf("resync after one change rewrote %q, want only dir/file.txt", changed)
		}
		noDiff(t, "source vs resynced copy", src, dst, tree.Options{})
		if want := ">f..t...... dir/file.txt\n"; r.stdout != want {
			t.Errorf("treesync -ai printed %q, want %q (as rsync -ai)", r.stdout, want)
		}
		wantRsyncItemize(t, src, ref, ">f..t...... dir/file.txt\n")
	})
}

// changeFile gives path new content of the same length and a new mtime,
// keeping the directory's mtime.
func changeFile(t *testing.T, path, content string) {
	t.Helper()
	st, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, time.Time{}, tree.At(1000, 424242)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Dir(path), time.Time{}, st.ModTime()); err != nil {
		t.Fatal(err)
	}
}

// wantRsyncItemize checks what rsync -ai prints for the same change,
// skipping the part of the tree rsync cannot handle (a path longer than
// PATH_MAX), so that the expectation above is rsync's.
func wantRsyncItemize(t *testing.T, src, ref, want string) {
	t.Helper()
	r := rsync(t, "-ai", "--exclude=/"+deepTop, src+"/", ref+"/")
	if r.code != 0 || r.stdout != want {
		t.Errorf("reference rsync -ai: want %q, got\n%s", want, r)
	}
}

// withoutDeep leaves out the nodes below deepTop.
func withoutDeep(nodes []tree.Node) []tree.Node {
	var out []tree.Node
	for _, n := range nodes {
		if !strings.HasPrefix(n.Path, deepTop+"/") && n.Path != deepTop {
			out = append(out, n)
		}
	}
	return out
}
