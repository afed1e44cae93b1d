package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

// wideNodes is a source whose directories are wider than a window of two
// names, and a destination holding changed, matching and extraneous
// entries (an excluded one among them) around them.
func wideNodes() (src, dst []tree.Node) {
	at := tree.At(1_500_000_000, 0)
	for i := range 9 {
		name := fmt.Sprintf("f%d", i)
		src = append(src, tree.Node{Path: name, Data: []byte(name), Mtime: at})
		src = append(src, tree.Node{Path: "sub/" + name, Data: []byte("in sub " + name), Mtime: at})
		switch i % 3 {
		case 0: // the same
			dst = append(dst, tree.Node{Path: name, Data: []byte(name), Mtime: at})
		case 1: // changed
			dst = append(dst, tree.Node{Path: name, Data: []byte("old " + name), Mtime: at})
		}
		dst = append(dst, tree.Node{Path: fmt.Sprintf("g%d", i), Data: []byte("extraneous"), Mtime: at})
	}
	src = append(src, tree.Node{Path: "link", Kind: tree.Symlink, Target: "f1", Mtime: at})
	dst = append(dst,
		tree.Node{Path: "keep.tmp", Data: []byte("excluded"), Mtime: at},
		tree.Node{Path: "gone", Kind: tree.Dir, Mtime: at},
		tree.Node{Path: "gone/x", Data: []byte("x"), Mtime: at},
		tree.Node{Path: "sub/h", Data: []byte("extraneous"), Mtime: at},
	)
	return src, dst
}

// TestWideDirectoriesVsRsync plans every directory two names at a time
// (TREESYNC_LIST_WINDOW=2): the changes itemized, the deletions and the
// resulting tree must be rsync's, in each delete mode.
func TestWideDirectoriesVsRsync(t *testing.T) {
	t.Setenv("TREESYNC_LIST_WINDOW", "2")
	for _, mode := range []string{"--delete", "--delete-before", "--delete-after", "--delete-delay"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			srcNodes, dstNodes := wideNodes()
			src := filepath.Join(dir, "src")
			build(t, src, srcNodes)
			wholeSecondDirs(t, src) // rsync compares a directory's time in seconds
			for _, d := range []string{"treesync", "rsync"} {
				build(t, filepath.Join(dir, d), dstNodes)
			}
			args := []string{"-ai", mode, "--exclude", "*.tmp", src + "/"}
			r := mustRun(t, treesync, append(args, filepath.Join(dir, "treesync")+"/")...)
			rr := mustRun(t, rsync, append(args, filepath.Join(dir, "rsync")+"/")...)
			if got, want := sortedLines(r.stdout), sortedLines(rr.stdout); got != want {
				t.Errorf("-i lines differ from rsync's:\ntreesync:\n%s\nrsync:\n%s", got, want)
			}
			if !strings.Contains(r.stdout, "*deleting   g8") || strings.Contains(r.stdout, "keep.tmp") {
				t.Errorf("deletions: %s", r.stdout)
			}
			noDiff(t, "rsync vs treesync", filepath.Join(dir, "rsync"), filepath.Join(dir, "treesync"), tree.Options{})
		})
	}
}

// TestWideEmptySourceRefused: the empty-source guard sees the whole
// destination root, not one window of it.
func TestWideEmptySourceRefused(t *testing.T) {
	t.Setenv("TREESYNC_LIST_WINDOW", "2")
	dir := t.TempDir()
	_, dstNodes := wideNodes()
	build(t, filepath.Join(dir, "src"), nil)
	build(t, filepath.Join(dir, "dst"), dstNodes)
	r := treesync(t, "-a", "--delete", filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst")+"/")
	if r.code != 25 || !strings.Contains(r.stderr, "refusing to delete") {
		t.Fatalf("want exit 25 and a refusal:\n%s", r)
	}
	for i := range 9 {
		if _, err := os.Lstat(filepath.Join(dir, "dst", fmt.Sprintf("g%d", i))); err != nil {
			t.Errorf("g%d: %v (deleted from a destination whose source is empty)", i, err)
		}
	}
}

// TestEmptyOneOfSeveralSourcesRefused: with several sources the guard
// looks at each one's root: one empty (an unmounted disk among them)
// refuses every deletion, exit 25; --allow-empty-source deletes as rsync.
func TestEmptyOneOfSeveralSourcesRefused(t *testing.T) {
	dir := t.TempDir()
	at := tree.At(100, 0)
	build(t, filepath.Join(dir, "a"), []tree.Node{{Path: "f", Data: []byte("f"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}})
	build(t, filepath.Join(dir, "b"), nil)
	stale := []tree.Node{{Path: "f", Data: []byte("f"), Mtime: at}, {Path: "photo", Data: []byte("b's"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	build(t, filepath.Join(dir, "dst"), stale)
	srcs := []string{filepath.Join(dir, "a") + "/", filepath.Join(dir, "b") + "/", filepath.Join(dir, "dst") + "/"}
	r := treesync(t, append([]string{"-a", "--delete"}, srcs...)...)
	if _, err := os.Lstat(filepath.Join(dir, "dst", "photo")); r.code != 25 || err != nil {
		t.Fatalf("want exit 25 and photo kept (%v):\n%s", err, r)
	}
	build(t, filepath.Join(dir, "ref"), stale)
	rsrcs := slices.Clone(srcs)
	rsrcs[2] = filepath.Join(dir, "ref") + "/"
	r = treesync(t, append([]string{"-a", "--delete", "--allow-empty-source"}, srcs...)...)
	rr := rsync(t, append([]string{"-a", "--delete"}, rsrcs...)...)
	if r.code != 0 || rr.code != 0 {
		t.Fatalf("want both to succeed:\n%s\n%s", r, rr)
	}
	noDiff(t, "rsync vs treesync", filepath.Join(dir, "ref"), filepath.Join(dir, "dst"), tree.Options{})
}
