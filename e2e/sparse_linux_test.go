//go:build linux

package e2e

import (
	"bytes"
	"path/filepath"
	"slices"
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
