package app

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
)

// PreflightJSON is Preflight encoded as JSON with a final newline (as
// json.Encoder writes it). The encoding is kept per
// session version until the first instant at which the view would change
// by itself (the session's expiry, a code's expiry, the end of a resend
// wait), so a repeated GET costs authentication and a lookup. The result
// is shared: callers must not modify it.
func (s *Service) PreflightJSON(ctx context.Context, p Principal, id string) ([]byte, error) {
	sess, err := s.load(ctx, p, id, accessApplicant)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if body, ok := s.preflights.get(sess.ID, sess.Version, now); ok {
		return body, nil
	}
	body, err := json.Marshal(s.preflight(sess))
	if err != nil {
		return nil, internal("encode preflight", err)
	}
	body = append(body, '\n')
	s.preflights.put(sess.ID, preflightEntry{version: sess.Version, until: viewChangesAt(sess, now), body: body})
	return body, nil
}

// viewChangesAt is the first instant after now at which flow.View of sess
// may answer differently with no change to sess; zero when none. It names
// every instant View compares the clock with (a superset is safe: the
// entry is only dropped earlier).
func viewChangesAt(sess idv.Session, now time.Time) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	consider(sess.ExpiresAt)
	for _, st := range sess.Steps {
		if o := st.OTP; o != nil {
			consider(o.ExpiresAt)
			consider(o.SentAt.Add(flow.ResendInterval))
		}
	}
	return next
}

// maxPreflightEntries bounds the cache; when full, an arbitrary entry
// makes room (sessions being walked come back quickly).
const maxPreflightEntries = 10_000

// preflightCache holds encoded preflights by session id.
type preflightCache struct {
	mu sync.RWMutex
	m  map[string]preflightEntry
}

// preflightEntry is one session's encoded preflight.
type preflightEntry struct {
	version int64
	until   time.Time // the entry is valid before until; zero: no limit
	body    []byte
}

func (c *preflightCache) get(id string, version int64, now time.Time) ([]byte, bool) {
	c.mu.RLock()
	e, ok := c.m[id]
	c.mu.RUnlock()
	if !ok || e.version != version || (!e.until.IsZero() && !now.Before(e.until)) {
		return nil, false
	}
	return e.body, true
}

func (c *preflightCache) put(id string, e preflightEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]preflightEntry{}
	}
	if old, ok := c.m[id]; ok && old.version > e.version {
		return // a racing read of an older version
	}
	if _, ok := c.m[id]; !ok && len(c.m) >= maxPreflightEntries {
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = e
}
