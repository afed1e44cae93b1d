//go:build linux

package tree

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

var isRoot = os.Geteuid() == 0

// skipOrFail skips a test whose environment is missing, except in CI
// (CI=true), where a missing environment is a failure.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and the test environment is missing: %s", msg)
	}
	t.Skip(msg)
}

// base is a small tree with one entry of each common kind, all times set.
func base() []Node {
	return []Node{
		{Path: ".", Kind: Dir, Mtime: At(0, 1)},
		{Path: "d", Kind: Dir, Mtime: At(1, 1)},
		{Path: "d/f", Data: []byte("abcdef"), Mtime: At(2, 2)},
		{Path: "d/g", Data: []byte("g"), Mode: 0o600, Mtime: At(3, 3)},
		{Path: "d/h1", Data: []byte("hard"), Mtime: At(4, 4)},
		{Path: "d/h2", Kind: Hardlink, Target: "d/h1"},
		{Path: "l", Kind: Symlink, Target: "d/f", Mtime: At(5, 5)},
		{Path: "p", Kind: Fifo, Mtime: At(6, 6)},
		{Path: "s", Kind: Socket, Mtime: At(7, 7)},
		{Path: "bad\xff\nname", Data: []byte("odd"), Mtime: At(8, 8)},
		{Path: "sparse", Extents: []Extent{{Off: 1 << 20, Data: []byte("data")}}, Size: 4 << 20, Mtime: At(9, 9)},
	}
}

