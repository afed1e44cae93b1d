//go:build unix

package executor

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/treesync/treesync/hashing"
)

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

// sameWindows on one and on two lanes, with the files differing in each
// window in turn (two lanes take alternate windows), or not at all.
func TestSameWindows(t *testing.T) {
	size := int64(5*mapWindow + 123)
	base := bytes.Repeat([]byte("treesync"), int(size)/8+1)[:size]
	src := openTemp(t, base)
	for _, lanes := range []int64{1, 2} {
		same, err := sameWindows(int(src.Fd()), int(openTemp(t, base).Fd()), 0, size, lanes)
		if !same || err != nil {
			t.Errorf("lanes %d, equal files: %v, %v", lanes, same, err)
		}
		for w := int64(0); w*mapWindow < size; w++ {
			other := append([]byte(nil), base...)
			other[min(w*mapWindow+77, size-1)] ^= 1
			same, err := sameWindows(int(src.Fd()), int(openTemp(t, other).Fd()), 0, size, lanes)
			if same || err != nil {
				t.Errorf("lanes %d, files differing in window %d: %v, %v", lanes, w, same, err)
			}
		}
	}
}

// A destination shorter than the size being compared (truncated after it
// was checked) is an error, not a crash and not "same".
func TestSameWindowsTruncated(t *testing.T) {
	size := int64(4 * mapWindow)
	data := make([]byte, size)
	src, dst := openTemp(t, data), openTemp(t, data)
	if err := dst.Truncate(mapWindow); err != nil {
		t.Fatal(err)
	}
	same, err := sameWindows(int(src.Fd()), int(dst.Fd()), 0, size, 2)
	if same || !errors.Is(err, hashing.ErrReadFault) {
		t.Fatalf("got %v, %v; want ErrReadFault", same, err)
	}
}
