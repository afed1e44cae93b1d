//go:build linux

package e2e

import (
	bin "encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/treesync/treesync/e2e/tree"
)

// reflinkFS lists the matrix filesystems that can clone files.
var reflinkFS = map[string]bool{"xfs": true, "btrfs": true}

// TestReflink: with --reflink=always, a copy within one XFS or btrfs
// filesystem shares its data extents with the source; where cloning is
// impossible it fails with exit 23, while --reflink=auto copies.
func TestReflink(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		dir := fs.TempDir(t)
		src := filepath.Join(dir, "src")
		data := make([]byte, 1<<20)
		for i := range data {
			data[i] = byte(i * 7)
		}
		build(t, src, []tree.Node{{Path: "big", Data: data, Mtime: tree.At(80, 8)}})
		dst := filepath.Join(dir, "dst")
		r := treesync(t, "-a", "--reflink=always", src+"/", dst+"/")
		if !reflinkFS[fs.Name] {
			if r.code != 23 {
				t.Errorf("--reflink=always where cloning is impossible: want exit 23, got\n%s", r)
			}
			mustRun(t, treesync, "-a", "--reflink=auto", src+"/", dst+"/")
			noDiff(t, "source vs --reflink=auto copy", src, dst, tree.Options{})
			return
		}
		if r.code != 0 {
			t.Fatalf("--reflink=always on %s failed:\n%s", fs.Name, r)
		}
		noDiff(t, "source vs clone", src, dst, tree.Options{})
		if !allShared(t, filepath.Join(dst, "big")) {
			t.Errorf("the copy's extents are not shared with the source: not a reflink")
		}
	})
}

// allShared reports whether every extent of path is marked shared
// (FIEMAP_EXTENT_SHARED), as after a reflink copy.
func allShared(t *testing.T, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	flags, err := extentFlags(int(f.Fd()))
	if err != nil {
		t.Fatalf("fiemap %s: %v", path, err)
	}
	for _, fl := range flags {
		if fl&fiemapExtentShared == 0 {
			return false
		}
	}
	return len(flags) > 0
}

const (
	fsIocFiemap        = 0xC020660B // _IOWR('f', 11, struct fiemap)
	fiemapFlagSync     = 0x1
	fiemapExtentShared = 0x2000
	fiemapHeader       = 32 // struct fiemap without its extents
	fiemapExtentSize   = 56 // struct fiemap_extent
	fiemapMaxExtents   = 64
)

// extentFlags returns the flags of the first extents of an open file.
func extentFlags(fd int) ([]uint32, error) {
	buf := make([]byte, fiemapHeader+fiemapMaxExtents*fiemapExtentSize)
	le := bin.LittleEndian
	le.PutUint64(buf[8:], ^uint64(0)) // fm_length: the whole file
	le.PutUint32(buf[16:], fiemapFlagSync)
	le.PutUint32(buf[24:], fiemapMaxExtents) // fm_extent_count
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), fsIocFiemap, uintptr(unsafe.Pointer(&buf[0])))
	if errno != 0 {
		return nil, errno
	}
	n := int(le.Uint32(buf[20:])) // fm_mapped_extents
	flags := make([]uint32, n)
	for i := range flags {
		flags[i] = le.Uint32(buf[fiemapHeader+i*fiemapExtentSize+40:])
	}
	return flags, nil
}
