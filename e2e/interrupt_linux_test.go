//go:build linux

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/treesync/treesync/e2e/tree"
	"github.com/treesync/treesync/planner"
)

// bigTree is a source of many small files and a few large ones, so that a
// run lasts long enough to be interrupted at several points.
func bigTree(t *testing.T, dir string, small, large int, largeSize int) {
	t.Helper()
	var nodes []tree.Node
	for i := range small {
		nodes = append(nodes, tree.Node{Path: fmt.Sprintf("d%02d/f%04d", i%20, i),
			Data: []byte(strings.Repeat(fmt.Sprintf("small %d ", i), 1+i%50)), Mtime: tree.At(1000+int64(i), 0)})
	}
	for i := range large {
		nodes = append(nodes, tree.Node{Path: fmt.Sprintf("large/l%d", i), Data: pattern(largeSize, byte(i)),
			Mtime: tree.At(5000+int64(i), 0)})
	}
	build(t, dir, nodes)
}

// pattern is size bytes whose every 4 KiB block names its offset, so a
// shifted or truncated copy cannot match.
func pattern(size int, seed byte) []byte {
	b := make([]byte, size)
	for off := 0; off < size; off += 4096 {
		copy(b[off:], fmt.Sprintf("%c@%012d|", 'A'+seed%26, off))
	}
	return b
}

// startTreesync starts the binary and returns the running command.
func startTreesync(t *testing.T, stderr *bytes.Buffer, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// finalNamesMatch checks that every regular file under a final path in
// dst is byte-identical to its source: an interrupted run may leave
// temporaries (files, and directories it was filling with files under
// their own names), never a partial file under a real path.
func finalNamesMatch(t *testing.T, src, dst string) {
	t.Helper()
	_ = filepath.WalkDir(dst, func(p string, de os.DirEntry, err error) error {
		if err == nil && de.IsDir() && planner.IsTempName(de.Name()) {
			return filepath.SkipDir
		}
		if err != nil || !de.Type().IsRegular() || planner.IsTempName(de.Name()) ||
			strings.Contains(p, ".treesync-partial") {
			return nil
		}
		rel, _ := filepath.Rel(dst, p)
		want, err1 := os.ReadFile(filepath.Join(src, rel))
		got, err2 := os.ReadFile(p)
		if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
			t.Errorf("%s under its final name differs from the source (%d vs %d bytes; %v %v)",
				rel, len(got), len(want), err1, err2)
		}
		return nil
	})
}

// countTemporaries counts treesync's temporary files below root.
func countTemporaries(root string) int {
	n := 0
	_ = filepath.WalkDir(root, func(_ string, de os.DirEntry, err error) error {
		if err == nil && planner.IsTempName(de.Name()) {
			n++
		}
		return nil
	})
	return n
}

// TestKillNineConverges kills a large mirror with SIGKILL at several
// points: no file under a final name ever differs from its source, and a
// rerun removes the leftover temporaries and converges to the exact mirror.
func TestKillNineConverges(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	bigTree(t, src, 3000, 5, 48<<20)
	for _, delay := range []time.Duration{20, 100, 300, 700, 1500} {
		var stderr bytes.Buffer
		cmd := startTreesync(t, &stderr, "-a", "--copy-method=buffered", src+"/", dst+"/")
		time.Sleep(delay * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		finalNamesMatch(t, src, dst)
	}
	mustRun(t, treesync, "-a", src+"/", dst+"/")
	noDiff(t, "source vs mirror after kill -9 and a rerun", src, dst, tree.Options{})
	if n := countTemporaries(dst); n != 0 {
		t.Errorf("%d temporaries left after the converging run", n)
	}
}

// TestSignalsStopCleanly sends SIGINT, SIGTERM and SIGHUP mid-copy: exit
// 20, no temporary left behind, nothing partial under a final name; with
// --partial the interrupted file is kept and the next run resumes it.
func TestSignalsStopCleanly(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	bigTree(t, src, 10, 2, 400<<20)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "dst")
			code, _ := interrupt(t, sig, dst, "-a", "--copy-method=buffered", src+"/", dst+"/")
			if code != 20 {
				t.Fatalf("exit %d after %v, want 20", code, sig)
			}
			if n := countTemporaries(dst); n != 0 {
				t.Errorf("%d temporaries left after %v", n, sig)
			}
			finalNamesMatch(t, src, dst)
		})
	}
	t.Run("partial resumes", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "dst")
		if code, _ := interrupt(t, syscall.SIGINT, dst, "-a", "--partial", "--copy-method=buffered", src+"/", dst+"/"); code != 20 {
			t.Fatalf("exit %d, want 20", code)
		}
		finalNamesMatch(t, src, dst)
		r := mustRun(t, treesync, "-av", "--partial", src+"/", dst+"/")
		if !strings.Contains(r.stderr, "resumed partial file") {
			t.Errorf("the rerun did not resume the kept file:\n%s", r)
		}
		noDiff(t, "source vs resumed mirror", src, dst, tree.Options{})
	})
}

