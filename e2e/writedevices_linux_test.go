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
	"time"

	"github.com/treesync/treesync/e2e/tree"
	"golang.org/x/sys/unix"
)

// writeDevicesCase is one run of TestWriteDevicesVsRsync: the source
// file written onto the destination's block device "disk" (4 MiB), the
// times of both, and what the device must hold after.
type writeDevicesCase struct {
	name       string
	opts       []string
	disk       []byte // the source file "disk"
	srcAt, dst int64  // seconds of the source file's and the node's times
	code       int    // both tools' exit code
	written    bool   // the device holds disk at its start (else as it was)
	again      bool   // a second run is compared too
	single     bool   // the file is named alone, the device as its destination
}

// TestWriteDevicesVsRsync: --write-devices writes a regular file's data
// into the block or character device at its name, as rsync 3.5 does: the
// device compared as a file of its size (its end), neither replaced nor
// truncated, its data past the copy kept, its mode and time set as a
// file's; -c compares its contents, -b backs up its data as a regular
// file, -n writes nothing, a device too small fails with rsync's exit
// code 11; without the option the device is replaced. Each tool writes
// into a loop device of its own; the itemized lines, exit codes, trees
// and the two devices' contents must agree.
func TestWriteDevicesVsRsync(t *testing.T) {
	rdevs := [2]uint64{}
	var image []byte
	rdevs[0], image = loopDevice(t)
	rdevs[1], _ = loopDevice(t)
	r := rand.New(rand.NewPCG(3, 4))
	part := make([]byte, 1536<<10)
	for i := range part {
		part[i] = byte(r.UintN(256))
	}
	whole := append(append([]byte(nil), part...), image[len(part):]...)
	for _, c := range []writeDevicesCase{
		{name: "a", opts: []string{"-a", "--write-devices"}, disk: part, srcAt: 100, dst: 50, written: true, again: true},
		{name: "checksum", opts: []string{"-rt", "-c", "--write-devices"}, disk: part, srcAt: 100, dst: 50, written: true, again: true},
		{name: "backup", opts: []string{"-a", "-b", "--write-devices"}, disk: part, srcAt: 100, dst: 50, written: true},
		{name: "dry run", opts: []string{"-a", "-n", "--write-devices"}, disk: part, srcAt: 100, dst: 50},
		{name: "up to date", opts: []string{"-a", "--write-devices"}, disk: image, srcAt: 50, dst: 50, again: true},
		{name: "same contents", opts: []string{"-a", "-c", "--write-devices"}, disk: image, srcAt: 100, dst: 50},
		{name: "other contents", opts: []string{"-a", "--write-devices"}, disk: whole, srcAt: 100, dst: 50, written: true},
		{name: "too small", opts: []string{"-a", "--write-devices"}, disk: append(image, 1), srcAt: 100, dst: 50, code: 11},
		{name: "replaced", opts: []string{"-a"}, disk: part, srcAt: 100, dst: 50},
		{name: "named alone", opts: []string{"-t", "--write-devices"}, disk: part, srcAt: 100, dst: 50, written: true, again: true, single: true},
		{name: "append", opts: []string{"-a", "--append", "--write-devices"}, disk: whole, srcAt: 100, dst: 50},
	} {
		t.Run(c.name, func(t *testing.T) { writeDevicesVsRsync(t, c, rdevs, image) })
	}
}

