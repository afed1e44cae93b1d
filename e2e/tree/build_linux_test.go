//go:build linux

package tree

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func buildCorners(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "corners")
	nodes := append([]Node{{Path: ".", Kind: Dir, Mtime: At(0, 0)}}, Corners(isRoot)...)
	if err := Build(dir, nodes); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBuildCorners(t *testing.T) {
	tr, err := Scan(buildCorners(t))
	if err != nil {
		t.Fatal(err)
	}
	check := func(p string, ok func(e *Entry) bool, what string) {
		t.Helper()
		e := tr.Entries[p]
		if e == nil || !ok(e) {
			t.Errorf("%q: want %s, got %+v", p, what, e)
		}
	}
	check("dir/setuid", func(e *Entry) bool { return e.Mode&07777 == 0o4755 }, "mode 4755")
	check("setgid-dir", func(e *Entry) bool { return e.Mode&07777 == 0o2775 }, "mode 2775")
	check("sticky-dir", func(e *Entry) bool { return e.Mode&07777 == 0o1777 }, "mode 1777")
	check("dir", func(e *Entry) bool { return e.Mtime.Nsec == 111111111 }, "mtime ns 111111111")
	check("links/dangling", func(e *Entry) bool { return e.Target == "does/not/exist" && e.Mtime.Nsec == 14 }, "dangling symlink with mtime")
	check("special/fifo", func(e *Entry) bool { return e.Type() == unix.S_IFIFO }, "a fifo")
	check("special/socket", func(e *Entry) bool { return e.Type() == unix.S_IFSOCK }, "a socket")
	check("names/bad-\xff\xfe-utf8", func(e *Entry) bool { return e.Size == 3 }, "3 bytes")
	check("names/"+LongName("long-", 255), func(e *Entry) bool { return e.Size == 3 }, "a 255-byte name")
	if isRoot {
		check("owned/link", func(e *Entry) bool { return e.UID == 1234 && e.GID == 5678 }, "owner 1234:5678")
		check("dir/setuid", func(e *Entry) bool { return e.Mode&07777 == 0o4755 }, "setuid kept after chown")
		check("special/null", func(e *Entry) bool { return e.Type() == unix.S_IFCHR && e.Rdev == unix.Mkdev(1, 3) }, "char device 1,3")
	}
	deep := ""
	for _, p := range tr.Paths {
		if strings.HasSuffix(p, "/leaf") {
			deep = p
		}
	}
	if len(deep) <= PathMax {
		t.Errorf("deepest leaf %d bytes long, want > %d", len(deep), PathMax)
	}
}

func TestDiffCornersEqualAndDeepChange(t *testing.T) {
	a, b := buildCorners(t), buildCorners(t)
	expect(t, Diff(a, b, Options{CheckBlocks: true}))
	deep := DeepPath("deep", PathMax+100) + "/leaf"
	fd, err := unix.Open(b, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	must(t, err)
	defer unix.Close(fd)
	dir, name, err := OpenParent(fd, deep, false)
	must(t, err)
	defer unix.Close(dir)
	must(t, unix.Fchmodat(dir, name, 0o600, 0))
	expect(t, Diff(a, b, Options{}), deep+" mode")
}
