//go:build unix

package hashing

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/treesync/treesync/platform"
)

func mapTemp(t *testing.T, data []byte) (*os.File, []byte) {
	t.Helper()
	f := openTemp(t, data)
	m, err := platform.MapFile(int(f.Fd()), 0, len(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { platform.UnmapFile(m) })
	return f, m
}

func TestEqualMapping(t *testing.T) {
	a := make([]byte, 3*os.Getpagesize())
	b := append([]byte(nil), a...)
	b[len(b)-1] = 1
	_, ma := mapTemp(t, a)
	_, ma2 := mapTemp(t, a)
	_, mb := mapTemp(t, b)
	if same, err := equalMapping(ma, ma2); !same || err != nil {
		t.Errorf("equal files: %v, %v", same, err)
	}
	if same, err := equalMapping(ma, mb); same || err != nil {
		t.Errorf("files differing in the last byte: %v, %v", same, err)
	}
}

// A file truncated while mapped faults on its next read; equalMapping
// returns ErrReadFault, the process goes on.
func TestEqualMappingShrunk(t *testing.T) {
	data := make([]byte, 3*os.Getpagesize())
	f, m := mapTemp(t, data)
	_, other := mapTemp(t, data)
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	same, err := equalMapping(m, other)
	if same || !errors.Is(err, ErrReadFault) {
		t.Fatalf("got %v, %v; want ErrReadFault", same, err)
	}
}

func openTemp(t *testing.T, data []byte) *os.File {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// equalWindows on one and on two lanes, with the files differing in each
// window in turn (two lanes take alternate windows), or not at all.
func TestEqualWindows(t *testing.T) {
	size := int64(5*mapWindow + 123)
	base := bytes.Repeat([]byte("treesync"), int(size)/8+1)[:size]
	src := openTemp(t, base)
	for _, lanes := range []int64{1, 2} {
		same, err := equalWindows(int(src.Fd()), int(openTemp(t, base).Fd()), 0, size, lanes, func(int64) {})
		if !same || err != nil {
			t.Errorf("lanes %d, equal files: %v, %v", lanes, same, err)
		}
		for w := int64(0); w*mapWindow < size; w++ {
			other := append([]byte(nil), base...)
			other[min(w*mapWindow+77, size-1)] ^= 1
			same, err := equalWindows(int(src.Fd()), int(openTemp(t, other).Fd()), 0, size, lanes, func(int64) {})
			if same || err != nil {
				t.Errorf("lanes %d, files differing in window %d: %v, %v", lanes, w, same, err)
			}
		}
	}
}

// A destination shorter than the size being compared (truncated after it
// was checked) is an error, not a crash and not "same".
func TestEqualWindowsTruncated(t *testing.T) {
	size := int64(4 * mapWindow)
	data := make([]byte, size)
	src, dst := openTemp(t, data), openTemp(t, data)
	if err := dst.Truncate(mapWindow); err != nil {
		t.Fatal(err)
	}
	same, err := equalWindows(int(src.Fd()), int(dst.Fd()), 0, size, 2, func(int64) {})
	if same || !errors.Is(err, ErrReadFault) {
		t.Fatalf("got %v, %v; want ErrReadFault", same, err)
	}
}

// EqualFiles takes the mapped path from mapMin and the buffered one below
// it, and when a file's size is no longer the listed one.
func TestEqualFiles(t *testing.T) {
	c := New()
	for _, size := range []int{mapMin - 1, mapMin, 3*mapWindow + 5} {
		a := bytes.Repeat([]byte{7}, size)
		b := append([]byte(nil), a...)
		b[size-1] = 8
		fa, fa2, fb := openTemp(t, a), openTemp(t, a), openTemp(t, b)
		if same, err := c.EqualFiles(int(fa.Fd()), int(fa2.Fd()), int64(size)); !same || err != nil {
			t.Errorf("size %d, equal files: %v, %v", size, same, err)
		}
		if same, err := c.EqualFiles(int(fa.Fd()), int(fb.Fd()), int64(size)); same || err != nil {
			t.Errorf("size %d, files differing in the last byte: %v, %v", size, same, err)
		}
	}
	long := openTemp(t, bytes.Repeat([]byte{7}, mapMin+1))
	short := openTemp(t, bytes.Repeat([]byte{7}, mapMin))
	if same, err := c.EqualFiles(int(long.Fd()), int(short.Fd()), mapMin); same || err != nil {
		t.Errorf("a file grown past the listed size: %v, %v (want different)", same, err)
	}
}

// Progress counts the bytes compared, through buffers and mappings.
func TestCompareProgress(t *testing.T) {
	c := New()
	var n atomic.Int64
	c.Progress = &n
	data := bytes.Repeat([]byte("p"), 300<<10)
	if same, err := c.Equal(bytes.NewReader(data), bytes.NewReader(data)); !same || err != nil {
		t.Fatal(same, err)
	}
	if n.Load() != int64(len(data)) {
		t.Errorf("progress %d after comparing %d bytes", n.Load(), len(data))
	}
	big := bytes.Repeat([]byte("q"), int(mapMin)*3)
	a, b := openTemp(t, big), openTemp(t, big)
	n.Store(0)
	if same, err := c.EqualFiles(int(a.Fd()), int(b.Fd()), int64(len(big))); !same || err != nil {
		t.Fatal(same, err)
	}
	if n.Load() != int64(len(big)) {
		t.Errorf("progress %d after comparing %d mapped bytes", n.Load(), len(big))
	}
}
