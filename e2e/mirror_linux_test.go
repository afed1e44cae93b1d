//go:build linux

package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

// goSource returns the Go distribution's src directory: about 12,000
// real files and directories, read-only for the tests.
func goSource(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "src")
}

// TestMirrorGoSource copies the Go source tree with treesync -a and with
// rsync -a onto each filesystem: both copies must be identical, and
// identical to the source (access times are not compared).
func TestMirrorGoSource(t *testing.T) {
	src := goSource(t)
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		dir := fs.TempDir(t)
		dst, ref := filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
		mustRun(t, treesync, "-a", src+"/", dst+"/")
		mustRun(t, rsync, "-a", src+"/", ref+"/")
		noDiff(t, "rsync -a vs treesync -a", ref, dst, tree.Options{})
		noDiff(t, "source vs treesync -a", src, dst, tree.Options{CheckBlocks: true})
	})
}

// buildCorners builds tree.Corners under dir/src and returns that path.
func buildCorners(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "src")
	nodes := append([]tree.Node{{Path: ".", Kind: tree.Dir, Mtime: tree.At(0, 123)}}, tree.Corners(isRoot())...)
	if err := tree.Build(src, nodes); err != nil {
		t.Fatal(err)
	}
	return src
}

// deepTop is the top directory of tree.Corners' path longer than PATH_MAX.
const deepTop = "deep"

// TestCornersVsRsync copies the corner-case tree with treesync -a and
// rsync -a and compares the results attribute by attribute. rsync
// cannot copy paths longer than PATH_MAX (it fails with exit 23), so
// that part is compared with the source instead.
func TestCornersVsRsync(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		dir := fs.TempDir(t)
		src := buildCorners(t, dir)
		dst, ref := filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
		mustRun(t, treesync, "-a", src+"/", dst+"/")
		r := rsync(t, "-a", src+"/", ref+"/")
		skipDeep := tree.Options{}
		if r.code != 0 {
			if r.code != 23 || !strings.Contains(r.stderr, deepTop+"/") {
				t.Fatalf("rsync failed on more than the deep path:\n%s", r)
			}
			t.Logf("rsync cannot copy the path longer than PATH_MAX (exit %d); comparing it with the source", r.code)
			skipDeep.Skip = func(p string) bool { return p == deepTop || p == "." }
		}
		noDiff(t, "rsync -a vs treesync -a", ref, dst, skipDeep)
		noDiff(t, "source vs treesync -a", src, dst, tree.Options{CheckBlocks: true})
	})
}
