package platform

import (
	"sync"
	"time"
)

// limiter holds the data copied to a rate (--bwlimit): every chunk
// written reserves the time it takes at that rate, and a copy ahead of
// the rate sleeps until its chunk's time has come. The workers share it,
// so the rate is the run's, not each copy's.
type limiter struct {
	mu    sync.Mutex
	rate  float64 // bytes per second
	next  time.Time
	now   func() time.Time
	sleep func(time.Duration)
}

func newLimiter(bytesPerSecond int64) *limiter {
	return &limiter{rate: float64(bytesPerSecond), now: time.Now, sleep: time.Sleep}
}

// take reserves n bytes and waits until they are due.
func (l *limiter) take(n int64) {
	l.mu.Lock()
	now := l.now()
	if l.next.Before(now) {
		l.next = now // time unused does not pile up into a burst
	}
	l.next = l.next.Add(time.Duration(float64(n) / l.rate * float64(time.Second)))
	wait := l.next.Sub(now)
	l.mu.Unlock()
	if wait > 0 {
		l.sleep(wait)
	}
}

// limitedChunk is the most one copy call moves under a limit: small
// enough that the rate holds second by second.
const limitedChunk = 256 << 10

// wrote counts n bytes of data written: for progress, and against the
// rate limit when there is one.
func (c *Copier) wrote(n int64) {
	c.progress(n)
	if c.limit != nil && n > 0 {
		c.limit.take(n)
	}
}

// maxChunk is the most one copy call may move.
func (c *Copier) maxChunk() int64 {
	if c.limit != nil {
		return limitedChunk
	}
	return chunk
}
