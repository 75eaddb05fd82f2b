package httpapi

import (
	"context"
	"sync"
)

// Hub fans session change notices out to websocket subscribers. It holds,
// per session id, the set of subscribers; each has a one-slot channel so a
// notice never blocks the publisher and repeated notices coalesce (the
// subscriber re-reads the latest preflight when it gets to it).
type Hub struct {
	mu      sync.Mutex
	subs    map[string]map[*subscriber]struct{}
	n       int
	closed  bool
	closing chan struct{}
	live    sync.WaitGroup
}

// subscriber is one websocket connection watching one session.
type subscriber struct {
	sessionID string
	notify    chan struct{} // capacity 1: a push is pending
}

func newHub() *Hub {
	return &Hub{subs: map[string]map[*subscriber]struct{}{}, closing: make(chan struct{})}
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
	}
	h.n--
	h.live.Done()
}

// Publish tells the subscribers of sessionID that it changed.
func (h *Hub) Publish(sessionID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs[sessionID] {
		sub.poke()
	}
}

// PublishAll tells every subscriber to re-read its session (after a gap in
// the change feed).
func (h *Hub) PublishAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
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
