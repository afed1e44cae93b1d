//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

// fixture is the small tree the CLI tests start from, in a directory
// that is also the working directory of the commands:
//
//	src/ (a/f, a/g, top, link -> top)
//	src2/ (x)
//	file
//	dstfile
//	dst/ (old)
func fixture() []tree.Node {
	return []tree.Node{
		{Path: "src", Kind: tree.Dir, Mtime: tree.At(1, 1)},
		{Path: "src/a", Kind: tree.Dir, Mode: 0o750, Mtime: tree.At(2, 2)},
		{Path: "src/a/f", Data: []byte("f content"), Mtime: tree.At(3, 3)},
		{Path: "src/a/g", Data: []byte("g"), Mode: 0o600, Mtime: tree.At(4, 4)},
		{Path: "src/top", Data: []byte("top"), Mode: 0o755, Mtime: tree.At(5, 5)},
		{Path: "src/link", Kind: tree.Symlink, Target: "top", Mtime: tree.At(6, 6)},
		{Path: "src2", Kind: tree.Dir, Mtime: tree.At(7, 7)},
		{Path: "src2/x", Data: []byte("x"), Mtime: tree.At(8, 8)},
		{Path: "file", Data: []byte("a single file"), Mtime: tree.At(9, 9)},
		{Path: "dstfile", Data: []byte("in the way"), Mtime: tree.At(10, 10)},
		{Path: "dst", Kind: tree.Dir, Mtime: tree.At(11, 11)},
		{Path: "dst/old", Data: []byte("old"), Mtime: tree.At(12, 12)},
	}
}

// newFixture builds fixture() in a new directory under parent (a test
// temporary directory when parent is "").
func newFixture(t *testing.T, parent string) string {
	t.Helper()
	if parent == "" {
		parent = t.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "fixture-*")
	if err != nil {
		t.Fatal(err)
	}
	if err := tree.Build(dir, fixture()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// inFixture runs the binary (or rsync) with args in a fresh fixture and
// returns the result and the fixture's directory.
func inFixture(t *testing.T, tool string, args ...string) (result, string) {
	t.Helper()
	dir := newFixture(t, "")
	bin := binary
	if tool == "rsync" {
		requireTool(t, "rsync")
		bin = "rsync"
	}
	return execIn(t, dir, append([]string{bin}, args...)...), dir
}

func scan(t *testing.T, root string) *tree.Tree {
	t.Helper()
	tr, err := tree.Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// sameAsFixture fails the test if dir differs from a pristine fixture in
// anything but the fixture root's own mtime.
func sameAsFixture(t *testing.T, dir string) {
	t.Helper()
	pristine := newFixture(t, "")
	noDiff(t, "fixture after a failed run", pristine, dir, tree.Options{Skip: isRootPath})
}

func isRootPath(p string) bool { return p == "." }

// compareFixtures fails the test with every difference between the
// fixtures treesync and rsync left, directory mtimes aside (directories
// created by either tool get the current time).
func compareFixtures(t *testing.T, rsyncDir, treesyncDir string) {
	t.Helper()
	noDiff(t, "rsync vs treesync", rsyncDir, treesyncDir, tree.Options{IgnoreDirMtime: true})
}

// copied fails the test unless dir/copy is an exact copy of dir/orig.
func copied(t *testing.T, dir, orig, copy string) {
	t.Helper()
	noDiff(t, orig+" copied to "+copy, filepath.Join(dir, orig), filepath.Join(dir, copy), tree.Options{})
}
