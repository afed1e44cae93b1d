package platform

import (
	"sync"
	"testing"
	"time"
)

// The limiter spaces chunks at the rate, over all the writers sharing it,
// and time left unused does not let a later burst through.
func TestLimiter(t *testing.T) {
	var mu sync.Mutex
	clock := time.Unix(1000, 0)
	var slept time.Duration
	l := newLimiter(1000)
	l.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	l.sleep = func(d time.Duration) { mu.Lock(); defer mu.Unlock(); slept += d; clock = clock.Add(d) }
	for range 4 {
		l.take(500) // 2,000 bytes at 1,000 per second
	}
	if slept != 2*time.Second {
		t.Errorf("slept %v for 2,000 bytes at 1,000/s, want 2s", slept)
	}
	mu.Lock()
	clock = clock.Add(time.Hour) // idle
	slept = 0
	mu.Unlock()
	l.take(1000)
	if slept != time.Second {
		t.Errorf("after an idle hour, 1,000 bytes slept %v, want 1s (no burst)", slept)
	}
}

// A Copier with a rate copies through the limiter in small chunks.
func TestCopierRateLimit(t *testing.T) {
	c := NewCopier(CopyOptions{BytesPerSecond: 1 << 20})
	var slept time.Duration
	c.limit.sleep = func(d time.Duration) { slept += d }
	_, got, err := copyOne(t, c, payload(3<<20))
	if err != nil || len(got) != 3<<20 {
		t.Fatalf("copy: %v, %d bytes", err, len(got))
	}
	if slept < 2*time.Second {
		t.Errorf("3 MiB at 1 MiB/s held for %v, want about 3s", slept)
	}
	if c.maxChunk() != limitedChunk {
		t.Errorf("chunk %d under a limit", c.maxChunk())
	}
}
