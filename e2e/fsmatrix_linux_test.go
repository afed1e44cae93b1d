//go:build linux

package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// basePrefix names the per-run directory under the system's temporary
// directory; the process id after it lets a later run find and clean
// up what a crashed run left mounted.
const basePrefix = "treesync-e2e-"

// Filesystem is one filesystem of the matrix.
type Filesystem struct {
	Name string // host, xfs, btrfs, tmpfs
	Root string // a directory on it that tests may use
	Err  error  // why it is not available
	Env  string // environment variable that exports Root to scripts
	// mounted is the mount point to unmount at the end ("" for the host).
	mounted string
}

// image describes a loop-mounted filesystem of the matrix.
type image struct {
	name, env string
	mkfs      []string // the command, the image path appended
}

var images = []image{
	{"xfs", "TREESYNC_TEST_XFS", []string{"mkfs.xfs", "-q", "-f", "-m", "reflink=1"}},
	{"btrfs", "TREESYNC_TEST_BTRFS", []string{"mkfs.btrfs", "-q", "-f"}},
}

const imageSize = 1 << 30 // sparse: only what the tests write is allocated

// setupMatrix prepares every filesystem under base. Failures are kept in
// each Filesystem's Err: the tests decide between skip and failure.
func setupMatrix(base string) []*Filesystem {
	host := &Filesystem{Name: "host", Env: "TREESYNC_TEST_HOST", Root: filepath.Join(base, "host")}
	host.Err = os.Mkdir(host.Root, 0o755)
	if host.Err == nil {
		host.Name = "host-" + fsType(host.Root)
	}
	fss := []*Filesystem{host}
	for _, im := range images {
		fss = append(fss, mountImage(base, im))
	}
	fss = append(fss, mountTmpfs(base))
	for _, fs := range fss {
		if fs.Err == nil {
			os.Setenv(fs.Env, fs.Root)
		}
	}
	return fss
}

func mountImage(base string, im image) *Filesystem {
	fs := &Filesystem{Name: im.name, Env: im.env}
	if os.Geteuid() != 0 {
		fs.Err = errors.New("mounting a loop device needs root")
		return fs
	}
	img := filepath.Join(base, im.name+".img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		fs.Err = err
		return fs
	}
	if err := os.Truncate(img, imageSize); err != nil {
		fs.Err = fmt.Errorf("sparse image: %w", err)
		return fs
	}
	if err := command(append(im.mkfs, img)...); err != nil {
		fs.Err = err
		return fs
	}
	fs.mounted = filepath.Join(base, "mnt-"+im.name)
	fs.Err = mountAt(fs.mounted, "mount", "-o", "loop", img)
	fs.Root = fs.mounted
	return fs
}

func mountTmpfs(base string) *Filesystem {
	fs := &Filesystem{Name: "tmpfs", Env: "TREESYNC_TEST_TMPFS"}
	if os.Geteuid() != 0 {
		fs.Err = errors.New("mounting tmpfs needs root")
		return fs
	}
	fs.mounted = filepath.Join(base, "mnt-tmpfs")
	fs.Err = mountAt(fs.mounted, "mount", "-t", "tmpfs", "-o", "size=1g", "treesync-e2e")
	fs.Root = fs.mounted
	return fs
}

// mountAt creates the mount point dir and runs the mount command (dir
// appended), then checks that dir is a mount point.
func mountAt(dir string, argv ...string) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	if err := command(append(argv, dir)...); err != nil {
		return err
	}
	if !isMountPoint(dir) {
		return fmt.Errorf("%s: not a mount point after %s", dir, strings.Join(argv, " "))
	}
	return nil
}

func command(argv ...string) error {
	if _, err := exec.LookPath(argv[0]); err != nil {
		return fmt.Errorf("%s not installed: %w", argv[0], err)
	}
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// teardownMatrix unmounts what setupMatrix mounted; the caller removes base.
func teardownMatrix(fss []*Filesystem) error {
	var errs []error
	for _, fs := range fss {
		if fs.mounted != "" && isMountPoint(fs.mounted) {
			errs = append(errs, unmount(fs.mounted))
		}
	}
	return errors.Join(errs...)
}

// unmount detaches a mount point, lazily when it is still busy (the
// loop device is then released when its last user goes).
func unmount(dir string) error {
	err := unix.Unmount(dir, 0)
	if err == unix.EBUSY {
		err = unix.Unmount(dir, unix.MNT_DETACH)
	}
	if err != nil {
		return fmt.Errorf("unmount %s: %w", dir, err)
	}
	return nil
}

func isMountPoint(dir string) bool {
	for _, mp := range mountPoints() {
		if mp == dir {
			return true
		}
	}
	return false
}

// mountPoints lists the mount points of this mount namespace.
func mountPoints() []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 {
			out = append(out, unescapeMount(fields[4]))
		}
	}
	return out
}

// unescapeMount decodes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	if u, err := strconv.Unquote(`"` + s + `"`); err == nil {
		return u
	}
	return s
}

func fsType(dir string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return "unknown"
	}
	switch uint32(st.Type) {
	case unix.EXT4_SUPER_MAGIC:
		return "ext4"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	case unix.TMPFS_MAGIC:
		return "tmpfs"
	case unix.OVERLAYFS_SUPER_MAGIC:
		return "overlay"
	}
	return fmt.Sprintf("%#x", st.Type)
}

// forEachFS runs f as a subtest on every filesystem of the matrix. A
// filesystem that could not be set up fails the subtest under CI=true
// and skips it otherwise.
func forEachFS(t *testing.T, f func(t *testing.T, fs *Filesystem)) {
	t.Helper()
	for _, fs := range matrix {
		t.Run(fs.Name, func(t *testing.T) {
			requireFS(t, fs)
			f(t, fs)
		})
	}
}

func requireFS(t *testing.T, fs *Filesystem) {
	t.Helper()
	if fs.Err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("filesystem %s unavailable under CI: %v", fs.Name, fs.Err)
	}
	t.Skipf("filesystem %s unavailable (run as root with xfsprogs and btrfs-progs; CI=true makes this a failure): %v", fs.Name, fs.Err)
}

// TempDir returns a new empty directory on fs, removed after the test.
func (fs *Filesystem) TempDir(t *testing.T) string {
	t.Helper()
	pattern := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + "-*"
	dir, err := os.MkdirTemp(fs.Root, pattern)
	if err != nil {
		t.Fatalf("temp dir on %s: %v", fs.Name, err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return dir
}

// TestFilesystemMatrix checks that each filesystem of the matrix is
// there and is what it claims to be (under CI=true, a missing one fails
// here even when no other test runs on it).
func TestFilesystemMatrix(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		got := fsType(fs.Root)
		if fs.mounted != "" && got != fs.Name {
			t.Errorf("%s is a %s filesystem, want %s", fs.Root, got, fs.Name)
		}
		if fs.mounted == "" && fs.Name != "host-"+got {
			t.Errorf("host directory %s is on %s, named %s", fs.Root, got, fs.Name)
		}
	})
}
