//go:build linux

package hashing

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// On a full tmpfs a mapping faults reading a hole (the filesystem has no
// page to fill it with), where read returns zeros: EqualFiles compares
// such files by reading them.
func TestEqualFilesHoleOnFullTmpfs(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount tmpfs (CI runs as root): %v", err)
		}
		t.Skipf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, 0) })
	size := int64(2 * mapMin)
	var fds []int
	for _, name := range []string{"a", "b"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		fds = append(fds, int(f.Fd()))
	}
	fill, err := os.Create(filepath.Join(dir, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	defer fill.Close()
	for err == nil {
		_, err = fill.Write(make([]byte, 64<<10))
	}
	if same, handled, err := equalMapped(fds[0], fds[1], size, func(int64) {}); !handled || err == nil {
		t.Fatalf("the mapped comparison of holes on a full tmpfs: %v, %v, %v; want a read fault", same, handled, err)
	}
	if same, err := New().EqualFiles(fds[0], fds[1], size); !same || err != nil {
		t.Errorf("EqualFiles: %v, %v; want the same", same, err)
	}
}
