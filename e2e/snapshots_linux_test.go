//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

func snapshotNodes(changed bool) []tree.Node {
	data := func(s string) []byte { return []byte(strings.Repeat(s, 20000)) }
	second := data("unchanged-2 ")
	if changed {
		second = data("changed-now ")
	}
	return []tree.Node{
		{Path: "a", Data: data("unchanged-1 "), Mtime: tree.At(100, 0)},
		{Path: "d", Kind: tree.Dir, Mtime: tree.At(300, 0)},
		{Path: "d/b", Data: second, Mtime: tree.At(200, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(400, 0)},
	}
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Ino
}

// TestLinkDestLikeRsync: a second snapshot with --link-dest hard-links the
// unchanged files to the first snapshot and copies the changed one, as
// rsync does: same trees, same link structure.
func TestLinkDestLikeRsync(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	build(t, src, snapshotNodes(false))
	mustRun(t, treesync, "-a", src+"/", filepath.Join(dir, "ts1")+"/")
	mustRun(t, rsync, "-a", src+"/", filepath.Join(dir, "rs1")+"/")
	must(t, os.WriteFile(filepath.Join(src, "d/b"), snapshotNodes(true)[2].Data, 0o644))
	build(t, src, []tree.Node{{Path: "d/b", Kind: tree.Existing, Mtime: tree.At(250, 0)},
		{Path: "d", Kind: tree.Existing, Mtime: tree.At(300, 0)}})
	mustRun(t, treesync, "-a", "--link-dest=../ts1", src+"/", filepath.Join(dir, "ts2")+"/")
	mustRun(t, rsync, "-a", "--link-dest=../rs1", src+"/", filepath.Join(dir, "rs2")+"/")
	noDiff(t, "rsync vs treesync snapshot", filepath.Join(dir, "rs2"), filepath.Join(dir, "ts2"), tree.Options{})
	if inode(t, filepath.Join(dir, "ts1/a")) != inode(t, filepath.Join(dir, "ts2/a")) {
		t.Errorf("the unchanged file was not hard-linked to the previous snapshot")
	}
	if inode(t, filepath.Join(dir, "ts1/d/b")) == inode(t, filepath.Join(dir, "ts2/d/b")) {
		t.Errorf("the changed file was linked instead of copied")
	}
}

// TestCloneDestSharesBlocks: on XFS and btrfs, --clone-dest makes the
// unchanged files of a new snapshot reflinks of the previous one: shared
// extents, but their own inodes, so changing one snapshot never changes
// another.
func TestCloneDestSharesBlocks(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		if !reflinkFS[fs.Name] {
			return
		}
		dir := fs.TempDir(t)
		src := filepath.Join(dir, "src")
		build(t, src, snapshotNodes(false))
		mustRun(t, treesync, "-a", "--reflink=never", src+"/", filepath.Join(dir, "snap1")+"/")
		r := mustRun(t, treesync, "-a", "--clone-dest=../snap1", src+"/", filepath.Join(dir, "snap2")+"/")
		noDiff(t, "source vs snapshot", src, filepath.Join(dir, "snap2"), tree.Options{})
		for _, f := range []string{"a", "d/b"} {
			one, two := filepath.Join(dir, "snap1", f), filepath.Join(dir, "snap2", f)
			if inode(t, one) == inode(t, two) {
				t.Errorf("%s: the snapshots share an inode", f)
			}
			if !allShared(t, two) {
				t.Errorf("%s: the new snapshot's extents are not shared with the previous one\n%s", f, r)
			}
		}
		must(t, os.WriteFile(filepath.Join(dir, "snap2", "a"), []byte("edited"), 0o644))
		if got, _ := os.ReadFile(filepath.Join(dir, "snap1", "a")); string(got) == "edited" {
			t.Errorf("editing one snapshot changed the other")
		}
	})
}

// TestCopyLinksDetectsLoops: with -L a symlink leading back to an
// ancestor is reported (exit 23) instead of followed forever; without -L
// it is copied as a symlink.
func TestCopyLinksDetectsLoops(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	build(t, src, []tree.Node{
		{Path: "d/f", Data: []byte("x")},
		{Path: "d/loop", Kind: tree.Symlink, Target: ".."},
	})
	r := treesync(t, "-aL", src+"/", filepath.Join(dir, "follow")+"/")
	if r.code != 23 || !strings.Contains(r.stderr, "symlink loop") {
		t.Errorf("-L on a loop: want exit 23 naming the loop, got\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "follow/d/f")); err != nil {
		t.Errorf("-L did not copy what the loop does not affect: %v", err)
	}
	mustRun(t, treesync, "-a", src+"/", filepath.Join(dir, "keep")+"/")
	if target, err := os.Readlink(filepath.Join(dir, "keep/d/loop")); err != nil || target != ".." {
		t.Errorf("without -L the loop must stay a symlink: %q %v", target, err)
	}
}

// TestAltDestFilesVsRsync: new files against a reference directory, as
// rsync grades them — an exact match is left out (--compare-dest) or
// linked (--link-dest), a match in content with other attributes is
// copied from the reference (a "cf" line), anything else transferred and
// itemized against the reference file — under the quick check, -I and -c.
func TestAltDestFilesVsRsync(t *testing.T) {
	source := []tree.Node{
		{Path: "same", Data: []byte("same"), Mode: 0o644, Mtime: tree.At(100, 0)},
		{Path: "attrs", Data: []byte("attrs"), Mode: 0o600, Mtime: tree.At(100, 0)},
		{Path: "older", Data: []byte("new content"), Mode: 0o644, Mtime: tree.At(200, 0)},
		{Path: "touched", Data: []byte("touched"), Mode: 0o644, Mtime: tree.At(300, 0)},
		{Path: "new", Data: []byte("new"), Mode: 0o644, Mtime: tree.At(100, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
	}
	alt := []tree.Node{
		{Path: "same", Data: []byte("same"), Mode: 0o644, Mtime: tree.At(100, 0)},
		{Path: "attrs", Data: []byte("attrs"), Mode: 0o644, Mtime: tree.At(100, 0)},
		{Path: "older", Data: []byte("old"), Mode: 0o644, Mtime: tree.At(150, 0)},
		{Path: "touched", Data: []byte("touched"), Mode: 0o644, Mtime: tree.At(250, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
	}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)}}
	for _, mode := range []string{"--compare-dest=../alt", "--link-dest=../alt", "--copy-dest=../alt"} {
		for _, extra := range [][]string{nil, {"-I"}, {"-c"}, {"--size-only"}} {
			opts := append([]string{"-a", mode}, extra...)
			t.Run(strings.Join(opts, " "), func(t *testing.T) { compareWithRsyncRef(t, opts, source, stale, alt) })
		}
	}
}
