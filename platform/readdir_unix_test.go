//go:build unix

package platform

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// ReadDirNames lists from the start whatever read the descriptor (or a
// dup sharing its offset) before; ReadFreshDirNames reads on from the
// offset, which is the start for a descriptor just opened.
func TestReadDirNames(t *testing.T) {
	dir := t.TempDir()
	want := []string{"a", "b", "c"}
	for _, n := range want {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	buf := make([]byte, 4096)
	if got, err := ReadFreshDirNames(fd, buf); err != nil || !slices.Equal(got, want) {
		t.Fatalf("fresh descriptor: %q, %v; want %q", got, err, want)
	}
	if got, err := ReadFreshDirNames(fd, buf); err != nil || len(got) != 0 {
		t.Errorf("read again without a rewind: %q, %v; want nothing (it continues at the end)", got, err)
	}
	dup, err := Dup(fd)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dup)
	for name, d := range map[string]int{"read descriptor": fd, "its dup": dup} {
		if got, err := ReadDirNames(d, buf); err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
	}
}
