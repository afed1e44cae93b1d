package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// A run allocates a few hundred bytes per entry it lists (names, stat
// results, plans) and keeps little of it: the walk holds a bounded
// window of directories. With the runtime's default (GOGC=100, a 4 MiB
// minimum heap) a no-op of the Go tree collected 1-2 times and a -c
// no-op 4-5 times; each collection also empties the buffer pools, and
// the write barriers and mark work run on the cores the walk needs. So
// the heap may grow by up to gcHeadroom over what survived the last
// collection (GOGC 200, 150 or 100 as the live heap grows; the runtime
// scales its minimum heap with it, to 8 MiB at 200), and by no less
// than the live heap itself (GOGC=100) once that is larger. Peak memory
// stays flat for the small live heaps of a tree walk (no-op of 2M files:
// 21-22 MB instead of 16-18; a headroom of 12 MiB gave 26-30 MB, too
// near the 32 MB target), and a huge live
// heap (a directory of millions of entries, -H on millions of links)
// grows no faster than with the default.
const (
	gcHeadroom   = 8 << 20
	gcMaxPercent = 200 // gcHeadroom over the runtime's 4 MiB minimum heap
)

// tuneGC applies that policy unless getenv says the user set GOGC or
// GOMEMLIMIT. After each collection a cleanup reads the live heap and
// sets the percentage for the next one, until stop is called.
func tuneGC(getenv func(string) string) (stop func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	t := &gcTuner{percent: gcMaxPercent, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	debug.SetGCPercent(t.percent)
	t.arm()
	return func() { t.stopped.Store(true) }
}

type gcTuner struct {
	percent int
	sample  []metrics.Sample
	stopped atomic.Bool
}

// gcSentinel is garbage from birth: its cleanup runs after the next
// collection. The pointer field keeps it out of the tiny allocator,
// whose blocks are freed together and late.
type gcSentinel struct{ _ *byte }

func (t *gcTuner) arm() {
	runtime.AddCleanup(&gcSentinel{}, (*gcTuner).collected, t)
}

// collected runs on the runtime's cleanup goroutine, one call at a time
// (each call arms the next).
func (t *gcTuner) collected() {
	if t.stopped.Load() {
		return
	}
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() == metrics.KindUint64 {
		if p := gcPercent(t.sample[0].Value.Uint64()); p != t.percent {
			t.percent = p
			debug.SetGCPercent(p) // stops the world briefly: only on a change
		}
	}
	t.arm()
}

// gcPercent is the GOGC value that lets a heap of live bytes grow by
// gcHeadroom, but by at least 100% and at most gcMaxPercent, rounded
// down to a multiple of 50 so that small changes of the live heap do not
// change it.
func gcPercent(live uint64) int {
	p := gcMaxPercent
	if live > 0 {
		p = int(min(uint64(gcMaxPercent), 100*gcHeadroom/live))
	}
	return max(100, p/50*50)
}
