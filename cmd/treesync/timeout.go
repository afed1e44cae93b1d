package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/treesync/treesync/executor"
)

// runWatched runs ex, under --timeout when limit is positive and until
// stop when it is not zero (--stop-after, --stop-at): a run stopped by
// either ends with exit code 30, as rsync's.
func runWatched(ctx context.Context, ex *executor.Executor, limit time.Duration, stop time.Time, sources []string, dest string, stderr io.Writer) *executor.Result {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !stop.IsZero() {
		runCtx, cancel = context.WithDeadline(runCtx, stop)
		defer cancel()
	}
	var watch *timeoutWatch
	if limit > 0 {
		watch = watchTimeout(limit, time.Second, 10*time.Second, ex.Stats().Activity, cancel, stderr, os.Exit)
	}
	res := ex.Run(runCtx, sources, dest)
	if watch != nil && watch.stop() {
		res.ExitCode = executor.ExitTimeout
	}
	if errors.Is(runCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		fmt.Fprintln(stderr, "treesync: stopping at requested limit")
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

// stopDeadline reads --stop-after=MINS and --stop-at=TIME (rsync's
// y-m-dTh:m, where the year, or the year and the date, may be left out:
// the next such time); the zero time means none.
func stopDeadline(after int, at string, now time.Time) (time.Time, error) {
	if after > 0 && at != "" {
		return time.Time{}, errors.New("--stop-after and --stop-at cannot be used together")
	}
	if after > 0 {
		return now.Add(time.Duration(after) * time.Minute), nil
	}
	if at == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "01-02T15:04", "15:04"} {
		t, err := time.ParseInLocation(layout, at, now.Location())
		if err != nil {
			continue
		}
		switch layout {
		case "01-02T15:04":
			t = t.AddDate(now.Year()-t.Year(), 0, 0)
			if t.Before(now) {
				t = t.AddDate(1, 0, 0)
			}
		case "15:04":
			t = time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, now.Location())
			if t.Before(now) {
				t = t.AddDate(0, 0, 1)
			}
		}
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("--stop-at %s is in the past", at)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid --stop-at format: %s (want y-m-dTh:m, m-dTh:m or h:m)", at)
}
