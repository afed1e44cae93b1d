package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/treesync/treesync/executor"
)

// runWatched runs ex, under --timeout when limit is positive: a run
// stopped by it ends with exit code 30.
func runWatched(ctx context.Context, ex *executor.Executor, limit time.Duration, sources []string, dest string, stderr io.Writer) *executor.Result {
	if limit <= 0 {
		return ex.Run(ctx, sources, dest)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	watch := watchTimeout(limit, time.Second, 10*time.Second, ex.Stats().Activity, cancel, stderr, os.Exit)
	res := ex.Run(runCtx, sources, dest)
	if watch.stop() {
		res.ExitCode = executor.ExitTimeout
	}
	return res
}

// timeoutWatch is --timeout: it ends a run in which nothing progresses
// for limit — no entry listed, no byte copied, nothing created, deleted
// or fixed — as rsync ends one whose I/O stalls, with exit code 30. The
// run is cancelled and stops cleanly; one stuck in the kernel (a hung
// network filesystem) cannot return, so after grace the process exits.
type timeoutWatch struct {
	fired atomic.Bool
	done  chan struct{}
}

// watchTimeout starts watching activity (a counter that grows with
// progress), checking every tick.
func watchTimeout(limit, tick, grace time.Duration, activity func() int64, cancel context.CancelFunc, stderr io.Writer, exit func(int)) *timeoutWatch {
	w := &timeoutWatch{done: make(chan struct{})}
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		last, since := activity(), time.Now()
		for {
			select {
			case <-w.done:
				return
			case now := <-t.C:
				if a := activity(); a != last {
					last, since = a, now
					continue
				}
				if now.Sub(since) < limit {
					continue
				}
				w.fire(limit, grace, cancel, stderr, exit)
				return
			}
		}
	}()
	return w
}

// fire cancels the run, and exits if it has not returned after grace.
func (w *timeoutWatch) fire(limit, grace time.Duration, cancel context.CancelFunc, stderr io.Writer, exit func(int)) {
	w.fired.Store(true)
	fmt.Fprintf(stderr, "treesync: [timeout] nothing progressed for %s: stopping\n", limit)
	cancel()
	select {
	case <-w.done:
	case <-time.After(grace):
		fmt.Fprintf(stderr, "treesync: %s (code %d)\n", exitMessage(executor.ExitTimeout), executor.ExitTimeout)
		exit(executor.ExitTimeout)
	}
}

// stop ends the watch once the run returned; it reports whether the
// timeout had fired.
func (w *timeoutWatch) stop() bool {
	close(w.done)
	return w.fired.Load()
}
