//go:build linux

package e2e

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/treesync/treesync/e2e/tree"
)

// loopDevice attaches a loop device to a new 4 MiB image holding data at
// 1 MiB, detached when t ends, and returns its device number and the
// image's contents.
func loopDevice(t *testing.T) (uint64, []byte) {
	t.Helper()
	requireRoot(t)
	requireTool(t, "losetup")
	img := filepath.Join(t.TempDir(), "img")
	data := make([]byte, 4<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 1 << 20; i < 2<<20; i++ {
		data[i] = byte(r.UintN(256))
	}
	must(t, os.WriteFile(img, data, 0o600))
	out, err := exec.Command("losetup", "-f", "--show", img).CombinedOutput()
	if err != nil {
		t.Fatalf("losetup: %v: %s", err, out)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("losetup", "-d", dev).Run() })
	var st unix.Stat_t
	must(t, unix.Stat(dev, &st))
	return st.Rdev, data
}

// TestCopyDevicesVsRsync: --copy-devices copies a block device's contents
// into a regular file of its size, before -D's device node, as rsync;
// a second run finds it up to date. (rsync 3.5 gives the copy the time
// of the run, whatever -t says, and finds it up to date again anyway;
// treesync gives it the device node's, as to any file: README.)
func TestCopyDevicesVsRsync(t *testing.T) {
	rdev, data := loopDevice(t)
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "disk", Kind: tree.BlockDev, Rdev: rdev, Mtime: at}, {Path: "f", Data: []byte("f"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "disk", Data: []byte("an older image"), Mtime: tree.At(50, 0)}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, opts := range [][]string{{"-a", "--copy-devices"}, {"-rt", "--copy-devices", "-D"}, {"-a", "--copy-devices", "--inplace"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			src, dst, ref := twinTrees(t, source, stale)
			r := mustRun(t, treesync, append(append([]string{"-i"}, opts...), src+"/", dst+"/")...)
			rr := mustRun(t, rsync, append(append([]string{"-i"}, opts...), src+"/", ref+"/")...)
			if got, want := itemLines(r.stdout, nil), itemLines(rr.stdout, nil); got != want {
				t.Errorf("itemized lines differ\ntreesync:\n%s\nrsync:\n%s", got, want)
			}
			noDiff(t, "rsync vs treesync", ref, dst, tree.Options{Skip: func(p string) bool { return p == "disk" }})
			got, err := os.ReadFile(filepath.Join(dst, "disk"))
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("disk is not the device's contents (%d bytes, %v)", len(got), err)
			}
			if again := mustRun(t, treesync, append(append([]string{"-i"}, opts...), src+"/", dst+"/")...); itemLines(again.stdout, nil) != "" {
				t.Errorf("a second run changed:\n%s", again.stdout)
			}
		})
	}
}

// TestDropDVsRsync: --drop-D makes no device, fifo or socket whatever
// asks for them (-a, -D after it, --specials), each skipped with rsync's
// line; the nodes already there are left alone or deleted as extraneous,
// as rsync 3.5 does. (--copy-devices still copies a device's data into a
// regular file: TestCopyDevicesVsRsync's times differ from rsync's.)
func TestDropDVsRsync(t *testing.T) {
	requireRoot(t)
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "f", Data: []byte("f"), Mtime: at},
		{Path: "p", Kind: tree.Fifo, Mode: 0o644, Mtime: at},
		{Path: "c", Kind: tree.CharDev, Rdev: unix.Mkdev(1, 3), Mode: 0o644, Mtime: at},
		{Path: "kept", Kind: tree.Fifo, Mode: 0o600, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "kept", Kind: tree.Fifo, Mode: 0o644, Mtime: tree.At(50, 0)},
		{Path: "extra", Kind: tree.Fifo, Mode: 0o644, Mtime: at},
		{Path: "c2", Kind: tree.CharDev, Rdev: unix.Mkdev(1, 5), Mode: 0o644, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-a", "--drop-D"}, {"-a", "--drop-D", "--delete"}, {"--drop-D", "-a", "-D"},
		{"-rlt", "--specials", "--drop-D", "--delete"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			compareTreesWithRsync(t, opts, source, stale)
			dir := t.TempDir()
			build(t, filepath.Join(dir, "src"), source)
			r := mustRun(t, treesync, append(opts, "-i", filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst")+"/")...)
			if !strings.Contains(r.stdout, `skipping non-regular file "p"`) {
				t.Errorf("the fifo was not skipped with rsync's line:\n%s", r)
			}
			if _, err := os.Lstat(filepath.Join(dir, "dst", "p")); err == nil {
				t.Error("--drop-D made a fifo")
			}
		})
	}
}
