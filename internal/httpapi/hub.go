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
// per session id, the set of subscribers. A subscriber's work (a push, a
// ping, a close) is marked as pending bits and run by a small pool of hub
// workers: repeated notices coalesce, a notice never blocks the publisher,
// and an idle websocket costs no goroutine but its reader.
type Hub struct {
	mu     sync.Mutex
	subs   map[string]map[*subscriber]struct{}
	gens   map[string]uint64             // per watched session: how many changes were published
	snaps  map[string]*preflightSnapshot // per watched session: the preflight read for a generation
	n      int
	closed bool
	live   sync.WaitGroup

	jobs     chan *subscriber // subscribers with pending work
	stop     chan struct{}    // ends the workers and the pinger
	stopOnce sync.Once
}

// The kinds of work a subscriber may have pending.
const (
	workPush   uint32 = 1 << iota // send the session's preflight
	workPing                      // send a ping
	workClose                     // say goodbye and close: the server is stopping
	workFrames                    // handle the client frames the reader queued
	queued                        // the subscriber is queued or being run: one worker at a time
)

const (
	hubWorkers   = 16
	hubQueueSize = 1 << 14
)

// subscriber is one websocket connection watching one session.
type subscriber struct {
	sessionID string
	pending   atomic.Uint32     // work bits waiting for a worker
	do        func(work uint32) // runs pending work, on a hub worker
}

// preflightSnapshot is a session's preflight, read once for every subscriber after
// a change: 5,000 subscribers of one session cost one read, not 5,000.
type preflightSnapshot struct {
	gen  uint64
	done chan struct{} // closed when msg and err are set
	msg  json.RawMessage
	err  error

	mu     sync.Mutex
	frames map[string][]byte // encoded push frames by identifier
}

// maxSnapshotFrames bounds the identifiers whose frames a snapshot keeps
// (clients use one or two).
const maxSnapshotFrames = 8

// frame returns the push frame of the snapshot for the identifier ident,
// encoded once for every subscriber that uses the same identifier.
func (p *preflightSnapshot) frame(ident string) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b, ok := p.frames[ident]; ok {
		return b, nil
	}
	b, err := json.Marshal(cableFrame{Identifier: ident, Message: p.msg})
	if err != nil {
		return nil, err
	}
	if p.frames == nil {
		p.frames = map[string][]byte{}
	}
	if len(p.frames) < maxSnapshotFrames {
		p.frames[ident] = b
	}
	return b, nil
}

// snapshotReadTimeout bounds the shared read of a snapshot, which must not
// depend on the connection of the subscriber that happens to do it.
const snapshotReadTimeout = 10 * time.Second

// newHub starts a hub whose pinger marks every subscriber for a ping each
// pingInterval.
func newHub(pingInterval time.Duration) *Hub {
	h := &Hub{subs: map[string]map[*subscriber]struct{}{}, gens: map[string]uint64{},
		snaps: map[string]*preflightSnapshot{},
		jobs:  make(chan *subscriber, hubQueueSize), stop: make(chan struct{})}
	for range hubWorkers {
		go h.worker()
	}
	go h.pinger(pingInterval)
	return h
}

func (h *Hub) worker() {
	for {
		select {
		case sub := <-h.jobs:
			h.run(sub)
		case <-h.stop:
			return
		}
	}
}

// run does a subscriber's pending work, including work marked while it
// runs, then clears its queued bit; only one worker runs a subscriber.
func (h *Hub) run(sub *subscriber) {
	for {
		if work := sub.pending.Swap(queued) &^ queued; work != 0 {
			sub.do(work)
			continue
		}
		if sub.pending.CompareAndSwap(queued, 0) {
			return
		}
	}
}

func (h *Hub) pinger(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			h.markAll(workPing)
		case <-h.stop:
			return
		}
	}
}

// mark adds work to sub and queues it unless it is already queued or
// running (its worker will see the new bits).
func (h *Hub) mark(sub *subscriber, work uint32) {
	if sub.pending.Or(work|queued)&queued != 0 {
		return
	}
	select {
	case h.jobs <- sub:
	default:
		go h.run(sub) // the queue is full: never block the publisher
	}
}

func (h *Hub) markAll(work uint32) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for sub := range set {
			h.mark(sub, work)
		}
	}
}

// snapshot returns the session's snapshot for the latest published
// change, reading it with read at most once per published change whatever
// the number of subscribers asking.
func (h *Hub) snapshot(ctx context.Context, id string, read func(context.Context, string) (idv.Preflight, error)) (*preflightSnapshot, error) {
	h.mu.Lock()
	gen, snap := h.gens[id], h.snaps[id]
	if snap != nil && snap.gen >= gen {
		h.mu.Unlock()
		select {
		case <-snap.done:
			return snap, snap.err
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
	return snap, snap.err
}

// readJSON reads a preflight and encodes it.
func readJSON(ctx context.Context, id string, read func(context.Context, string) (idv.Preflight, error)) (json.RawMessage, error) {
	pf, err := read(ctx, id)
	if err != nil {
		return nil, err
	}
	return json.Marshal(pf)
}

// subscribe registers a subscriber for sessionID whose work do runs; false
// once the hub is closed. Every successful subscribe must be followed by
// unsubscribe.
func (h *Hub) subscribe(sessionID string, do func(work uint32)) (*subscriber, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	sub := &subscriber{sessionID: sessionID, do: do}
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
		h.mark(sub, workPush)
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
			h.mark(sub, workPush)
		}
	}
}

// isClosed reports whether Close was called.
func (h *Hub) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
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
	h.closed = true
	h.mu.Unlock()
	h.markAll(workClose)
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
		h.stopOnce.Do(func() { close(h.stop) })
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