// TestAbsolutePartialDir: an absolute --partial-dir is one directory for
// every kept file, as rsync has it (named by the file's name alone, its
// last component made mode 0700 when missing and left in place after):
// an interrupted copy is kept there, never inside the destination, and
// the next run resumes it, on the destination's filesystem (renamed into
// place) and on another (a tmpfs: copied back first).
func TestAbsolutePartialDir(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	bigTree(t, src, 0, 1, 256<<20)
	for name, base := range map[string]string{"same filesystem": t.TempDir(), "other filesystem": smallTmpfs(t, "300m")} {
		t.Run(name, func(t *testing.T) {
			parts := filepath.Join(base, "parts")
			dst := filepath.Join(t.TempDir(), "dst")
			opts := []string{"-a", "--partial-dir=" + parts, "--copy-method=buffered", src + "/", dst + "/"}
			if code, stderr := interrupt(t, syscall.SIGINT, dst, opts...); code != 20 {
				t.Fatalf("exit %d, want 20\n%s", code, stderr)
			}
			kept, err := os.ReadDir(parts)
			if st, serr := os.Stat(parts); err != nil || len(kept) != 1 || serr != nil || st.Mode().Perm() != 0o700 {
				t.Fatalf("the partial directory does not hold the one interrupted file (mode 0700): %v %v", kept, err)
			}
			if _, err := os.Stat(filepath.Join(dst, parts)); err == nil {
				t.Error("the absolute partial directory was made inside the destination")
			}
			finalNamesMatch(t, src, dst)
			r := mustRun(t, treesync, append([]string{"-v"}, opts...)...)
			if !strings.Contains(r.stderr, "resumed partial file") {
				t.Errorf("the rerun did not resume the kept file:\n%s", r)
			}
			noDiff(t, "source vs resumed mirror", src, dst, tree.Options{})
			if left, err := os.ReadDir(parts); err != nil || len(left) != 0 {
				t.Errorf("the partial directory is not left empty: %v %v", left, err)
			}
		})
	}
}

// TestRsyncPartialDirEnv: --partial (-P) keeps an interrupted file in
// the directory RSYNC_PARTIAL_DIR names, as rsync does, and the next run
// resumes it from there.
func TestRsyncPartialDirEnv(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	bigTree(t, src, 0, 1, 256<<20)
	t.Setenv("RSYNC_PARTIAL_DIR", ".rsync-partial")
	dst := filepath.Join(t.TempDir(), "dst")
	opts := []string{"-a", "-P", "--copy-method=buffered", src + "/", dst + "/"}
	if code, stderr := interrupt(t, syscall.SIGINT, dst, opts...); code != 20 {
		t.Fatalf("exit %d, want 20\n%s", code, stderr)
	}
	if kept, err := os.ReadDir(filepath.Join(dst, "large", ".rsync-partial")); err != nil || len(kept) != 1 {
		t.Fatalf("the interrupted file is not in RSYNC_PARTIAL_DIR: %v %v", kept, err)
	}
	r := mustRun(t, treesync, append([]string{"-v"}, opts...)...)
	if !strings.Contains(r.stderr, "resumed partial file") {
		t.Errorf("the rerun did not resume the kept file:\n%s", r)
	}
	noDiff(t, "source vs resumed mirror", src, dst, tree.Options{})
}

// TestAbsolutePartialDirRefusedShared: an absolute --partial-dir another
// user owns, or anyone may write in, is not used (a file of theirs could
// be renamed into the tree): the interrupted copy is dropped with a
// warning, nothing is put there.
func TestAbsolutePartialDirRefusedShared(t *testing.T) {
	requireRoot(t)
	src := filepath.Join(t.TempDir(), "src")
	bigTree(t, src, 0, 1, 256<<20)
	for name, set := range map[string]func(string) error{
		"writable by others": func(p string) error { return os.Chmod(p, 0o1777) },
		"another user's":     func(p string) error { return os.Chown(p, 65534, 65534) },
	} {
		t.Run(name, func(t *testing.T) {
			parts, dst := filepath.Join(t.TempDir(), "parts"), filepath.Join(t.TempDir(), "dst")
			must(t, os.Mkdir(parts, 0o700))
			must(t, set(parts))
			code, stderr := interrupt(t, syscall.SIGINT, dst, "-a", "--partial-dir="+parts, "--copy-method=buffered", src+"/", dst+"/")
			if code != 20 || !strings.Contains(stderr, "refused") {
				t.Fatalf("exit %d, want 20 and the partial directory refused:\n%s", code, stderr)
			}
			if kept, err := os.ReadDir(parts); err != nil || len(kept) != 0 {
				t.Errorf("something was kept in the refused directory: %v %v", kept, err)
			}
		})
	}
}

