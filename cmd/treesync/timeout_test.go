package main

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A run whose activity stops is cancelled after the limit; one that
// keeps moving is not; one stuck past the grace period is exited with 30.
func TestTimeoutWatch(t *testing.T) {
	var activity atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	exited := make(chan int, 1)
	w := watchTimeout(80*time.Millisecond, 5*time.Millisecond, 50*time.Millisecond, activity.Load, cancel, &out, func(c int) { exited <- c })
	moving := time.Now()
	for time.Since(moving) < 200*time.Millisecond { // activity: no timeout
		activity.Add(1)
		time.Sleep(10 * time.Millisecond)
	}
	if ctx.Err() != nil {
		t.Fatal("cancelled while the run progressed")
	}
	select { // stalled: cancelled within the limit and a few ticks
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("not cancelled after the run stalled")
	}
	select { // and, not returning, exited with 30
	case c := <-exited:
		if c != 30 {
			t.Errorf("exit %d, want 30", c)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a run stuck past the grace period was not exited")
	}
	if !w.stop() || !strings.Contains(out.String(), "nothing progressed") {
		t.Errorf("fired not reported: %q", out.String())
	}
}

// A run that returns within the grace period is not exited.
func TestTimeoutWatchStopsCleanly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := watchTimeout(20*time.Millisecond, 5*time.Millisecond, time.Second, func() int64 { return 0 }, cancel, &bytes.Buffer{},
		func(int) { t.Error("exited although the run returned") })
	<-ctx.Done()
	if !w.stop() {
		t.Error("fired not reported")
	}
	time.Sleep(50 * time.Millisecond)
}
