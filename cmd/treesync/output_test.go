package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/treesync/treesync/executor"
	"github.com/treesync/treesync/platform"
)

// writeTree creates files (name -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runIn runs treesync in this process and returns its exit code and output.
func runIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"treesync"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// decodeOne decodes s, which must hold exactly one JSON object, strictly.
func decodeOne(t *testing.T, s string, v any) {
	t.Helper()
	if strings.Count(s, "\n") != 1 || !strings.HasSuffix(s, "}\n") {
		t.Fatalf("want exactly one JSON line, got %q", s)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decoding %q: %v", s, err)
	}
}

func TestJSONSummaryFields(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	writeTree(t, src, map[string]string{"a": "12345", "sub/b": "123", "empty": "", "gone": "x"})
	writeTree(t, dst, map[string]string{"stale": "old", "gone": "y"})
	if err := os.Remove(filepath.Join(src, "gone")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runIn(t, "-a", "-i", "--delete", "--json", src+"/", dst+"/")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var s summary
	decodeOne(t, out, &s)
	want := summary{ExitCode: 0, FilesTotal: 5, FilesTransferred: 3, BytesTransferred: 8, TotalSize: 8,
		Created: 4, Deleted: 2, FirstErrors: []summaryError{}, CopyWorkers: executor.DefaultJobs}
	if fs, _ := platform.FSType(dst); fs == "btrfs" {
		want.CopyWorkers = 2
	}
	got := s
	got.Methods, got.MethodBytes, got.ElapsedSeconds, got.ListSeconds, got.AttrsUpdated = methodCounts{}, methodBytes{}, 0, 0, 0
	if !jsonEqual(got, want) {
		t.Errorf("summary\n got %+v\nwant %+v", got, want)
	}
	m := s.Methods
	if m.Reflink+m.CopyFileRange+m.Buffered != s.FilesTransferred {
		t.Errorf("methods %+v do not add up to files_transferred %d", m, s.FilesTransferred)
	}
	if m.None != 1 || m.Buffered < 1 {
		t.Errorf("the empty file should count as buffered and none: %+v", m)
	}
	if s.MethodBytes.Reflink+s.MethodBytes.CopyFileRange+s.MethodBytes.Buffered != 8 {
		t.Errorf("method bytes %+v do not add up to 8", s.MethodBytes)
	}
	if s.ElapsedSeconds <= 0 {
		t.Errorf("elapsed_seconds = %v", s.ElapsedSeconds)
	}
	if !strings.Contains(errOut, ">f+++++++++ a\n") || !strings.Contains(errOut, "*deleting   stale\n") {
		t.Errorf("itemize lines should go to stderr with --json, got %q", errOut)
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestJSONSummaryDryRun(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, filepath.Join(dir, "src"), map[string]string{"a": "12345", "b": "1"})
	code, out, _ := runIn(t, "-a", "-n", "--json", filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst"))
	var s summary
	decodeOne(t, out, &s)
	if code != 0 || !s.DryRun || s.FilesTransferred != 2 || s.BytesTransferred != 6 {
		t.Errorf("exit %d, summary %+v", code, s)
	}
	if s.Methods.Buffered != 2 || s.Methods.None != 2 || s.Methods.Reflink+s.Methods.CopyFileRange != 0 {
		t.Errorf("a dry run copies no data: methods %+v", s.Methods)
	}
	if _, err := os.Stat(filepath.Join(dir, "dst")); !os.IsNotExist(err) {
		t.Errorf("dry run created the destination: %v", err)
	}
}

// TestJSONSummaryBeforeTheRun: a run stopped before it starts (a usage
// error, an unknown option, a rules file that cannot be read) still
// prints its --json summary, with its exit code and, where there is one,
// the error; --version under --json prints no summary (exit 0).
func TestJSONSummaryBeforeTheRun(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst")
	writeTree(t, src, map[string]string{"a": "1"})
	for _, c := range []struct {
		args  []string
		code  int
		fatal string
	}{
		{[]string{"--chown=1:2", "--usermap=*:1"}, 1, "--chown cannot be used"},
		{[]string{"--bogus"}, 1, "bogus"},
		{[]string{"--exclude-from=" + filepath.Join(dir, "none")}, 11, ""},
	} {
		code, out, _ := runIn(t, append(append([]string{"-a", "--json"}, c.args...), src, dst)...)
		var s summary
		decodeOne(t, out, &s)
		if code != c.code || s.ExitCode != c.code || !strings.Contains(s.Fatal, c.fatal) {
			t.Errorf("%q: exit %d, summary %+v", c.args, code, s)
		}
	}
	if code, out, _ := runIn(t, "--json", "--version"); code != 0 || strings.Contains(out, "exit_code") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

// logLines parses JSON log lines strictly: each must be one object.
func logLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestLogFileRecordsChanges(t *testing.T) {
	dir := t.TempDir()
	src, log := filepath.Join(dir, "src"), filepath.Join(dir, "run.log")
	writeTree(t, src, map[string]string{"a": "1"})
	if err := os.WriteFile(log, []byte("{\"earlier\":true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runIn(t, "-a", "--log-format=json", "--log-file="+log, src+"/", filepath.Join(dir, "dst"))
	if code != 0 || out != "" || errOut != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q: the log file takes info lines, stderr only warnings", code, out, errOut)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := logLines(t, string(data))
	if len(lines) < 4 || lines[0]["earlier"] != true {
		t.Fatalf("--log-file must append: %s", data)
	}
	var change, done map[string]any
	for _, l := range lines[1:] {
		if l["level"] != "info" || l["time"] == nil {
			t.Errorf("line without level info or time: %v", l)
		}
		switch {
		case l["message"] == "change" && l["path"] == "a":
			change = l
		case l["message"] == "run finished":
			done = l
		}
	}
	if change == nil || change["op"] != "transfer" || change["itemize"] != ">f+++++++++" {
		t.Errorf("no change record for a: %s", data)
	}
	if done == nil || done["exit_code"] != 0.0 || done["files_transferred"] != 1.0 {
		t.Errorf("no final record: %s", data)
	}
}

func TestTextLogOnStderr(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, filepath.Join(dir, "src"), map[string]string{"a": "1"})
	code, out, errOut := runIn(t, "-a", "-v", filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "INF run finished") {
		t.Errorf("text log lines missing from stderr: %q", errOut)
	}
	if strings.Contains(out, "INF") || !strings.Contains(out, "a\n") {
		t.Errorf("stdout should hold the -v names and no log lines: %q", out)
	}
}
