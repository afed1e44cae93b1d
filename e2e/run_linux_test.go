//go:build linux

package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/treesync/treesync/e2e/tree"
)

// result is what one run of a command left.
type result struct {
	argv           []string
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return strings.Join(r.argv, " ") + "\nexit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "stderr:\n" + r.stderr
}

// runLimit is how long one command of a test may run: a hang (rsync 3.5
// has one under -H --ignore-existing) fails its test, not the whole run.
const runLimit = 3 * time.Minute

// execIn runs argv in dir ("" for the current directory) and returns its
// output and exit code; failing to start it, or its running past
// runLimit, fails the test.
func execIn(t *testing.T, dir string, argv ...string) result {
	t.Helper()
	return execWith(t, func(c *exec.Cmd) { c.Dir = dir }, argv...)
}

// execWith runs argv, set up by setup, and returns what it printed and
// its exit code; it fails the test when argv cannot start or outlives
// runLimit.
func execWith(t *testing.T, setup func(*exec.Cmd), argv ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	setup(cmd)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{argv: argv, stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("still running after %v, killed:\n%s", runLimit, r)
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", argv[0], err)
	}
	return r
}

// treesync runs the binary under test.
func treesync(t *testing.T, args ...string) result {
	t.Helper()
	return execIn(t, "", append([]string{binary}, args...)...)
}

// rsync runs the real rsync; tests that need it skip (or fail under CI)
// when it is missing.
func rsync(t *testing.T, args ...string) result {
	t.Helper()
	requireTool(t, "rsync")
	return execIn(t, "", append([]string{"rsync"}, args...)...)
}

func requireTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (required under CI)", name)
	}
	t.Skipf("%s is not installed", name)
}

// mustRun runs treesync or rsync and fails the test unless it exits 0.
func mustRun(t *testing.T, run func(*testing.T, ...string) result, args ...string) result {
	t.Helper()
	r := run(t, args...)
	if r.code != 0 {
		t.Fatalf("unexpected failure:\n%s", r)
	}
	return r
}

// noDiff fails the test with every difference between trees a and b.
func noDiff(t *testing.T, what, a, b string, opts tree.Options) {
	t.Helper()
	diffs := tree.Diff(a, b, opts)
	for _, d := range diffs {
		t.Errorf("%s: %s", what, d)
	}
}

func isRoot() bool { return os.Geteuid() == 0 }

// noDiffDeleted compares a tree that --delete worked on: every attribute,
// directory mtimes included (deferred deletions must put back the times of
// the directories they delete from).
func noDiffDeleted(t *testing.T, what, a, b string) {
	t.Helper()
	noDiff(t, what, a, b, tree.Options{})
}

// twinTrees builds source in a new directory's src, and stale twice
// beside it: the destination treesync syncs (treesync) and the one rsync
// syncs (rsync).
func twinTrees(t *testing.T, source, stale []tree.Node) (src, dst, ref string) {
	t.Helper()
	dir := t.TempDir()
	src, dst, ref = filepath.Join(dir, "src"), filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
	build(t, src, source)
	build(t, dst, stale)
	build(t, ref, stale)
	return src, dst, ref
}
