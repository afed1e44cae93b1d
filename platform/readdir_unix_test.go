//go:build unix

package platform

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// ReadDirNames reads on from a descriptor's offset: all names from one
// just opened, none from one already read to its end. ReopenDir gives a
// descriptor read already (a root listed by --delete-before, or by an
// earlier source) one of its own that lists everything again.
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
	if got, err := ReadDirNames(fd, buf); err != nil || !slices.Equal(got, want) {
		t.Fatalf("fresh descriptor: %q, %v; want %q", got, err, want)
	}
	if got, err := ReadDirNames(fd, buf); err != nil || len(got) != 0 {
		t.Errorf("read again: %q, %v; want nothing (it continues at the end)", got, err)
	}
	again, err := ReopenDir(fd)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(again)
	if got, err := ReadDirNames(again, buf); err != nil || !slices.Equal(got, want) {
		t.Errorf("reopened after a listing: %q, %v; want %q", got, err, want)
	}
	if none, err := ReopenDir(-1); none != -1 || err != nil {
		t.Errorf("ReopenDir(-1) = %d, %v; want -1, nil", none, err)
	}
}
