//go:build linux

package e2e

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/treesync/treesync/e2e/tree"
)

// TestSparseOptionVsRsync copies files written in full whose data has
// runs of zeros with -S, as rsync -S does: the contents and attributes
// must be the same and each file must allocate no more blocks than
// rsync's copy, and no fewer (within the slack) — so blocks of zeros
// became holes; a file of zeros alone allocates nothing. Without -S the
// zeros are copied as data, as by rsync (which also fills the source's
// holes, where treesync keeps them).
func TestSparseOptionVsRsync(t *testing.T) {
	data := bytes.Repeat([]byte("data"), 2048) // 8 KiB
	mixed := append(append(append(append([]byte{}, data...), make([]byte, 256<<10)...), "x"...), make([]byte, 100<<10+7)...)
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "zeros", Data: make([]byte, 1<<20), Mtime: at},
		{Path: "mixed", Data: mixed, Mtime: at},
		{Path: "holey", Data: mixed, Extents: []tree.Extent{{Off: 4 << 20, Data: make([]byte, 64<<10)}, {Off: 6 << 20, Data: data}},
			Size: 7 << 20, Mtime: at},
		{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/small", Data: []byte("no zeros here"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-aS"}, {"-a", "--sparse"}, {"-a"}} {
		t.Run(opts[len(opts)-1], func(t *testing.T) {
			dir := t.TempDir()
			src, dst, ref := filepath.Join(dir, "src"), filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
			build(t, src, source)
			args := append(append([]string{"-i"}, opts...), src+"/")
			r, rr := treesync(t, append(args, dst+"/")...), rsync(t, append(args, ref+"/")...)
			if r.code != 0 || rr.code != 0 || itemLines(r.stdout, nil) != itemLines(rr.stdout, nil) {
				t.Fatalf("want the same itemized lines:\n%s\n%s", r, rr)
			}
			sparse := opts[0] == "-aS" || slices.Contains(opts, "--sparse")
			check := tree.Options{CheckBlocks: true, BlockSlack: 8}
			noDiff(t, "rsync vs treesync", ref, dst, check)
			if sparse { // without -S rsync fills the source's holes
				noDiff(t, "treesync vs rsync", dst, ref, check)
			}
			if blocks := allocated(t, filepath.Join(dst, "zeros")); (blocks == 0) != sparse {
				t.Errorf("zeros allocates %d blocks of 512 bytes with %q", blocks, opts)
			}
		})
	}
}

// allocated returns the 512-byte blocks a file allocates.
func allocated(t *testing.T, path string) int64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Blocks
}

// TestInplaceVsRsync updates files in their own inodes as rsync
// --inplace does: the destination's other names of a changed file see
// its new contents (without -H), a file shrinks or grows to the source's
// size, holes stay; under -b the backup is a copy with the old file's
// attributes. The tree must equal rsync's, and the changed file keep its
// inode.
func TestInplaceVsRsync(t *testing.T) {
	at, old := tree.At(100, 0), tree.At(50, 0)
	source := []tree.Node{
		{Path: "grow", Data: bytes.Repeat([]byte("g"), 70000), Mtime: at}, {Path: "shrink", Data: []byte("short"), Mtime: at},
		{Path: "linked", Data: []byte("new contents"), Mtime: at}, {Path: "other", Data: []byte("old contents"), Mtime: old},
		{Path: "holey", Data: []byte("head"), Extents: []tree.Extent{{Off: 1 << 20, Data: []byte("tail")}}, Size: 2 << 20, Mtime: at},
		{Path: "new", Data: []byte("new"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "grow", Data: []byte("small"), Mtime: old}, {Path: "shrink", Data: bytes.Repeat([]byte("s"), 9000), Mtime: old},
		{Path: "linked", Data: []byte("old contents"), Mtime: old}, {Path: "other", Kind: tree.Hardlink, Target: "linked"},
		{Path: "holey", Data: bytes.Repeat([]byte("x"), 3<<20), Mtime: old}, {Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-a", "--inplace"}, {"-a", "--inplace", "-b"}, {"-a", "--inplace", "--backup-dir=bk"},
		{"-aS", "--inplace"}, {"-an", "--inplace"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			src, dst, ref := twinTrees(t, source, stale)
			before := inode(t, filepath.Join(dst, "grow"))
			args := append(append([]string{"-i"}, opts...), src+"/")
			r, rr := treesync(t, append(args, dst+"/")...), rsync(t, append(args, ref+"/")...)
			if r.code != 0 || rr.code != 0 || itemLines(r.stdout, nil) != itemLines(rr.stdout, nil) {
				t.Fatalf("want the same itemized lines:\n%s\n%s", r, rr)
			}
			noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: backups(opts)})
			if inode(t, filepath.Join(dst, "grow")) != before {
				t.Errorf("with %q the changed file got another inode", opts)
			}
		})
	}
}

