//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"syscall"
	"time"
)

// measurement is one timed run.
type measurement struct {
	wall    time.Duration
	maxRSS  int64 // KiB, from wait4's rusage
	methods string
	failed  string
}

// measure runs argv and returns its wall time and peak RSS.
func measure(argv []string) measurement {
	cmd := exec.Command(argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	m := measurement{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSS = ru.Maxrss
	}
	if err != nil {
		m.failed = fmt.Sprintf("%v: %.200s", err, out.String())
	}
	m.methods = methodSummary(out.String())
	return m
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
	r.maxRSS = max(r.maxRSS, m.maxRSS)
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
