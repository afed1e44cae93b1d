//go:build linux && (amd64 || arm64)

package platform

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestNameAtAllocs: stat and open of a listed name allocate nothing.
func TestNameAtAllocs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dfd, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(dfd)
	stats := testing.AllocsPerRun(100, func() {
		if _, err := Lstatat(dfd, "f"); err != nil {
			t.Fatal(err)
		}
	})
	opens := testing.AllocsPerRun(100, func() {
		fd, err := OpenFileAt(dfd, "f")
		if err != nil {
			t.Fatal(err)
		}
		Close(fd)
	})
	if stats != 0 || opens != 0 {
		t.Errorf("allocations per Lstatat %v, per OpenFileAt+Close %v; want 0", stats, opens)
	}
}

// TestNameAtEdges: the stack copy gives the kernel's answers, and names
// it cannot hold get the wrappers' errors.
func TestNameAtEdges(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("n", unix.NAME_MAX)
	if err := os.WriteFile(filepath.Join(dir, long), []byte("xy"), 0o600); err != nil {
		t.Fatal(err)
	}
	dfd, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer Close(dfd)
	if st, err := Lstatat(dfd, long); err != nil || st.Size != 2 {
		t.Errorf("Lstatat(NAME_MAX name) = size %d, %v; want 2, nil", st.Size, err)
	}
	if fd, err := OpenFileAt(dfd, long); err != nil {
		t.Errorf("OpenFileAt(NAME_MAX name): %v", err)
	} else {
		Close(fd)
	}
	for name, want := range map[string]error{
		long + "n":   unix.ENAMETOOLONG,
		"f\x00g":     unix.EINVAL,
		"missing":    unix.ENOENT,
		"f/../../..": unix.ENOENT,
	} {
		if _, err := Lstatat(dfd, name); !errors.Is(err, want) {
			t.Errorf("Lstatat(%q): %v, want %v", name, err, want)
		}
		if _, err := OpenFileAt(dfd, name); !errors.Is(err, want) {
			t.Errorf("OpenFileAt(%q): %v, want %v", name, err, want)
		}
	}
}

// A path longer than NAME_MAX, as OpenRoot is given, still opens.
func TestNameAtLongPath(t *testing.T) {
	dir := t.TempDir()
	for len(dir) <= unix.NAME_MAX {
		dir = filepath.Join(dir, strings.Repeat("d", 60))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	fd, err := OpenRoot(dir)
	if err != nil {
		t.Fatalf("OpenRoot(%d-byte path): %v", len(dir), err)
	}
	Close(fd)
}
