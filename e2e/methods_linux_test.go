//go:build linux

package e2e

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/treesync/treesync/e2e/tree"
)

// methodNodes is a small tree for the copy-method matrix: regular files
// of several sizes and a sparse file with three data extents.
func methodNodes() []tree.Node {
	data := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*13 + n)
		}
		return b
	}
	return []tree.Node{
		{Path: "small", Data: data(100), Mtime: tree.At(100, 1)},
		{Path: "d/medium", Data: data(300 << 10), Mtime: tree.At(101, 2)},
		{Path: "d/large", Data: data(3 << 20), Mtime: tree.At(102, 3)},
		{Path: "sparse", Data: data(64 << 10), Extents: []tree.Extent{
			{Off: 8 << 20, Data: data(64 << 10)}, {Off: 30 << 20, Data: data(4096)}},
			Size: 32 << 20, Mtime: tree.At(103, 4)},
	}
}

// expectedMethod is how treesync must copy between two filesystems of the
// matrix: clones within XFS or btrfs, the kernel's copy within one other
// filesystem, a buffered copy across filesystems (copy_file_range gives
// EXDEV between different filesystems since Linux 5.19).
func expectedMethod(src, dst *Filesystem) string {
	switch {
	case src != dst:
		return "buffered"
	case reflinkFS[src.Name]:
		return "reflink"
	}
	return "copy_file_range"
}

// TestCopyMethodMatrix mirrors the same tree between every pair of
// filesystems of the matrix and checks the content and metadata, that the
// sparse file kept its holes, and that every file went the expected way
// (from --stats).
func TestCopyMethodMatrix(t *testing.T) {
	for _, from := range matrix {
		for _, to := range matrix {
			t.Run(from.Name+"-to-"+to.Name, func(t *testing.T) {
				requireFS(t, from)
				requireFS(t, to)
				src := filepath.Join(from.TempDir(t), "src")
				build(t, src, methodNodes())
				dst := filepath.Join(to.TempDir(t), "dst")
				r := mustRun(t, treesync, "-a", "--stats", src+"/", dst+"/")
				noDiff(t, "source vs copy", src, dst, tree.Options{CheckBlocks: true})
				want := expectedMethod(from, to)
				if got := methodFiles(t, r.stdout, want); got != len(methodNodes()) {
					t.Errorf("%d files copied by %s, want %d:\n%s", got, want, len(methodNodes()), r.stdout)
				}
				if got, want := copyWorkers(t, r.stdout), expectedWorkers(from, to); got != want {
					t.Errorf("%d copy workers onto %s, want %d", got, to.Name, want)
				}
			})
		}
	}
}

// expectedWorkers is how many files treesync copies at once from src onto
// dst without -j: btrfs favours 2, and 1 from the same subvolume (the
// matrix's temporary directories on one filesystem share one).
func expectedWorkers(src, dst *Filesystem) int {
	switch {
	case dst.Name != "btrfs":
		return 4
	case src == dst:
		return 1
	}
	return 2
}

var workersLine = regexp.MustCompile(`(?m)^Copy workers: ([0-9]+)$`)

// copyWorkers reads "Copy workers: N" from --stats output.
func copyWorkers(t *testing.T, stats string) int {
	t.Helper()
	m := workersLine.FindStringSubmatch(stats)
	if m == nil {
		t.Fatalf("no copy workers line in --stats output:\n%s", stats)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

var methodLine = regexp.MustCompile(`(?m)^Files copied by (\S+): ([0-9,]+)`)

// methodFiles reads "Files copied by METHOD: N" from --stats output.
func methodFiles(t *testing.T, stats, method string) int {
	t.Helper()
	for _, m := range methodLine.FindAllStringSubmatch(stats, -1) {
		if m[1] == method {
			n, err := strconv.Atoi(regexp.MustCompile(`,`).ReplaceAllString(m[2], ""))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %q line in --stats output:\n%s", method, stats)
	return 0
}

// TestReflinkSavesSpace mirrors 256 MiB within XFS and btrfs and checks
// that free space barely changes: the copy shares the source's blocks.
func TestReflinkSavesSpace(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		if !reflinkFS[fs.Name] {
			return
		}
		dir := fs.TempDir(t)
		src := filepath.Join(dir, "src")
		var nodes []tree.Node
		for i := range 64 {
			b := make([]byte, 4<<20)
			for j := range b {
				b[j] = byte(i + j*31)
			}
			nodes = append(nodes, tree.Node{Path: "f" + strconv.Itoa(i), Data: b, Mtime: tree.At(200, 0)})
		}
		build(t, src, nodes)
		unix.Sync()
		before := freeBytes(t, dir)
		mustRun(t, treesync, "-a", src+"/", filepath.Join(dir, "dst")+"/")
		unix.Sync()
		used := before - freeBytes(t, dir)
		if used > 8<<20 {
			t.Errorf("mirroring 256 MiB by reflink used %d bytes of free space", used)
		}
		noDiff(t, "source vs clone", src, filepath.Join(dir, "dst"), tree.Options{})
	})
}

func freeBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}
