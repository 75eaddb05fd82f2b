package httpapi

import (
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// bodyLimiter counts the requests with a body in flight per client
// address, so that one address dripping bodies slowly over many
// connections (slowloris) cannot hold every connection the server has.
type bodyLimiter struct {
	max int // per address; <= 0 disables
	mu  sync.Mutex
	n   map[netip.Addr]int
}

func newBodyLimiter(max int) *bodyLimiter {
	return &bodyLimiter{max: max, n: map[netip.Addr]int{}}
}

// acquire takes a slot for addr; false when addr has max in flight.
func (l *bodyLimiter) acquire(addr netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[addr] >= l.max {
		return false
	}
	l.n[addr]++
	return true
}

func (l *bodyLimiter) release(addr netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[addr]--; l.n[addr] <= 0 {
		delete(l.n, addr)
	}
}

// inFlight is the number of slots addr holds (tests).
func (l *bodyLimiter) inFlight(addr netip.Addr) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[addr]
}

// bodyGuard bounds how long and how many request bodies are read: a
// request with a body must arrive whole within Options.BodyReadTimeout of
// its headers (net/http's ReadTimeout, 60 s, was the only bound), and one
// client address may have at most Options.MaxBodiesPerClient such
// requests in flight; beyond that it is answered 429 at once, on a
// connection that closes, without reading the body.
func (s *Server) bodyGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if s.bodies.max > 0 {
			if addr, ok := s.clientAddr(r); ok {
				if !s.bodies.acquire(addr) {
					w.Header().Set("Connection", "close")
					s.writeError(w, r, errRetryAfter{idv.Errorf(idv.CodeRateLimited,
						"too many requests with a body in flight from this address"), time.Second})
					return
				}
				defer s.bodies.release(addr)
			}
		}
		deadline := time.Now().Add(s.opts.BodyReadTimeout)
		if err := http.NewResponseController(w).SetReadDeadline(deadline); err != nil {
			s.log.DebugContext(r.Context(), "cannot set the body read deadline", slog.String("error", err.Error()))
		}
		next.ServeHTTP(w, r)
	})
}