// TestAppendVsRsync: --append writes only the part past a shorter
// destination file's end (trusting the part there: a file whose start
// differs keeps it), and copies new files; a file not shorter gets its
// attributes when rsync's quick check finds it up to date (-c: by its
// contents) and is left whole otherwise, not counted as transferred
// (--remove-source-files keeps its source); --append-verify copies a
// file whose start differs whole (rsync's second line for it, from its
// redo phase, is left out). Under -H -c a member left whole is no member:
// the group's other names are copied and linked without it.
func TestAppendVsRsync(t *testing.T) {
	at, old := tree.At(100, 0), tree.At(50, 0)
	log := bytes.Repeat([]byte("log line\n"), 9000)
	source := []tree.Node{
		{Path: "log", Data: log, Mtime: at}, {Path: "otherstart", Data: log, Mtime: at},
		{Path: "same", Data: []byte("same size"), Mode: 0o600, Mtime: at}, {Path: "longer", Data: []byte("short"), Mtime: at},
		{Path: "new", Data: []byte("new"), Mtime: at}, {Path: "uptodate", Data: []byte("u"), Mode: 0o600, Mtime: at},
		{Path: "touched", Data: []byte("t"), Mode: 0o600, Mtime: at}, {Path: "h1", Data: []byte("linked"), Mtime: at},
		{Path: "h2", Kind: tree.Hardlink, Target: "h1"}, {Path: "g1", Data: []byte("same size"), Mtime: at},
		{Path: "g2", Kind: tree.Hardlink, Target: "g1"}, {Path: "g3", Kind: tree.Hardlink, Target: "g1"},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "log", Data: log[:30000], Mtime: old}, {Path: "otherstart", Data: bytes.Repeat([]byte("x"), 30000), Mtime: old},
		{Path: "same", Data: []byte("SAME SIZE"), Mtime: old}, {Path: "longer", Data: []byte("much longer"), Mtime: old},
		{Path: "uptodate", Data: []byte("u"), Mtime: at}, {Path: "touched", Data: []byte("t"), Mtime: old},
		{Path: "h1", Data: []byte("longer here"), Mtime: old}, {Path: "g1", Data: []byte("SAME SIZE"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-a", "--append"}, {"-an", "--append"}, {"-a", "--append", "-c"}, {"-a", "--append", "--size-only"},
		{"-a", "--append", "-I"}, {"-a", "--append", "--remove-source-files"}, {"-a", "--append-verify", "-c"}, {"-a", "--append-verify"}, {"-a", "--append", "-c", "-b"}, {"-a", "--append", "--backup-dir=bk"},
		{"-aH", "--append"}, {"-aH", "--append", "--inplace"}, {"-aH", "--append", "-c"},
		{"-aH", "--append", "-c", "--remove-source-files"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
	// rsync itemizes a file that fails verification twice (the append,
	// then the whole file sent again); the trees are compared.
	t.Run("--append-verify", func(t *testing.T) {
		src, dst, ref := twinTrees(t, source, stale)
		r := treesync(t, "-a", "--append-verify", src+"/", dst+"/")
		rr := rsync(t, "-a", "--append-verify", src+"/", ref+"/")
		if r.code != 0 || rr.code != 0 {
			t.Fatalf("want both to succeed:\n%s\n%s", r, rr)
		}
		noDiff(t, "rsync vs treesync", ref, dst, tree.Options{})
	})
}
