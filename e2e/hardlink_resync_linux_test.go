package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/treesync/treesync/e2e/tree"
)

// TestRecreatedLinkMemberResync: a, b and c are one inode, mirrored with
// -aH; then a is replaced in the source by a new empty file (same size,
// new mtime and mode). The resync must leave b and c as they were and a
// on its own, as rsync does — not chmod/touch the inode the three still
// share in the destination (found by seed 101 of the random trees).
func TestRecreatedLinkMemberResync(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	a := filepath.Join(src, "a")
	if err := os.WriteFile(a, nil, 0o4755); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(a, 0o4755)
	_ = os.Chtimes(a, time.Unix(1601874106, 0), time.Unix(1601874106, 0))
	for _, n := range []string{"b", "c"} {
		if err := os.Link(a, filepath.Join(src, n)); err != nil {
			t.Fatal(err)
		}
	}
	dst, ref := filepath.Join(dir, "dst"), filepath.Join(dir, "ref")
	mustRun(t, treesync, "-aH", src+"/", dst+"/")
	mustRun(t, rsync, "-aH", src+"/", ref+"/")
	_ = os.Remove(a)
	if err := os.WriteFile(a, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(a, time.Unix(1603000000, 0), time.Unix(1603000000, 0))
	mustRun(t, treesync, "-aH", "--delete", src+"/", dst+"/")
	mustRun(t, rsync, "-aH", "--delete", src+"/", ref+"/")
	noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
	noDiff(t, "source vs treesync", src, dst, tree.Options{})
}