// TestAbsolutePartialDirSharedName: files of one name in several
// directories share an absolute --partial-dir's one kept file: the first
// to look at it resumes it when it is a prefix of its source, else
// removes it (as rsync uses it for the first such file), the others are
// copied whole, and none fails for the others' use of it.
func TestAbsolutePartialDirSharedName(t *testing.T) {
	dir := t.TempDir()
	src, parts := filepath.Join(dir, "src"), filepath.Join(dir, "parts")
	var nodes []tree.Node
	for i := range 8 {
		nodes = append(nodes, tree.Node{Path: fmt.Sprintf("d%d/data", i), Data: pattern(8<<20, byte(i)), Mtime: tree.At(10, 0)})
	}
	build(t, src, nodes)
	for run := range 5 {
		must(t, os.MkdirAll(parts, 0o700))
		must(t, os.WriteFile(filepath.Join(parts, "data"), pattern(8<<20, byte(run))[:3<<20], 0o600))
		dst := filepath.Join(t.TempDir(), "dst")
		r := mustRun(t, treesync, "-a", "-v", "--partial-dir="+parts, src+"/", dst+"/")
		noDiff(t, "source vs mirror", src, dst, tree.Options{})
		if strings.Count(r.stderr, "resumed partial file") > 1 {
			t.Errorf("run %d: one kept file resumed more than once:\n%s", run, r)
		}
		if left, err := os.ReadDir(parts); err != nil || len(left) != 0 {
			t.Errorf("run %d: the partial directory is not left empty: %v %v", run, left, err)
		}
	}
}

// interrupt runs treesync and sends sig as soon as a copy is under way
// (a temporary file exists in dst).
// writingUnder reports whether process pid has a file under dir open: a
// temporary, or an unnamed file (O_TMPFILE) on its way to a final name.
func writingUnder(pid int, dir string) bool {
	fds := fmt.Sprintf("/proc/%d/fd", pid)
	entries, _ := os.ReadDir(fds)
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join(fds, e.Name()))
		if err == nil && strings.HasPrefix(target, dir+"/") {
			if st, err := os.Stat(filepath.Join(fds, e.Name())); err == nil && st.Mode().IsRegular() {
				return true
			}
		}
	}
	return false
}

func interrupt(t *testing.T, sig syscall.Signal, dst string, args ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := startTreesync(t, &stderr, args...)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		if writingUnder(cmd.Process.Pid, dst) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	_ = cmd.Process.Signal(sig)
	err := cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return code, stderr.String()
}

// TestStoppedAppendKeepsMode: an ordinary user's --append to a file of
// its own it may not write (0444) makes it writable only to open it: a
// run stopped (SIGTERM) while appending leaves the file 0444, as it was,
// not 0644 for good (without -p nothing sets it back; seed 86029).
func TestStoppedAppendKeepsMode(t *testing.T) {
	requireRoot(t)
	dir := userRuns{}.dir(t)
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	data := pattern(64<<20, 1)
	build(t, src, []tree.Node{{Path: "f", Data: data, Mode: 0o444, Mtime: tree.At(100, 0)}})
	build(t, dst, []tree.Node{{Path: "f", Data: data[:1<<20], Mode: 0o444, Mtime: tree.At(50, 0)}})
	for _, p := range []string{src, dst, filepath.Join(dst, "f")} {
		must(t, os.Lchown(p, 65534, 65534))
	}
	cmd := exec.Command(userRuns{}.binary(t, dir), "-rlt", "--append", "--bwlimit=20M", src+"/", dst+"/")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	must(t, cmd.Start())
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if st, err := os.Stat(filepath.Join(dst, "f")); err == nil && st.Size() > 1<<20 {
			break
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	st, serr := os.Stat(filepath.Join(dst, "f"))
	if serr != nil || st.Size() >= int64(len(data)) {
		t.Fatalf("the append was not stopped part way: %v %v (%v)\n%s", st, serr, err, stderr.String())
	}
	if st.Mode().Perm() != 0o444 {
		t.Errorf("mode %o after the stopped append, want 444 (%v)\n%s", st.Mode().Perm(), err, stderr.String())
	}
}
