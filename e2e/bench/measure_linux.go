//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// measurement is one timed run.
type measurement struct {
	wall    time.Duration
	methods string
	failed  string
}

// measure runs argv and returns its wall time. Its peak RSS comes from
// measureRSS: the rusage of a child the harness starts directly is not
// the tool's own, as Go starts children with vfork and the kernel carries
// the parent's peak across the exec.
func measure(argv []string) measurement {
	cmd := exec.Command(argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	m := measurement{wall: time.Since(start)}
	if err != nil {
		m.failed = fmt.Sprintf("%v: %.200s", err, out.String())
	}
	m.methods = methodSummary(out.String())
	return m
}

// gnuTime is GNU time, which main requires.
const gnuTime = "/usr/bin/time"

// measureRSS runs argv under GNU time, which forks it as a process of its
// own, and returns its peak RSS in KiB (0 when GNU time wrote none).
func measureRSS(argv []string) int64 {
	f, err := os.CreateTemp("", "bench-rss")
	if err != nil {
		return 0
	}
	defer os.Remove(f.Name())
	f.Close()
	// A tool that exits non-zero still has its peak measured: GNU time
	// then writes a status line first and the figure last.
	_ = exec.Command(gnuTime, append([]string{"-f", "%M", "-o", f.Name()}, argv...)...).Run()
	b, _ := os.ReadFile(f.Name())
	lines := strings.Fields(string(b))
	if len(lines) == 0 {
		return 0
	}
	kib, _ := strconv.ParseInt(lines[len(lines)-1], 10, 64)
	return kib
}

var methodLine = regexp.MustCompile(`(?m)^Files copied by (\S+): ([0-9,]+)`)

// methodSummary condenses treesync's --stats method lines.
func methodSummary(out string) string {
	s := ""
	for _, m := range methodLine.FindAllStringSubmatch(out, -1) {
		if m[2] != "0" {
			s += m[1] + "=" + m[2] + " "
		}
	}
	return s
}

// result collects the runs of one tool on one workload and filesystem.
type result struct {
	workload, fs, tool string
	walls              []time.Duration
	maxRSS             int64
	methods, note      string
	failed             string
}

func (r *result) add(m measurement) {
	r.walls = append(r.walls, m.wall)
	if m.methods != "" {
		r.methods = m.methods
	}
	if m.failed != "" {
		r.failed = m.failed
	}
}

func (r result) median() time.Duration {
	if len(r.walls) == 0 {
		return 0
	}
	w := append([]time.Duration(nil), r.walls...)
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	return w[len(w)/2]
}

func (r result) span() (time.Duration, time.Duration) {
	lo, hi := r.walls[0], r.walls[0]
	for _, w := range r.walls {
		lo, hi = min(lo, w), max(hi, w)
	}
	return lo, hi
}

func blocks(st os.FileInfo) int64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return s.Blocks
	}
	return 0
}