func writeDevicesVsRsync(t *testing.T, c writeDevicesCase, rdevs [2]uint64, image []byte) {
	source := []tree.Node{
		{Path: "disk", Data: c.disk, Mode: 0o640, Mtime: tree.At(c.srcAt, 0)},
		{Path: "null", Data: []byte("to nowhere"), Mtime: tree.At(100, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
	}
	stale := func(rdev uint64) []tree.Node {
		return []tree.Node{
			{Path: "disk", Kind: tree.BlockDev, Rdev: rdev, Mode: 0o600, Mtime: tree.At(c.dst, 0)},
			{Path: "null", Kind: tree.CharDev, Rdev: unix.Mkdev(1, 3), Mode: 0o600, Mtime: tree.At(50, 0)},
			{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
		}
	}
	dir := t.TempDir()
	src, dst, ref := filepath.Join(dir, "src"), filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
	build(t, src, source)
	build(t, dst, stale(rdevs[0]))
	build(t, ref, stale(rdevs[1]))
	for _, d := range []string{dst, ref} {
		fillDevice(t, filepath.Join(d, "disk"), image, tree.At(c.dst, 0))
	}
	start := time.Now()
	from, to := "/", "/"
	if c.single {
		from, to = "/disk", "/disk"
	}
	for run := 1; run <= 2; run++ {
		args := append(append([]string{"-i"}, c.opts...), src+from)
		sameRuns(t, run, c.code, treesync(t, append(args, dst+to)...), rsync(t, append(args, ref+to)...))
		if !c.again {
			break
		}
	}
	for _, d := range tree.Diff(ref, dst, tree.Options{TouchedSince: start}) {
		// (rsync stops at a failed write before it reaches "null";
		// treesync's other workers may have done it already)
		if !(d.Path == "disk" && d.Field == tree.FieldRdev) && !(d.Path == "null" && c.code != 0) {
			t.Errorf("rsync vs treesync: %s", d)
		}
	}
	checkDevice(t, c, dst, image)
	checkDevice(t, c, ref, image)
}

// sameRuns checks that treesync's run got and rsync's want end with the
// exit code code and, when it is 0, itemize the same.
func sameRuns(t *testing.T, run, code int, got, want result) {
	t.Helper()
	if got.code != code || want.code != code {
		t.Fatalf("run %d: exit codes %d (treesync), %d (rsync), want %d\n%s\n%s", run, got.code, want.code, code, got, want)
	}
	if g, w := itemLines(got.stdout, nil), itemLines(want.stdout, nil); g != w && code == 0 {
		t.Errorf("run %d: itemized lines differ\ntreesync:\n%s\nrsync:\n%s", run, g, w)
	}
}

// checkDevice checks what dir's "disk" holds after case c: still the
// device unless the option was not given, with c.disk at its start
// when written, else the image as it was.
func checkDevice(t *testing.T, c writeDevicesCase, dir string, image []byte) {
	t.Helper()
	path := filepath.Join(dir, "disk")
	st, err := os.Lstat(path)
	must(t, err)
	if isDev := st.Mode()&os.ModeDevice != 0; isDev != strings.Contains(strings.Join(c.opts, " "), "--write-devices") {
		t.Fatalf("%s: mode %v after %v", path, st.Mode(), c.opts)
	}
	if st.Mode()&os.ModeDevice == 0 {
		return
	}
	got, err := os.ReadFile(path)
	must(t, err)
	want := image
	if c.written {
		want = append(append([]byte(nil), c.disk...), image[len(c.disk):]...)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: the device does not hold what it should (%d bytes read, written %v)", path, len(got), c.written)
	}
}

// fillDevice writes data at the start of the device at path, then gives
// the node the time at (the write changed it).
func fillDevice(t *testing.T, path string, data []byte, at time.Time) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	must(t, err)
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	must(t, f.Sync())
	must(t, f.Close())
	must(t, os.Chtimes(path, at, at))
}

// TestCopyDevicesOntoDevicesVsRsync: --copy-devices --write-devices
// copies one block device's data onto another's, as rsync does (rsync
// 3.5 gives a copied device the time of the run: the node's time is not
// compared, as in TestCopyDevicesVsRsync).
func TestCopyDevicesOntoDevicesVsRsync(t *testing.T) {
	from, image := loopDevice(t)
	rdevs := [2]uint64{}
	rdevs[0], _ = loopDevice(t)
	rdevs[1], _ = loopDevice(t)
	data := bytes.Repeat([]byte("a disk's data "), len(image)/14)
	data = append(data, image[len(data):]...)
	dir := t.TempDir()
	src, dst, ref := filepath.Join(dir, "src"), filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
	root := tree.Node{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)}
	build(t, src, []tree.Node{{Path: "disk", Kind: tree.BlockDev, Rdev: from, Mode: 0o600, Mtime: tree.At(100, 0)}, root})
	fillDevice(t, filepath.Join(src, "disk"), data, tree.At(100, 0))
	for i, d := range []string{dst, ref} {
		build(t, d, []tree.Node{{Path: "disk", Kind: tree.BlockDev, Rdev: rdevs[i], Mode: 0o600, Mtime: tree.At(50, 0)}, root})
	}
	args := []string{"-i", "-a", "--copy-devices", "--write-devices", src + "/"}
	sameRuns(t, 1, 0, treesync(t, append(args, dst+"/")...), rsync(t, append(args, ref+"/")...))
	for _, d := range []string{dst, ref} {
		got, err := os.ReadFile(filepath.Join(d, "disk"))
		must(t, err)
		if !bytes.Equal(got, data) {
			t.Errorf("%s: the device does not hold the source device's data", d)
		}
	}
}

// TestWriteDevicesSparse: -S with --write-devices writes a source file's
// holes onto the device as zeros (a device has no holes: what was there
// must not show through). rsync 3.5 fails here (exit 11, "write failed
// ... Invalid argument": it punches holes in the device).
func TestWriteDevicesSparse(t *testing.T) {
	rdev, image := loopDevice(t)
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	build(t, src, []tree.Node{{Path: "disk", Data: []byte("head"), Extents: []tree.Extent{{Off: 3 << 20, Data: []byte("tail")}},
		Size: 4 << 20, Mtime: tree.At(100, 0)}})
	build(t, dst, []tree.Node{{Path: "disk", Kind: tree.BlockDev, Rdev: rdev, Mtime: tree.At(50, 0)}})
	fillDevice(t, filepath.Join(dst, "disk"), image, tree.At(50, 0))
	mustRun(t, treesync, "-a", "-S", "--write-devices", src+"/", dst+"/")
	got, err := os.ReadFile(filepath.Join(dst, "disk"))
	must(t, err)
	want, err := os.ReadFile(filepath.Join(src, "disk"))
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Error("the device does not hold the sparse file's data with its holes as zeros")
	}
}

