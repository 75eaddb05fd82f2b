package httpapi

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// maxBuckets bounds the limiter's memory; full buckets are pruned first.
const maxBuckets = 100_000

// limiter is a token bucket per key (a principal, or a client address).
type limiter struct {
	ratePerSec float64
	burst      float64
	disabled   bool
	now        func() time.Time
	max        int // bound on len(buckets)

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(cfg RateLimit, now func() time.Time) *limiter {
	return &limiter{
		ratePerSec: cfg.PerMinute / 60,
		burst:      float64(cfg.Burst),
		disabled:   cfg.PerMinute < 0,
		now:        now,
		max:        maxBuckets,
		buckets:    map[string]*bucket{},
	}
}

// wait is how long until key has a token, without spending one; zero
// when it has one now (an unknown key has a full bucket).
func (l *limiter) wait(key string) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return 0
	}
	if tokens := l.refilled(b, now); tokens < 1 {
		return l.until(tokens)
	}
	return 0
}

// refilled is the tokens b holds at now.
func (l *limiter) refilled(b *bucket, now time.Time) float64 {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		return math.Min(l.burst, b.tokens+el*l.ratePerSec)
	}
	return b.tokens
}

// until is how long a bucket holding tokens (< 1) waits for a whole one.
func (l *limiter) until(tokens float64) time.Duration {
	return time.Duration((1 - tokens) / l.ratePerSec * float64(time.Second))
}

// take spends one token of key; when none is left it returns how long
// until one will be.
func (l *limiter) take(key string) (remaining int, wait time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max {
			l.prune(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if now.After(b.last) {
		b.tokens, b.last = l.refilled(b, now), now
	}
	if b.tokens < 1 {
		return 0, l.until(b.tokens)
	}
	b.tokens--
	return int(b.tokens), 0
}

// prune drops buckets that have refilled completely (they behave exactly
// like new ones); if that frees too little, it drops buckets at random
// until a quarter of the room is free, so memory stays bounded whatever
// the number of keys.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.ratePerSec >= l.burst {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.max-l.max/4 {
			break
		}
		delete(l.buckets, k)
	}
}

// allow spends a token for key and sets the RateLimit-* headers; it
// returns a rate_limited error carrying Retry-After when none is left.
func (l *limiter) allow(w http.ResponseWriter, key string) error {
	if l.disabled {
		return nil
	}
	remaining, wait := l.take(key)
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(int(l.burst)))
	h.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	if wait > 0 {
		h.Set("RateLimit-Reset", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return errRetryAfter{err: idv.Errorf(idv.CodeRateLimited, "too many requests; retry later"), after: wait}
	}
	return nil
}

// backoff doubles a wait from 100 ms up to 10 s.
type backoff struct{ next time.Duration }

func newBackoff() *backoff { return &backoff{next: 100 * time.Millisecond} }

// wait sleeps for the next delay; false when ctx ended first.
func (b *backoff) wait(ctx context.Context) bool {
	t := time.NewTimer(b.next)
	defer t.Stop()
	b.next = min(2*b.next, 10*time.Second)
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
