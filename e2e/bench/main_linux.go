//go:build linux

package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

type config struct {
	bin, out, work   string
	runs, jobs       int
	scale            float64
	workloads, tools map[string]bool
	filesystems      []string
}

func parseFlags() config {
	var c config
	var workloads, tools, fss string
	flag.StringVar(&c.bin, "bin", "bin/treesync", "treesync binary")
	flag.StringVar(&c.out, "out", "", "write the markdown report to this file")
	flag.StringVar(&c.work, "work", "/var/tmp/treesync-bench", "work directory (corpora, images)")
	flag.IntVar(&c.runs, "runs", 5, "timed runs per tool and workload")
	flag.IntVar(&c.jobs, "jobs", 0, "treesync -j (0: its default)")
	flag.Float64Var(&c.scale, "scale", 1, "shrink the corpora by this factor (0-1]")
	flag.StringVar(&workloads, "workloads", "", "comma-separated workloads (default: all)")
	flag.StringVar(&tools, "tools", "treesync,cp,rsync,rclone", "tools to compare")
	flag.StringVar(&fss, "fs", "host,ext4,xfs,btrfs", "filesystems (ext4, xfs and btrfs images need root)")
	flag.Parse()
	c.workloads, c.tools = set(workloads), set(tools)
	c.filesystems = strings.Split(fss, ",")
	if abs, err := filepath.Abs(c.bin); err == nil {
		c.bin = abs
	}
	return c
}

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, v := range strings.Split(s, ",") {
		if v != "" {
			m[v] = true
		}
	}
	return m
}

func main() {
	c := parseFlags()
	if _, err := os.Stat(c.bin); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v (build it first: make build)\n", err)
		os.Exit(2)
	}
	// The untimed warm-up run of each tool is the one GNU time measures:
	// without it there would be neither a warm-up nor a peak RSS.
	if _, err := os.Stat(gnuTime); err != nil {
		fmt.Fprintf(os.Stderr, "bench: GNU time measures peak RSS: %v (apt-get install time)\n", err)
		os.Exit(2)
	}
	fss, err := mountAll(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	defer unmountAll(fss)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() { <-sig; unmountAll(fss); os.Exit(130) }()
	var results []result
	for _, w := range workloads() {
		if len(c.workloads) > 0 && !c.workloads[w.name] {
			continue
		}
		for _, fs := range fss {
			if w.onFS(fs.name) {
				results = append(results, runWorkload(c, w, fs)...)
			}
		}
	}
	report(c, results)
}
