package platform

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUnnamedCopy: where the filesystem favours unnamed files, the copy
// has no name until LinkUnnamed, never replaces an existing name, and
// leaves nothing behind when closed unlinked.
func TestUnnamedCopy(t *testing.T) {
	dir := t.TempDir()
	data := payload(70 << 10)
	if err := os.WriteFile(filepath.Join(dir, "src"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	sfd, _ := unix.Open(filepath.Join(dir, "src"), unix.O_RDONLY, 0)
	defer unix.Close(sfd)
	st, _ := Fstat(sfd)
	dfd, _ := OpenRoot(dir)
	defer unix.Close(dfd)
	c := NewCopier(CopyOptions{})
	fd, _, handled, err := c.CopyToUnnamed(sfd, st, dfd, 0o600, st.Dev, nil)
	if handled != unnamedFavoured(dfd) || err != nil {
		t.Fatalf("handled %v (favoured %v), err %v", handled, unnamedFavoured(dfd), err)
	}
	if !handled {
		t.Fatalf("the test directory's filesystem does not take unnamed files")
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("the unnamed copy shows in its directory: %v", names)
	}
	if err := LinkUnnamed(fd, dfd, "src"); !errors.Is(err, unix.EEXIST) {
		t.Errorf("linking over an existing name: %v, want EEXIST", err)
	}
	if err := LinkUnnamed(fd, dfd, "dst"); err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	if got, _ := os.ReadFile(filepath.Join(dir, "dst")); !bytes.Equal(got, data) {
		t.Errorf("linked copy differs from its source")
	}
	fd, _, _, _ = c.CopyToUnnamed(sfd, st, dfd, 0o600, st.Dev, nil)
	unix.Close(fd)
	if names, _ := os.ReadDir(dir); len(names) != 2 {
		t.Errorf("an unlinked copy left something behind: %v", names)
	}
}
