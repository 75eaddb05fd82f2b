package webhook

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultSchedule is the wait before each retry after the first attempt
// (which is immediate): 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h twelve
// times, about 5.3 days in all (Svix's schedule, stretched to the 5 days
// after which a failing endpoint is disabled).
func DefaultSchedule() []time.Duration {
	s := []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour}
	for range 12 {
		s = append(s, 10*time.Hour)
	}
	return s
}

// maxRetryAfter caps how far a receiver's Retry-After may push a retry.
const maxRetryAfter = 24 * time.Hour

// nextDelay returns the wait before the next attempt after a failed one
// that was attempt round (1-based) of the current schedule, with up to 10%
// random jitter, honouring retryAfter when it is longer. ok is false when
// the schedule is exhausted.
func nextDelay(schedule []time.Duration, round int, retryAfter time.Duration) (time.Duration, bool) {
	if round < 1 || round > len(schedule) {
		return 0, false
	}
	d := schedule[round-1]
	if d > 0 {
		d += rand.N(d/10 + 1)
	}
	return max(d, min(retryAfter, maxRetryAfter)), true
}

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
