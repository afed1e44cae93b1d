//go:build linux

package platform

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

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
		if _, err := ReadDirNames(fd, make([]byte, 4096)); err != nil {
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
