//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// ratio is treesync's median over this result's median, from the
// results of the same workload and filesystem.
func ratio(r result, all []result) string {
	for _, t := range all {
		if t.workload == r.workload && t.fs == r.fs && t.tool == "treesync" && len(t.walls) > 0 && r.median() > 0 {
			return fmt.Sprintf("%.2f", float64(t.median())/float64(r.median()))
		}
	}
	return "-"
}

func row(r result, all []result) string {
	if len(r.walls) == 0 {
		return ""
	}
	lo, hi := r.span()
	extra := strings.TrimSpace(r.methods + " " + r.note)
	if r.failed != "" {
		extra = "FAILED: " + r.failed
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s–%s | %.1f | %s | %s |", r.workload, r.fs, r.tool,
		ms(r.median()), ms(lo), ms(hi), float64(r.maxRSS)/1024, ratio(r, all), extra)
}

// ms formats d in milliseconds, with two decimals below 10 ms (the
// one-file rows) and none above.
func ms(d time.Duration) string {
	v := float64(d.Microseconds()) / 1000
	if v < 10 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func printResult(r result, all []result) { fmt.Println(row(r, all)) }

// report writes the markdown table, with a description of the machine.
func report(c config, results []result) {
	var b strings.Builder
	fmt.Fprintf(&b, "## Results (%s)\n\n%s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine(c))
	b.WriteString("| workload | fs | tool | median ms | min–max ms | peak RSS MiB | treesync/tool | notes |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		if line := row(r, results); line != "" {
			b.WriteString(line + "\n")
		}
	}
	fmt.Print("\n" + b.String())
	if c.out != "" {
		if err := os.WriteFile(c.out, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}
}

func machine(c config) string {
	out := func(argv ...string) string {
		b, _ := exec.Command(argv[0], argv[1:]...).Output()
		return strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
	}
	return fmt.Sprintf("Machine: %d CPUs, kernel %s, %s; %s; %s; %s; rclone %s. Runs: %d per tool (median; five times as many for the one-file corpora, where rsync is timed after the others alternate), alternating order, warm cache; corpora at scale %g.\n",
		runtime.NumCPU(), out("uname", "-r"), runtime.Version(), out("cp", "--version"), out("rsync", "--version"),
		memory(), out("rclone", "version"), c.runs, c.scale)
}

func memory() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return ""
	}
	return strings.Join(strings.Fields(strings.SplitN(string(b), "\n", 2)[0]), " ")
}
