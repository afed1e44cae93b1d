//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

var (
	binary string        // the treesync binary built by TestMain
	matrix []*Filesystem // the filesystems the tests run on
)

func TestMain(m *testing.M) {
	os.Exit(mainRun(m))
}

// mainRun builds the binary and the filesystem matrix, runs the tests
// and tears everything down, whatever happened.
func mainRun(m *testing.M) int {
	cleanStale(os.TempDir())
	base, err := os.MkdirTemp("", basePrefix+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	defer removeBase(base)
	if binary, err = buildBinary(base); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 2
	}
	matrix = setupMatrix(base)
	defer func() {
		if err := teardownMatrix(matrix); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: teardown:", err)
		}
	}()
	for _, fs := range matrix {
		if fs.Err != nil {
			fmt.Fprintf(os.Stderr, "e2e: filesystem %s unavailable: %v\n", fs.Name, fs.Err)
		}
	}
	return m.Run()
}

// buildBinary builds cmd/treesync from this working tree, unless
// TREESYNC_E2E_BINARY names a binary to test instead.
func buildBinary(base string) (string, error) {
	bin := filepath.Join(base, "bin", "treesync")
	if prebuilt := os.Getenv("TREESYNC_E2E_BINARY"); prebuilt != "" {
		return bin, linkBinary(prebuilt, bin) // scripts find it as "treesync"
	}
	cmd := exec.Command("go", "build", "-tags", "urfave_cli_no_docs", "-o", bin, "../cmd/treesync")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as make build
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

func linkBinary(prebuilt, bin string) error {
	abs, err := filepath.Abs(prebuilt)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return err
	}
	return os.Symlink(abs, bin)
}

func removeBase(base string) {
	if err := os.RemoveAll(base); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: cleanup:", err)
	}
}

// cleanStale unmounts and removes what earlier runs of this test left
// under tmp: directories named basePrefix<pid>-* whose process is gone.
func cleanStale(tmp string) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, basePrefix+"*"))
	for _, dir := range dirs {
		if processAlive(stalePid(dir)) {
			continue
		}
		for _, mp := range mountPoints() {
			if strings.HasPrefix(mp, dir+"/") {
				if err := unmount(mp); err != nil {
					fmt.Fprintln(os.Stderr, "e2e: stale mount:", err)
				}
			}
		}
		fmt.Fprintln(os.Stderr, "e2e: removing leftovers of a crashed run:", dir)
		removeBase(dir)
	}
}

// stalePid returns the process id in a base directory's name, or 0.
func stalePid(dir string) int {
	rest := strings.TrimPrefix(filepath.Base(dir), basePrefix)
	pid, _ := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
	return pid
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if unix.Kill(pid, 0) == unix.ESRCH {
		return false
	}
	// A killed process not yet reaped is a zombie: dead all the same.
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}
