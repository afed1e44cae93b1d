//go:build linux

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/treesync/treesync/e2e/tree"
)

// requireRoot fails under CI and skips elsewhere when not root.
func requireRoot(t *testing.T) {
	t.Helper()
	if isRoot() {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("this test needs root (mounts, other users) and CI=true")
	}
	t.Skip("needs root")
}

// smallTmpfs mounts a tmpfs of the given size (e.g. "16m") and returns it.
func smallTmpfs(t *testing.T, size string, opts ...string) string {
	t.Helper()
	requireRoot(t)
	dir := t.TempDir()
	args := append([]string{"-t", "tmpfs", "-o", "size=" + size}, opts...)
	if out, err := exec.Command("mount", append(args, "tmpfs", dir)...).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestFullDisk mirrors more than fits: exit 11 with a message that says
// so, no temporaries, no partial file under a final name, every old
// destination file intact or fully replaced, and no deletions at all.
func TestFullDisk(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	bigTree(t, src, 200, 6, 4<<20)
	dst := smallTmpfs(t, "12m")
	build(t, dst, []tree.Node{
		{Path: "extraneous", Data: []byte("must survive"), Mtime: tree.At(10, 0)},
		{Path: "d00/f0000", Data: []byte("old content"), Mtime: tree.At(11, 0)},
	})
	r := treesync(t, "-a", "--delete", src+"/", dst+"/")
	if r.code != 11 || !strings.Contains(r.stderr, "no space left on device") {
		t.Fatalf("want exit 11 naming the full disk, got\n%s", r)
	}
	if n := countTemporaries(dst); n != 0 {
		t.Errorf("%d temporaries left on the full disk", n)
	}
	if got, err := os.ReadFile(filepath.Join(dst, "extraneous")); err != nil || string(got) != "must survive" {
		t.Errorf("a run that failed deleted or changed an extraneous file: %q %v", got, err)
	}
	old, _ := os.ReadFile(filepath.Join(dst, "d00/f0000"))
	want, _ := os.ReadFile(filepath.Join(src, "d00/f0000"))
	if string(old) != "old content" && !bytes.Equal(old, want) {
		t.Errorf("an existing file is neither its old nor its new content: %q", old)
	}
	os.Remove(filepath.Join(dst, "d00/f0000"))
	os.Remove(filepath.Join(dst, "extraneous"))
	finalNamesMatch(t, src, dst)
}

// TestReadOnlyDestination: exit 11 with a clear message, nothing changed.
func TestReadOnlyDestination(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	bigTree(t, src, 20, 0, 0)
	dst := smallTmpfs(t, "8m")
	build(t, dst, []tree.Node{{Path: "old", Data: []byte("old"), Mtime: tree.At(10, 0)}})
	if out, err := exec.Command("mount", "-o", "remount,ro", dst).CombinedOutput(); err != nil {
		t.Fatalf("remount ro: %v: %s", err, out)
	}
	before := identities(t, dst)
	r := treesync(t, "-a", "--delete", src+"/", dst+"/")
	if r.code != 11 || !strings.Contains(r.stderr, "read-only file system") {
		t.Fatalf("want exit 11 naming the read-only filesystem, got\n%s", r)
	}
	if changed := changedPaths(before, identities(t, dst)); len(changed) > 0 {
		t.Errorf("read-only destination changed: %q", changed)
	}
}

// TestConcurrentRunsLock: a second run on the same destination fails at
// once with exit 26, or waits with --lock-wait; the result is the mirror.
func TestConcurrentRunsLock(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	bigTree(t, src, 50, 3, 64<<20)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	first := startTreesync(t, &stderr, "-a", "--copy-method=buffered", "--fsync", src+"/", dst+"/")
	time.Sleep(100 * time.Millisecond)
	second := treesync(t, "-a", src+"/", dst+"/")
	if second.code != 26 || !strings.Contains(second.stderr, "another treesync run") {
		t.Errorf("second run while the first holds the lock: want exit 26, got\n%s", second)
	}
	waiter := treesync(t, "-a", "--lock-wait=60s", src+"/", dst+"/")
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v\n%s", err, stderr.String())
	}
	if waiter.code != 0 {
		t.Errorf("run with --lock-wait: want exit 0, got\n%s", waiter)
	}
	noDiff(t, "source vs mirror", src, dst, tree.Options{})
}

