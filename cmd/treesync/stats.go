package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/treesync/treesync/executor"
	"github.com/treesync/treesync/platform"
	"github.com/urfave/cli/v2"
)

// writeStats prints rsync's --stats fields, then treesync's own lines;
// numbers at rsync's -h level (humanLevel): counts in digit groups from
// level 1, sizes also in units from level 2.
func writeStats(w io.Writer, r *executor.Result, dryRun bool, level int) {
	s := r.Stats
	size := func(n int64) string { return executor.GroupNumber(n, level) }
	comma := func(n int64) string { return executor.GroupNumber(n, min(level, 1)) }
	counts := func(c *executor.Counts) string { return counts(c, comma) }
	fmt.Fprintf(w, "\nNumber of files: %s\n", counts(&s.Files))
	fmt.Fprintf(w, "Number of created files: %s\n", counts(&s.Created))
	fmt.Fprintf(w, "Number of deleted files: %s\n", counts(&s.Deleted))
	fmt.Fprintf(w, "Number of regular files transferred: %s\n", comma(s.Transferred.Load()))
	fmt.Fprintf(w, "Total file size: %s bytes\n", size(s.TotalSize.Load()))
	fmt.Fprintf(w, "Total transferred file size: %s bytes\n", size(s.TransferredBytes.Load()))
	fmt.Fprintf(w, "Literal data: %s bytes\n", size(s.TransferredBytes.Load()))
	fmt.Fprintf(w, "Matched data: 0 bytes\n")
	fmt.Fprintf(w, "File list generation time: %.3f seconds\n", float64(s.ListNanos.Load())/1e9)
	fmt.Fprintf(w, "Total bytes sent: %s\n", size(s.TransferredBytes.Load()))
	fmt.Fprintf(w, "Total bytes received: 0\n")
	for _, m := range []platform.Method{platform.MethodReflink, platform.MethodKernel, platform.MethodBuffered} {
		ms := s.Method(m)
		fmt.Fprintf(w, "Files copied by %s: %s (%s bytes)\n", m, comma(ms.Files.Load()), size(ms.Bytes.Load()))
	}
	fmt.Fprintf(w, "Hole bytes skipped: %s\n", size(s.HoleBytes.Load()))
	fmt.Fprintf(w, "Copy workers: %d\n", r.Jobs)
	secs := r.Elapsed.Seconds()
	fmt.Fprintf(w, "Elapsed time: %.3f seconds\n", secs)
	fmt.Fprintf(w, "Throughput: %s bytes/sec\n", size(int64(float64(s.TransferredBytes.Load())/max(secs, 1e-9))))
	if dryRun {
		fmt.Fprintln(w, "(DRY RUN)")
	}
}

// writeTotals prints rsync's closing lines (-v, --stats): the bytes sent
// and received and their rate, the total size and the speedup. A local
// copy has no protocol: sent is the file data written, received none,
// and the speedup the total size over that (rsync counts its protocol's
// bytes, so its figures differ; the total size is the same).
// sent is what was written (none in a dry run or a listing); a dry run
// says so.
func writeTotals(w io.Writer, r *executor.Result, sent int64, dryRun bool, level int) {
	total := r.Stats.TotalSize.Load()
	rate := float64(sent) / max(r.Elapsed.Seconds(), 1e-9)
	suffix := ""
	if dryRun {
		suffix = " (DRY RUN)"
	}
	fmt.Fprintf(w, "\nsent %s bytes  received 0 bytes  %s bytes/sec\n", executor.GroupNumber(sent, level), groupDecimal(rate, level))
	fmt.Fprintf(w, "total size is %s  speedup is %s%s\n", executor.GroupNumber(total, level),
		groupDecimal(float64(total)/float64(max(sent, 1)), min(level, 1)), suffix)
}

// groupDecimal formats f with two decimals at rsync's -h level: digit
// groups from level 1, units of 1000 (1024) from level 2 (3).
func groupDecimal(f float64, level int) string {
	if level >= 2 && f >= 1000 {
		return executor.GroupNumber(int64(f), level)
	}
	whole, frac, _ := strings.Cut(fmt.Sprintf("%.2f", f), ".") // rounded, as rsync's %.2f
	n, _ := strconv.ParseInt(whole, 10, 64)
	return executor.GroupNumber(n, min(level, 1)) + "." + frac
}

func counts(c *executor.Counts, comma func(int64) string) string {
	t := c.Total()
	if t == 0 {
		return "0"
	}
	out := comma(t) + " ("
	sep := ""
	for _, p := range []struct {
		name string
		n    int64
	}{{"reg", c.Reg.Load()}, {"dir", c.Dir.Load()}, {"link", c.Link.Load()}, {"dev", c.Dev.Load()}, {"special", c.Special.Load()}} {
		if p.n > 0 {
			out += sep + p.name + ": " + comma(p.n)
			sep = ", "
		}
	}
	return out + ")"
}

// comma formats n with thousands separators, as rsync does.
func comma(n int64) string { return executor.GroupNumber(n, 1) }

// humanLevel is rsync's human_readable: 1 by default (digit groups),
// one more for each -h (2: units of 1000, 3: of 1024), from 0 after a
// --no-h (negations leaves out the -h before it).
func humanLevel(c *cli.Context) int {
	if c.Bool("no-human-readable") {
		return c.Count("human-readable")
	}
	return 1 + c.Count("human-readable")
}