// pair builds base() twice and returns the two roots.
func pair(t *testing.T, extra ...Node) (string, string) {
	t.Helper()
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for _, dir := range []string{a, b} {
		if err := Build(dir, append(base(), extra...)); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

// expect checks that diffs names exactly the (path, field) pairs given.
func expect(t *testing.T, diffs []Difference, want ...string) {
	t.Helper()
	var got []string
	for _, d := range diffs {
		got = append(got, d.Path+" "+d.Field)
	}
	sort.Strings(want)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("differences:\n got  %q\n want %q", got, want)
		for _, d := range diffs {
			t.Log(d)
		}
	}
}

func TestDiffIdenticalTrees(t *testing.T) {
	a, b := pair(t)
	expect(t, Diff(a, b, Options{CheckBlocks: true}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func setMtimeNs(t *testing.T, path string, sec, nsec int64) {
	t.Helper()
	ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, unix.NsecToTimespec(At(sec, nsec).UnixNano())}
	must(t, unix.UtimesNanoAt(unix.AT_FDCWD, path, ts, unix.AT_SYMLINK_NOFOLLOW))
}

func TestDiffCatchesEachField(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(t *testing.T, b string)
		want   []string
	}{
		{"extra in B", func(t *testing.T, b string) {
			must(t, os.WriteFile(b+"/d/new", nil, 0o644))
			setMtimeNs(t, b+"/d", 1, 1)
		}, []string{"d/new present"}},
		{"missing dir in B", func(t *testing.T, b string) {
			must(t, os.RemoveAll(b+"/d"))
			setMtimeNs(t, b, 0, 1)
		}, []string{"d present"}},
		{"type", func(t *testing.T, b string) {
			must(t, os.Remove(b+"/p"))
			must(t, os.Mkdir(b+"/p", 0o755))
			setMtimeNs(t, b, 0, 1)
		}, []string{"p type"}},
		{"mode", func(t *testing.T, b string) { must(t, unix.Chmod(b+"/d/g", 0o640)) }, []string{"d/g mode"}},
		{"setuid bit", func(t *testing.T, b string) { must(t, unix.Chmod(b+"/d/g", 0o4600)) }, []string{"d/g mode"}},
		{"sticky dir", func(t *testing.T, b string) { must(t, unix.Chmod(b+"/d", 0o1755)) }, []string{"d mode"}},
		{"size", func(t *testing.T, b string) {
			must(t, os.WriteFile(b+"/d/f", []byte("abc"), 0o644))
			setMtimeNs(t, b+"/d/f", 2, 2)
		}, []string{"d/f size"}},
		{"content same size", func(t *testing.T, b string) {
			must(t, os.WriteFile(b+"/d/f", []byte("abcdeX"), 0o644))
			setMtimeNs(t, b+"/d/f", 2, 2)
		}, []string{"d/f content"}},
		{"file mtime 1ns", func(t *testing.T, b string) { setMtimeNs(t, b+"/d/f", 2, 3) }, []string{"d/f mtime"}},
		{"dir mtime", func(t *testing.T, b string) { setMtimeNs(t, b+"/d", 1, 2) }, []string{"d mtime"}},
		{"root mtime", func(t *testing.T, b string) { setMtimeNs(t, b, 0, 2) }, []string{". mtime"}},
		{"symlink mtime", func(t *testing.T, b string) { setMtimeNs(t, b+"/l", 5, 6) }, []string{"l mtime"}},
		{"fifo mtime", func(t *testing.T, b string) { setMtimeNs(t, b+"/p", 6, 7) }, []string{"p mtime"}},
		{"symlink target", func(t *testing.T, b string) {
			must(t, os.Remove(b+"/l"))
			must(t, os.Symlink("d/g", b+"/l"))
			setMtimeNs(t, b+"/l", 5, 5)
			setMtimeNs(t, b, 0, 1)
		}, []string{"l target"}},
		{"hard link broken", func(t *testing.T, b string) {
			must(t, os.Remove(b+"/d/h2"))
			must(t, os.WriteFile(b+"/d/h2", []byte("hard"), 0o644))
			setMtimeNs(t, b+"/d/h2", 4, 4)
			setMtimeNs(t, b+"/d", 1, 1)
		}, []string{"d/h1 links", "d/h2 links"}},
		{"odd name content", func(t *testing.T, b string) {
			must(t, os.WriteFile(b+"/bad\xff\nname", []byte("ODD"), 0o644))
			setMtimeNs(t, b+"/bad\xff\nname", 8, 8)
		}, []string{"bad\xff\nname content"}},
		{"xattr value", func(t *testing.T, b string) {
			must(t, unix.Lsetxattr(b+"/d/f", "user.k", []byte("v"), 0))
		}, []string{"d/f xattr:user.k"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := pair(t)
			c.mutate(t, b)
			expect(t, Diff(a, b, Options{}), c.want...)
		})
	}
}

func TestDiffOwnerAndDevices(t *testing.T) {
	if !isRoot {
		skipOrFail(t, "needs root: chown and mknod")
	}
	dev := Node{Path: "dev", Kind: CharDev, Rdev: unix.Mkdev(1, 3), Mtime: At(1, 0)}
	a, b := pair(t, dev)
	must(t, unix.Lchown(b+"/d/f", 1234, -1))
	must(t, unix.Lchown(b+"/l", -1, 5678))
	must(t, os.Remove(b+"/dev"))
	must(t, unix.Mknod(b+"/dev", unix.S_IFCHR|0o644, int(unix.Mkdev(1, 5))))
	setMtimeNs(t, b+"/dev", 1, 0)
	setMtimeNs(t, b, 0, 1)
	expect(t, Diff(a, b, Options{}), "d/f uid", "l gid", "dev rdev")
	expect(t, Diff(a, b, Options{IgnoreOwner: true}), "dev rdev")
}

func TestDiffACL(t *testing.T) {
	if _, err := exec.LookPath("setfacl"); err != nil {
		skipOrFail(t, "setfacl not installed (apt-get install acl)")
	}
	a, b := pair(t)
	if out, err := exec.Command("setfacl", "-m", "u:1234:r", b+"/d/f").CombinedOutput(); err != nil {
		t.Fatalf("setfacl: %v: %s", err, out)
	}
	// The group bits now show the ACL mask, r--: the mode is still 0644.
	expect(t, Diff(a, b, Options{}), "d/f xattr:system.posix_acl_access")
}

func TestDiffOptions(t *testing.T) {
	a, b := pair(t)
	setMtimeNs(t, b+"/d", 1, 9)
	expect(t, Diff(a, b, Options{IgnoreDirMtime: true}))
	must(t, unix.Lsetxattr(b+"/d/f", "user.k", []byte("v"), 0))
	expect(t, Diff(a, b, Options{IgnoreDirMtime: true, IgnoreXattrs: true}))
	skipD := func(p string) bool { return p == "d" }
	expect(t, Diff(a, b, Options{Skip: skipD}))
}

func TestDiffAtime(t *testing.T) {
	a, b := pair(t)
	ts := []unix.Timespec{{Sec: 12345, Nsec: 6}, {Nsec: unix.UTIME_OMIT}}
	must(t, unix.UtimesNanoAt(unix.AT_FDCWD, b+"/d/g", ts, 0))
	expect(t, Diff(a, b, Options{}))
	var got []string
	for _, d := range Diff(a, b, Options{Atime: true}) {
		if d.Path == "d/g" {
			got = append(got, d.Field)
		}
	}
	if len(got) != 1 || got[0] != FieldAtime {
		t.Errorf("with Atime, d/g differences = %q, want [atime]", got)
	}
}

func TestDiffBlocks(t *testing.T) {
	a, b := pair(t)
	dense := make([]byte, 4<<20)
	copy(dense[1<<20:], "data")
	must(t, os.WriteFile(b+"/sparse", dense, 0o644))
	setMtimeNs(t, b+"/sparse", 9, 9)
	expect(t, Diff(a, b, Options{}))
	expect(t, Diff(a, b, Options{CheckBlocks: true}), "sparse blocks")
	// The check is one-sided: a copy may be sparser than its source.
	expect(t, Diff(b, a, Options{CheckBlocks: true}))
}

func TestDiffScanError(t *testing.T) {
	a, _ := pair(t)
	d := Diff(a, filepath.Join(t.TempDir(), "nope"), Options{})
	if len(d) != 1 || d[0].Field != FieldScan || !strings.Contains(d[0].B, "nope") {
		t.Errorf("Diff against a missing tree = %v, want one scan error naming it", d)
	}
}
