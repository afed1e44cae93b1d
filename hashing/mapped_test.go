//go:build unix

package hashing

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func mapTemp(t *testing.T, data []byte) (*os.File, []byte) {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	m, err := unix.Mmap(int(f.Fd()), 0, len(data), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(m) })
	return f, m
}

func TestEqualMapped(t *testing.T) {
	a := make([]byte, 3*os.Getpagesize())
	b := append([]byte(nil), a...)
	b[len(b)-1] = 1
	_, ma := mapTemp(t, a)
	_, ma2 := mapTemp(t, a)
	_, mb := mapTemp(t, b)
	if same, err := EqualMapped(ma, ma2); !same || err != nil {
		t.Errorf("equal files: %v, %v", same, err)
	}
	if same, err := EqualMapped(ma, mb); same || err != nil {
		t.Errorf("files differing in the last byte: %v, %v", same, err)
	}
}

// A file truncated while mapped faults on its next read; EqualMapped
// returns ErrReadFault, the process goes on.
func TestEqualMappedShrunk(t *testing.T) {
	data := make([]byte, 3*os.Getpagesize())
	f, m := mapTemp(t, data)
	_, other := mapTemp(t, data)
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	same, err := EqualMapped(m, other)
	if same || !errors.Is(err, ErrReadFault) {
		t.Fatalf("got %v, %v; want ErrReadFault", same, err)
	}
}
