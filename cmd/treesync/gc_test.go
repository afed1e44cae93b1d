package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 200}, {1 << 20, 200}, {4 << 20, 200}, {5 << 20, 150}, {6 << 20, 100},
		{8 << 20, 100}, {1 << 30, 100},
	} {
		if got := gcPercent(c.live); got != c.want {
			t.Errorf("gcPercent(%d MiB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// currentGCPercent reads the setting without changing it.
func currentGCPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// TestTuneGC follows the tuner through collections: 200 for a small live
// heap, 100 while 64 MiB stays live, 200 again once it is freed.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(currentGCPercent())
	stop := tuneGC(func(string) string { return "" })
	defer stop()
	if p := currentGCPercent(); p != 200 {
		t.Fatalf("after tuneGC: GOGC %d, want 200", p)
	}
	live := make([]byte, 64<<20)
	waitGCPercent(t, 100)
	runtime.KeepAlive(live)
	live = nil
	waitGCPercent(t, 200)
}

func waitGCPercent(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for currentGCPercent() != want {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC stayed %d, want %d", currentGCPercent(), want)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTuneGCLeavesUserSetting(t *testing.T) {
	defer debug.SetGCPercent(currentGCPercent())
	debug.SetGCPercent(70)
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		stop := tuneGC(func(k string) string {
			if k == env {
				return "70"
			}
			return ""
		})
		stop()
		if p := currentGCPercent(); p != 70 {
			t.Errorf("%s set: GOGC changed to %d", env, p)
		}
	}
}
