package main

import (
	"fmt"
	"io"

	"github.com/treesync/treesync/executor"
	"github.com/treesync/treesync/platform"
)

// writeStats prints rsync's --stats fields, then treesync's own lines;
// sizes as size formats them (comma, or humanSize under -h).
func writeStats(w io.Writer, r *executor.Result, dryRun bool, size func(int64) string) {
	s := r.Stats
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

func counts(c *executor.Counts) string {
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

// humanSize formats n as rsync -h does: as it is below 1000, else in
// units of 1000 with two decimals (1.23M).
func humanSize(n int64) string { return executor.GroupNumber(n, 2) }
