package platform

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// largeSize is past 2 GiB, the most one copy_file_range call moves and
// the edge of any 32-bit offset arithmetic.
const largeSize = 2<<30 + 5<<20 + 4097

// writeLarge writes a dense file of size bytes whose every 4 KiB block
// carries its own offset, so a block copied to the wrong place shows.
func writeLarge(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4<<20)
	for off := int64(0); off < size; off += int64(len(buf)) {
		for i := 0; i < len(buf); i += 4096 {
			binary.LittleEndian.PutUint64(buf[i:], uint64(off)+uint64(i))
		}
		n := min(int64(len(buf)), size-off)
		if _, err := f.Write(buf[:n]); err != nil {
			t.Fatal(err)
		}
	}
}

// sameContent compares two files chunk by chunk.
func sameContent(t *testing.T, a, b string) bool {
	t.Helper()
	fa, err := os.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	ba, bb := make([]byte, 4<<20), make([]byte, 4<<20)
	for {
		na, ea := io.ReadFull(fa, ba)
		nb, _ := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false
		}
		if ea != nil {
			return true
		}
	}
}

// TestCopyLargerThan2GiB copies a dense file over 2 GiB by kernel copy and
// by buffered copy: the chunked copy_file_range loop and the buffered loop
// both reach the end, at the right offsets.
func TestCopyLargerThan2GiB(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "large")
	writeLarge(t, src, largeSize)
	for _, m := range []CopyMethod{CopyKernel, CopyBuffered} {
		c := NewCopier(CopyOptions{Method: m})
		f := &fakeCalls{}
		f.install(c)
		res := copyLargeFile(t, c, src, dir)
		equal := sameContent(t, src, filepath.Join(dir, "dst"))
		if res.Bytes != largeSize || !equal {
			t.Fatalf("method %v: copied %d of %d bytes, content equal %v", res.Method, res.Bytes, int64(largeSize), equal)
		}
		wantMethod, wantCalls := MethodKernel, int32(largeSize/chunk+1)
		if m == CopyBuffered {
			wantMethod, wantCalls = MethodBuffered, 0
		}
		if res.Method != wantMethod || f.ranges.Load() < wantCalls {
			t.Errorf("method %v with %d copy_file_range calls, want %v with at least %d", res.Method, f.ranges.Load(), wantMethod, wantCalls)
		}
		os.Remove(filepath.Join(dir, "dst"))
	}
}

// TestSparseCopyPast2GiB keeps the holes of a 3 GiB sparse file whose
// data extents lie on both sides of the 2 GiB mark.
func TestSparseCopyPast2GiB(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "sparse")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 2<<30 - 64<<10, 2<<30 + 1<<20} {
		if _, err := f.WriteAt(payload(256<<10), off); err != nil {
			t.Fatal(err)
		}
	}
	_ = f.Truncate(3 << 30)
	f.Close()
	res := copyLargeFile(t, NewCopier(CopyOptions{}), src, dir)
	var s1, s2 unix.Stat_t
	_ = unix.Stat(src, &s1)
	_ = unix.Stat(filepath.Join(dir, "dst"), &s2)
	if s2.Size != 3<<30 || s2.Blocks > s1.Blocks || res.HoleBytes < 2<<30 {
		t.Errorf("copy: size %d, %d blocks (source %d), holes skipped %d", s2.Size, s2.Blocks, s1.Blocks, res.HoleBytes)
	}
	if !sameContent(t, src, filepath.Join(dir, "dst")) {
		t.Error("content differs")
	}
}

func copyLargeFile(t *testing.T, c *Copier, src, dir string) CopyResult {
	t.Helper()
	res, err := copyInto(t, c, src, dir)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
