package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// benchTools are the tools each workload of the smoke run reports: the
// harness's own lists, less rclone.
var benchTools = map[string][]string{
	"mirror-small":      {"treesync", "cp", "rsync"},
	"noop-small":        {"treesync", "rsync"},
	"cache-1pct":        {"treesync", "rsync"},
	"checksum-noop-big": {"treesync", "rsync"},
	"big-1g":            {"treesync", "cp", "rsync"},
	"noop-2m":           {"treesync", "rsync"},
	"noop-wide":         {"treesync", "rsync"},
	"sparse-2g":         {"treesync", "cp", "rsync"},
	"sparse-2g-wide":    {"treesync", "cp", "rsync"},
}

// TestBenchHarness runs make bench's harness on corpora shrunk a
// thousandfold, on the host filesystem (the Go-tree workloads copy all of
// GOROOT/src at any scale and are left out): it must run every workload
// to the end and report, for each tool, a time, a peak RSS and, for the
// sparse files, a copy no more allocated than cp's. Times are not checked.
func TestBenchHarness(t *testing.T) {
	requireTool(t, "rsync")
	requireTool(t, "/usr/bin/time")
	dir := t.TempDir()
	harness := filepath.Join(dir, "bench")
	if out, err := exec.Command("go", "build", "-o", harness, "./bench").CombinedOutput(); err != nil {
		t.Fatalf("build the harness: %v\n%s", err, out)
	}
	var names []string
	for w := range benchTools {
		names = append(names, w)
	}
	report := filepath.Join(dir, "report.md")
	cmd := exec.Command(harness, "-bin", binary, "-scale", "0.001", "-runs", "1", "-fs", "host",
		"-work", filepath.Join(dir, "work"), "-tools", "treesync,cp,rsync",
		"-workloads", strings.Join(names, ","), "-out", report)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "bench:") {
		t.Fatalf("harness: %v\n%s", err, out)
	}
	md, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	rows := benchRows(t, string(md))
	for w, tools := range benchTools {
		for _, tool := range tools {
			if _, ok := rows[w+"/"+tool]; !ok {
				t.Errorf("no row for %s, %s:\n%s", w, tool, md)
			}
		}
	}
	for _, w := range []string{"sparse-2g", "sparse-2g-wide"} {
		ts, cp := allocatedMiB(t, rows[w+"/treesync"]), allocatedMiB(t, rows[w+"/cp"])
		if ts > cp {
			t.Errorf("%s: treesync's copy has %d MiB allocated, cp's %d", w, ts, cp)
		}
	}
}

// benchRows parses the report's host rows by workload/tool, checking
// that each has a positive median and peak RSS.
func benchRows(t *testing.T, md string) map[string][]string {
	t.Helper()
	rows := map[string][]string{}
	for _, line := range strings.Split(md, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 10 || strings.TrimSpace(cells[2]) != "host" {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		median, errM := strconv.ParseFloat(cells[4], 64)
		rss, errR := strconv.ParseFloat(cells[6], 64)
		if errM != nil || errR != nil || median <= 0 || rss <= 0 {
			t.Errorf("row without a time or a peak RSS: %s", line)
		}
		rows[cells[1]+"/"+cells[3]] = cells
	}
	return rows
}

var allocatedNote = regexp.MustCompile(`allocated (\d+) MiB`)

func allocatedMiB(t *testing.T, row []string) int {
	t.Helper()
	if row == nil {
		return 0 // reported missing already
	}
	m := allocatedNote.FindStringSubmatch(row[len(row)-2])
	if m == nil {
		t.Errorf("no allocated size in %q", row)
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
