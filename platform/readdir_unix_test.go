//go:build unix

package platform

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

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

// Listing a directory through OpenDirAt or OpenRoot leaves its access
// time alone, where a plain open and read updates it (relatime: the
// access time is a day old).
func TestListingKeepsAtime(t *testing.T) {
	base := t.TempDir()
	dayOld := time.Now().Add(-50 * time.Hour)
	listed := map[string]func() (int, error){
		"plain open": func() (int, error) {
			return unix.Open(filepath.Join(base, "plain open"), unix.O_RDONLY|unix.O_DIRECTORY, 0)
		},
		"OpenDirAt": func() (int, error) { return OpenDirAt(unix.AT_FDCWD, filepath.Join(base, "OpenDirAt")) },
		"OpenRoot":  func() (int, error) { return OpenRoot(filepath.Join(base, "OpenRoot")) },
	}
	atimes := map[string]int64{}
	for name, open := range listed {
		dir := filepath.Join(base, name)
		if err := errors.Join(os.Mkdir(dir, 0o755), os.WriteFile(filepath.Join(dir, "f"), nil, 0o644),
			os.Chtimes(dir, dayOld, dayOld)); err != nil {
			t.Fatal(err)
		}
		fd, err := open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ReadFreshDirNames(fd, make([]byte, 4096)); err != nil {
			t.Fatal(err)
		}
		unix.Close(fd)
		var st unix.Stat_t
		if err := unix.Stat(dir, &st); err != nil {
			t.Fatal(err)
		}
		atimes[name] = st.Atim.Nano()
	}
	if atimes["plain open"] == dayOld.UnixNano() {
		msg := "the temporary directory's filesystem does not record access times (mounted noatime?)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	for _, name := range []string{"OpenDirAt", "OpenRoot"} {
		if atimes[name] != dayOld.UnixNano() {
			t.Errorf("%s: listing moved the access time from %v to %v", name, dayOld, time.Unix(0, atimes[name]))
		}
	}
}
