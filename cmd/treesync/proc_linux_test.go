//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// treesyncBinary copies the test binary to a world-readable directory as
// "treesync": run by that name it is the command (see TestMain).
func treesyncBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		var self []byte
		exe, err := os.Executable()
		if err == nil {
			self, err = os.ReadFile(exe)
		}
		dir := ""
		if err == nil {
			dir, err = os.MkdirTemp("", "treesync-bin-")
		}
		if err == nil {
			binPath = filepath.Join(dir, "treesync")
			err = errors.Join(os.Chmod(dir, 0o755), os.WriteFile(binPath, self, 0o755))
		}
		binErr = err
	})
	if binErr != nil {
		t.Fatalf("copying the test binary: %v", binErr)
	}
	return binPath
}

// needRoot skips a test that needs root, except under CI, where it fails.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("this test needs root (CI runs as root)")
	}
	t.Skip("needs root")
}

// worldDir makes a directory every user can enter.
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "treesync-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// nobodyEnv is the environment for this test binary's copy run as
// nobody: under go test -cover it writes coverage data where GOCOVERDIR
// says, a directory only root may write, and says so on stderr; it gets
// one of its own in dir.
func nobodyEnv(t *testing.T, dir string) []string {
	t.Helper()
	env := os.Environ()
	if os.Getenv("GOCOVERDIR") == "" {
		return env
	}
	cov := filepath.Join(dir, "cover")
	if err := errors.Join(os.Mkdir(cov, 0o777), os.Chmod(cov, 0o777)); err != nil {
		t.Fatal(err)
	}
	return append(env, "GOCOVERDIR="+cov)
}

// TestUnreadableFileAsNobody runs treesync as uid 65534 on a tree with a
// file only root can read: the JSON summary and the JSON log lines must
// name that path and its error, and the run must exit 23.
func TestUnreadableFileAsNobody(t *testing.T) {
	needRoot(t)
	dir := worldDir(t)
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	writeTree(t, src, map[string]string{"ok": "fine", "secret": "root only"})
	if err := errors.Join(os.Chmod(filepath.Join(src, "secret"), 0o600), os.Mkdir(dst, 0o755),
		os.Chown(dst, 65534, 65534)); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(treesyncBinary(t), "-a", "--json", "--log-format=json", src+"/", dst+"/")
	cmd.Env = nobodyEnv(t, dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 23 {
		t.Fatalf("want exit 23, got %v; stderr %s", err, errOut.String())
	}
	var s summary
	decodeOne(t, out.String(), &s)
	if s.ExitCode != 23 || s.Errors != 1 || s.FilesTransferred != 1 || len(s.FirstErrors) != 1 {
		t.Fatalf("summary %+v", s)
	}
	if e := s.FirstErrors[0]; e.Path != "secret" || !strings.Contains(e.Error, "permission denied") {
		t.Errorf("first error %+v, want secret: permission denied", e)
	}
	checkErrorLogLine(t, errOut.String())
	if data, err := os.ReadFile(filepath.Join(dst, "ok")); err != nil || string(data) != "fine" {
		t.Errorf("the readable file was not copied: %q %v", data, err)
	}
}

// checkErrorLogLine finds the JSON log line of the failed file on stderr;
// stderr must also end with the exit message (not JSON).
func checkErrorLogLine(t *testing.T, stderr string) {
	t.Helper()
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.HasPrefix(line, "treesync: ") {
			continue // the final "some files/attrs were not transferred" line
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stderr line %q is not JSON: %v", line, err)
		}
		if m["level"] == "error" && m["path"] == "secret" {
			found = true
			msg, _ := m["error"].(string)
			if m["message"] != "failed" || !strings.Contains(msg, "permission denied") || m["time"] == nil {
				t.Errorf("error line %v", m)
			}
		}
	}
	if !found {
		t.Errorf("no error line for secret in %q", stderr)
	}
}

// TestProgressOnTerminal runs --progress with stdout on a pseudo-terminal:
// the line is redrawn in place with a percentage and ends with 100%.
func TestProgressOnTerminal(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for _, n := range []string{"a", "b", "c", "d/e", "d/f"} {
		files[n] = strings.Repeat(n, 50000)
	}
	writeTree(t, filepath.Join(dir, "src"), files)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	cmd := exec.Command(treesyncBinary(t), "-a", "--progress", filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst"))
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = tty, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var screen bytes.Buffer
	copied := make(chan struct{})
	go func() { _, _ = io.Copy(&screen, ptmx); close(copied) }() // ends with EIO once the child exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("treesync: %v; stderr %s", err, errOut.String())
	}
	select {
	case <-copied:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal output did not end")
	}
	out := screen.String()
	if !strings.Contains(out, "\r\x1b[K") {
		t.Errorf("the progress line is not redrawn in place: %q", out)
	}
	last := out[strings.LastIndex(out, "\x1b[K")+3:]
	if !strings.Contains(last, "5/5 files") || !strings.Contains(last, " 100%") || !strings.HasSuffix(last, "\r\n") {
		t.Errorf("the last progress line %q should show 5/5 files, 100%% and end the line", last)
	}
}

// TestProgressNotTerminal: plain lines, the totals exact from the pre-pass
// (only what really needs a transfer).
func TestProgressNotTerminal(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	writeTree(t, src, map[string]string{"a": "12345", "b": "678"})
	if code, _, e := runIn(t, "-a", src+"/", dst+"/"); code != 0 {
		t.Fatal(e)
	}
	writeTree(t, src, map[string]string{"c": "1234567890"})
	code, out, errOut := runIn(t, "-a", "--info=progress2", src+"/", dst+"/")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "\r") || !strings.HasPrefix(out, "1/1 files  10 B/10 B  100%") {
		t.Errorf("want one plain final line counting only c, got %q", out)
	}
}
