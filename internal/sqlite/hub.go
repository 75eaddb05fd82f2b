package sqlite

import (
	"context"
	"sync"
)

// hub fans committed session ids out to in-process subscribers. Publishing
// never blocks: each subscriber has its own queue, drained by its own
// goroutine, in which an id still waiting is not queued twice.
type hub struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed chan struct{}
	once   sync.Once
}

func newHub() *hub { return &hub{subs: map[*subscriber]struct{}{}, closed: make(chan struct{})} }

type subscriber struct {
	fn   func(string)
	mu   sync.Mutex
	ids  []string
	set  map[string]struct{}
	wake chan struct{} // capacity 1: "there may be ids"
}

// subscribe registers fn and delivers to it, on the calling goroutine,
// until ctx ends (nil) or the hub closes (errClosed).
func (h *hub) subscribe(ctx context.Context, fn func(string)) error {
	s := &subscriber{fn: fn, set: map[string]struct{}{}, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	select {
	case <-h.closed:
		h.mu.Unlock()
		return errClosed
	default:
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	defer h.remove(s)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.closed:
			return errClosed
		case <-s.wake:
			s.drain(ctx)
		}
	}
}

func (h *hub) remove(s *subscriber) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// publish queues ids for every current subscriber.
func (h *hub) publish(ids ...string) {
	if len(ids) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.push(ids)
	}
}

// close ends every subscription.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.once.Do(func() { close(h.closed) })
}

func (s *subscriber) push(ids []string) {
	s.mu.Lock()
	for _, id := range ids {
		if _, queued := s.set[id]; !queued {
			s.set[id] = struct{}{}
			s.ids = append(s.ids, id)
		}
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscriber) drain(ctx context.Context) {
	for ctx.Err() == nil {
		s.mu.Lock()
		if len(s.ids) == 0 {
			s.mu.Unlock()
			return
		}
		id := s.ids[0]
		s.ids = s.ids[1:]
		delete(s.set, id)
		s.mu.Unlock()
		s.fn(id)
	}
}