// TestWriteDevicesRefusesMounted: --write-devices refuses a block device
// that is mounted (opened exclusively: EBUSY), exit 23, its data left as
// it was; rsync 3.5 writes over the live filesystem. Unmounted, the same
// command writes.
func TestWriteDevicesRefusesMounted(t *testing.T) {
	requireRoot(t)
	requireTool(t, "mkfs.ext4")
	dir := t.TempDir()
	img := filepath.Join(dir, "img")
	must(t, os.WriteFile(img, make([]byte, 8<<20), 0o600))
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v: %s", err, out)
	}
	out, err := exec.Command("losetup", "-f", "--show", img).CombinedOutput()
	if err != nil {
		t.Fatalf("losetup: %v: %s", err, out)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("losetup", "-d", dev).Run() })
	mnt := filepath.Join(dir, "mnt")
	must(t, os.Mkdir(mnt, 0o755))
	if out, err := exec.Command("mount", dev, mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount: %v: %s", err, out)
	}
	mounted := true
	t.Cleanup(func() {
		if mounted {
			_ = exec.Command("umount", mnt).Run()
		}
	})
	file := filepath.Join(dir, "image")
	must(t, os.WriteFile(file, bytes.Repeat([]byte("x"), 1<<20), 0o644))
	before, err := os.ReadFile(dev)
	must(t, err)
	r := treesync(t, "--write-devices", file, dev)
	if r.code != 23 || !strings.Contains(r.stderr, "mounted or in use") {
		t.Fatalf("want exit 23 naming the mounted device:\n%s", r)
	}
	if after, err := os.ReadFile(dev); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("the mounted device was written (%v)", err)
	}
	if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
		t.Fatalf("umount: %v: %s", err, out)
	}
	mounted = false
	mustRun(t, treesync, "--write-devices", file, dev)
	if after, err := os.ReadFile(dev); err != nil || !bytes.Equal(after[:1<<20], bytes.Repeat([]byte("x"), 1<<20)) {
		t.Errorf("the unmounted device was not written (%v)", err)
	}
}
