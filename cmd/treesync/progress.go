package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/term"

	"github.com/treesync/treesync/executor"
)

// Progress: --progress and --info=progress2 show files and bytes done of
// the exact totals. The totals come from a counting pre-pass: a dry run
// of the same sync, which lists both trees and plans without changing
// anything, so that they count only what will really be transferred. On a
// terminal one line is redrawn in place; otherwise a plain line is
// printed every second.

// progressTotals runs the counting pre-pass.
func progressTotals(ctx context.Context, opts executor.Options, paths []string) (files, bytes int64) {
	opts.DryRun = true
	opts.Out = io.Discard
	opts.Log = zerolog.Nop()
	opts.OnChange = nil
	opts.Itemize, opts.Verbose = false, 0
	res := executor.New(opts).Run(ctx, paths[:len(paths)-1], paths[len(paths)-1])
	return res.Stats.Transferred.Load(), res.Stats.TransferredBytes.Load()
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress draws the display until stop is called.
type progress struct {
	w          io.Writer
	tty        bool
	stats      *executor.Stats
	totalFiles int64
	totalBytes int64
	begin      time.Time
	done       chan struct{}
	wg         sync.WaitGroup
}

func startProgress(w io.Writer, stats *executor.Stats, files, bytes int64) *progress {
	p := &progress{w: w, tty: isTerminal(w), stats: stats, totalFiles: files, totalBytes: bytes,
		begin: time.Now(), done: make(chan struct{})}
	every := time.Second
	if p.tty {
		every = 200 * time.Millisecond
	}
	p.wg.Go(func() { p.loop(every) })
	return p
}

func (p *progress) loop(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case <-t.C:
			p.draw(false)
		}
	}
}

// stop ends the display with a final line.
func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
	p.draw(true)
}

func (p *progress) draw(final bool) {
	line := progressLine(p.stats.Transferred.Load(), p.totalFiles, p.stats.BytesDone(),
		p.totalBytes, time.Since(p.begin), final)
	switch {
	case p.tty && final:
		fmt.Fprintf(p.w, "\r\x1b[K%s\n", line)
	case p.tty:
		fmt.Fprintf(p.w, "\r\x1b[K%s", line)
	default:
		fmt.Fprintln(p.w, line)
	}
}

// progressLine formats "files 3/10  bytes 1.0 MiB/2.0 MiB  50%  1.2 MiB/s  ETA 0:00:01".
// The totals grow to what was done when the tree changed since the pre-pass.
func progressLine(files, totalFiles, bytes, totalBytes int64, elapsed time.Duration, final bool) string {
	totalFiles, totalBytes = max(totalFiles, files), max(totalBytes, bytes)
	pct := 100
	if totalBytes > 0 {
		pct = int(bytes * 100 / totalBytes)
	} else if totalFiles > 0 {
		pct = int(files * 100 / totalFiles)
	}
	secs := max(elapsed.Seconds(), 1e-3)
	rate := float64(bytes) / secs
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s files  %s/%s  %3d%%  %s/s", comma(files), comma(totalFiles),
		humanBytes(bytes), humanBytes(totalBytes), pct, humanBytes(int64(rate)))
	if final {
		fmt.Fprintf(&b, "  in %s", clock(elapsed))
	} else if rate > 0 {
		fmt.Fprintf(&b, "  ETA %s", clock(time.Duration(float64(totalBytes-bytes)/rate*float64(time.Second))))
	} else {
		b.WriteString("  ETA --:--:--")
	}
	return b.String()
}

// humanBytes formats n in binary units: 512 B, 1.5 KiB, 2.0 GiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n)/unit, 0
	for v >= unit && i < 5 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[i])
}

// clock formats d as H:MM:SS.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}
