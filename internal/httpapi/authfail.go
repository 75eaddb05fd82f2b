package httpapi

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// Defaults of Options.AuthFailures.
const (
	defaultAuthFailuresPerMinute = 10
	defaultAuthFailuresBurst     = 20
)

// authFailures throttles failed authentication per client address: each
// failure spends a token of the address's bucket, and once the bucket is
// empty every request from the address is refused with 429 before its
// credentials are even read, until a token has come back. Guessing keys or
// client tokens then costs time, and stops costing store lookups.
type authFailures struct {
	l *limiter
}

func newAuthFailures(cfg RateLimit, now func() time.Time) *authFailures {
	if cfg.PerMinute == 0 {
		cfg.PerMinute = defaultAuthFailuresPerMinute
	}
	if cfg.Burst <= 0 {
		cfg.Burst = defaultAuthFailuresBurst
	}
	return &authFailures{l: newLimiter(cfg, now)}
}

// check refuses addr when its failures have used up its bucket.
func (a *authFailures) check(addr string) error {
	if a.l.disabled {
		return nil
	}
	if wait := a.l.wait(addr); wait > 0 {
		return errRetryAfter{err: idv.Errorf(idv.CodeRateLimited,
			"too many failed authentication attempts from this address; retry later"), after: wait}
	}
	return nil
}

// failed counts a failed authentication from addr if err is one (an
// unknown, malformed or missing credential, or a client token that is not
// the session's); other errors, such as a store outage, are not counted.
func (a *authFailures) failed(addr string, err error) {
	if a.l.disabled {
		return
	}
	switch idv.ErrorCode(err) {
	case idv.CodeUnauthorized, idv.CodeNotFound:
		a.l.take(addr)
	}
}