// TestOverlappingTrees: a destination inside the source is not walked
// into; a source inside the destination survives --delete; SRC equal to
// DST is a no-op.
func TestOverlappingTrees(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	bigTree(t, src, 10, 0, 0)
	mustRun(t, treesync, "-a", src+"/", filepath.Join(src, "backup")+"/")
	if _, err := os.Lstat(filepath.Join(src, "backup", "backup")); err == nil {
		t.Errorf("the destination inside the source was copied into itself")
	}
	data := filepath.Join(dir, "data")
	inner := filepath.Join(data, "inner", "src")
	bigTree(t, inner, 5, 0, 0)
	build(t, data, []tree.Node{{Path: "extra", Data: []byte("x")}})
	mustRun(t, treesync, "-a", "--delete", inner+"/", data+"/")
	if _, err := os.Stat(filepath.Join(inner, "d00", "f0000")); err != nil {
		t.Errorf("--delete removed the source that lies inside the destination: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(data, "extra")); err == nil {
		t.Errorf("the extraneous file beside the source was not deleted")
	}
	before := identities(t, src)
	r := mustRun(t, treesync, "-a", "--delete", src+"/", src+"/")
	if !strings.Contains(r.stderr, "same directory") || len(changedPaths(before, identities(t, src))) > 0 {
		t.Errorf("SRC equal to DST: want a message and no change:\n%s", r)
	}
}

// TestPlantedSymlinkReplaced: where the source has a directory, a symlink
// planted in the destination (pointing outside) is replaced by a real
// directory; nothing is ever written through it.
func TestPlantedSymlinkReplaced(t *testing.T) {
	dir := t.TempDir()
	src, dst, outside := filepath.Join(dir, "src"), filepath.Join(dir, "dst"), filepath.Join(dir, "outside")
	bigTree(t, src, 5, 0, 0)
	build(t, outside, []tree.Node{{Path: "precious", Data: []byte("keep")}})
	build(t, dst, []tree.Node{{Path: "d00", Kind: tree.Symlink, Target: outside}})
	before := identities(t, outside)
	mustRun(t, treesync, "-a", src+"/", dst+"/")
	if st, err := os.Lstat(filepath.Join(dst, "d00")); err != nil || !st.IsDir() {
		t.Errorf("the planted symlink was not replaced by a directory: %v", err)
	}
	if changed := changedPaths(before, identities(t, outside)); len(changed) > 0 {
		t.Errorf("the run wrote through the planted symlink: %q changed", changed)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 1 {
		t.Errorf("files appeared outside the destination: %d entries", len(entries))
	}
	noDiff(t, "source vs mirror", src, dst, tree.Options{})
}

// TestUnreadableAsOrdinaryUser runs treesync as uid 65534 on a tree with
// an unreadable file and an unreadable directory: exit 23, both paths
// named, everything else copied, and nothing deleted under the unreadable
// directory.
func TestUnreadableAsOrdinaryUser(t *testing.T) {
	requireRoot(t)
	base, err := os.MkdirTemp("", "treesync-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
	build(t, src, []tree.Node{
		{Path: "ok", Data: []byte("fine")}, {Path: "secret", Data: []byte("no")},
		{Path: "locked", Kind: tree.Dir}, {Path: "open/f", Data: []byte("f")},
	})
	build(t, dst, []tree.Node{{Path: "locked/keep", Data: []byte("keep")}})
	for _, p := range []string{base, src, dst, filepath.Join(dst, "locked"), filepath.Join(dst, "locked/keep")} {
		must(t, os.Chmod(p, 0o777))
		must(t, os.Lchown(p, 65534, 65534))
	}
	must(t, os.Chmod(filepath.Join(src, "secret"), 0)) // a zero Mode in tree.Node means the default
	must(t, os.Chmod(filepath.Join(src, "locked"), 0))
	bin := filepath.Join(base, "treesync")
	copyBinary(t, bin)
	cmd := exec.Command(bin, "-rlt", "--delete", src+"/", dst+"/")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 23 {
		t.Fatalf("want exit 23, got %v:\n%s", err, out.String())
	}
	for _, p := range []string{"secret", "locked"} {
		if !strings.Contains(out.String(), p) {
			t.Errorf("the error output does not name %q:\n%s", p, out.String())
		}
	}
	for _, p := range []string{"ok", "open/f", "locked/keep"} {
		if _, err := os.Stat(filepath.Join(dst, p)); err != nil {
			t.Errorf("%s missing after the run: %v", p, err)
		}
	}
}

func copyBinary(t *testing.T, to string) {
	t.Helper()
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(to, data, 0o755))
}

// TestTimeoutStopsStalledRun: --timeout ends a run in which nothing
// progresses — here one waiting for a destination lock held elsewhere —
// with rsync's exit code 30, long before --lock-wait would.
func TestTimeoutStopsStalledRun(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	bigTree(t, src, 3, 0, 0)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Open(dst, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := treesync(t, "-a", "--timeout=1", "--lock-wait=60s", src+"/", dst+"/")
	if r.code != 30 || !strings.Contains(r.stderr, "timeout") || time.Since(start) > 30*time.Second {
		t.Errorf("want exit 30 after about a second, got after %v\n%s", time.Since(start), r)
	}
	_ = syscall.Flock(fd, syscall.LOCK_UN)
	if ok := treesync(t, "-a", "--timeout=5", src+"/", dst+"/"); ok.code != 0 {
		t.Errorf("a run that progresses is not stopped: want exit 0\n%s", ok)
	}
}

// TestOneFileSystemVsRsync: -x makes a mount point inside the source an
// empty directory, -xx leaves it out, as rsync does (a tmpfs is mounted
// inside the source for it; root needed).
func TestOneFileSystemVsRsync(t *testing.T) {
	requireRoot(t)
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/a", Data: []byte("a"), Mtime: at},
		{Path: "mnt", Kind: tree.Dir, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, opts := range [][]string{{"-ax"}, {"-axx"}, {"-a", "-x", "--one-file-system"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			src, dst, ref := twinTrees(t, source, []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at}})
			mnt := filepath.Join(src, "mnt")
			if out, err := exec.Command("mount", "-t", "tmpfs", "none", mnt).CombinedOutput(); err != nil {
				t.Fatalf("mount: %v %s", err, out)
			}
			defer exec.Command("umount", mnt).Run()
			if err := os.WriteFile(filepath.Join(mnt, "inside"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append(append([]string{"-i"}, opts...), src+"/")
			start := time.Now().Add(-time.Second)
			r, rr := treesync(t, append(args, dst+"/")...), rsync(t, append(args, ref+"/")...)
			if r.code != 0 || rr.code != 0 || itemLines(r.stdout, nil) != itemLines(rr.stdout, nil) {
				t.Errorf("want the same lines:\n%s\n%s", r, rr)
			}
			noDiff(t, "rsync vs treesync", ref, dst, tree.Options{TouchedSince: start})
		})
	}
}
