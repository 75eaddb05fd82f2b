package httpapi

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// Hub fans session change notices out to websocket subscribers. It holds,
// per session id, the set of subscribers; each has a one-slot channel so a
// notice never blocks the publisher and repeated notices coalesce (the
// subscriber re-reads the latest preflight when it gets to it).
type Hub struct {
	mu      sync.Mutex
	subs    map[string]map[*subscriber]struct{}
	gens    map[string]uint64             // per watched session: how many changes were published
	snaps   map[string]*preflightSnapshot // per watched session: the preflight read for a generation
	n       int
	closed  bool
	closing chan struct{}
	live    sync.WaitGroup
}

// subscriber is one websocket connection watching one session.
type subscriber struct {
	sessionID string
	notify    chan struct{} // capacity 1: a push is pending
	fresh     atomic.Bool   // the client asked for a push: read the session itself
}

// preflightSnapshot is a session's preflight, read once for every subscriber after
// a change: 5,000 subscribers of one session cost one read, not 5,000.
type preflightSnapshot struct {
	gen  uint64
	done chan struct{} // closed when msg and err are set
	msg  json.RawMessage
	err  error
}

// snapshotReadTimeout bounds the shared read of a snapshot, which must not
// depend on the connection of the subscriber that happens to do it.
const snapshotReadTimeout = 10 * time.Second

func newHub() *Hub {
	return &Hub{subs: map[string]map[*subscriber]struct{}{}, gens: map[string]uint64{},
		snaps: map[string]*preflightSnapshot{}, closing: make(chan struct{})}
}

// preflight returns the session's preflight as JSON, read by read at most
// once per published change whatever the number of subscribers asking.
func (h *Hub) preflight(ctx context.Context, id string, read func(context.Context, string) (idv.Preflight, error)) (json.RawMessage, error) {
	h.mu.Lock()
	gen, snap := h.gens[id], h.snaps[id]
	if snap != nil && snap.gen >= gen {
		h.mu.Unlock()
		select {
		case <-snap.done:
			return snap.msg, snap.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	snap = &preflightSnapshot{gen: gen, done: make(chan struct{})}
	h.snaps[id] = snap
	h.mu.Unlock()

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), snapshotReadTimeout)
	defer cancel()
	snap.msg, snap.err = readJSON(rctx, id, read)
	close(snap.done)
	if code := idv.ErrorCode(snap.err); snap.err != nil && code != idv.CodeNotFound && code != idv.CodeGone {
		h.mu.Lock()
		if h.snaps[id] == snap {
			delete(h.snaps, id) // a transient failure: the next push reads again
		}
		h.mu.Unlock()
	}
	return snap.msg, snap.err
}

// readJSON reads a preflight and encodes it.
func readJSON(ctx context.Context, id string, read func(context.Context, string) (idv.Preflight, error)) (json.RawMessage, error) {
	pf, err := read(ctx, id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(pf)
}

// subscribe registers a subscriber for sessionID; false once the hub is
// closed. Every successful subscribe must be followed by unsubscribe.
func (h *Hub) subscribe(sessionID string) (*subscriber, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	sub := &subscriber{sessionID: sessionID, notify: make(chan struct{}, 1)}
	set := h.subs[sessionID]
	if set == nil {
		set = map[*subscriber]struct{}{}
		h.subs[sessionID] = set
	}
	set[sub] = struct{}{}
	h.n++
	h.live.Add(1)
	return sub, true
}

func (h *Hub) unsubscribe(sub *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.subs[sub.sessionID]
	if _, ok := set[sub]; !ok {
		return
	}
	delete(set, sub)
	if len(set) == 0 {
		delete(h.subs, sub.sessionID)
		delete(h.gens, sub.sessionID)
		delete(h.snaps, sub.sessionID)
	}
	h.n--
	h.live.Done()
}

// Publish tells the subscribers of sessionID that it changed.
func (h *Hub) Publish(sessionID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.subs[sessionID]
	if len(set) > 0 {
		h.gens[sessionID]++
	}
	for sub := range set {
		sub.poke()
	}
}

// PublishAll tells every subscriber to re-read its session (after a gap in
// the change feed).
func (h *Hub) PublishAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, set := range h.subs {
		h.gens[id]++
		for sub := range set {
			sub.poke()
		}
	}
}

// poke marks a push as pending without blocking.
func (s *subscriber) poke() {
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// Subscribers counts the open subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// Close refuses new subscribers and tells the open ones to close.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.closing)
	}
}

// Wait returns when every subscriber has unsubscribed, or with ctx's error.
func (h *Hub) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		h.live.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
