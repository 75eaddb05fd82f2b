package httpapi

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// reqState is the per-request record shared by the middleware layers.
type reqState struct {
	requestID string
	method    string
}

// unmatchedPattern is the catch-all route of requests no API route takes.
const unmatchedPattern = "/"

// routeOf is the path of the route pattern that took r ("unmatched" when
// none did): the label of logs and metrics, never the raw path.
func routeOf(r *http.Request) string {
	if r.Pattern == "" || r.Pattern == unmatchedPattern {
		return "unmatched"
	}
	return patternPath(r.Pattern)
}

type stateKey struct{}

// stateOf returns the request's state; a zero state outside the middleware.
func stateOf(r *http.Request) *reqState {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

// statusWriter records the status and size of a response; it also holds
// the request's state (one allocation for both).
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	st     reqState
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (Hijack,
// Flush) for the cable's hijack.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// validRequestID accepts 1..64 characters of [A-Za-z0-9._-].
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

// observe is the outermost layer: request id, route pattern, panic
// recovery, access log and request metrics.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = s.ids.next()
		}
		sw := &statusWriter{ResponseWriter: w, st: reqState{requestID: id, method: knownMethod(r.Method)}}
		st := &sw.st
		w.Header()["X-Request-Id"] = []string{id}
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", slog.String("request_id", id),
					slog.String("route", routeOf(r)), slog.String("panic_type", fmt.Sprintf("%T", v)),
					slog.String("stack", string(debug.Stack())))
				if sw.status == 0 {
					s.writeError(sw, r, errors.New("panic"))
				}
			}
			s.finish(r, st, sw, start)
		}()
		next.ServeHTTP(sw, r)
	})
}

// finish records the request's metrics and writes its access log line.
func (s *Server) finish(r *http.Request, st *reqState, sw *statusWriter, start time.Time) {
	end := time.Now()
	d := end.Sub(start)
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	route := routeOf(r)
	s.metrics.observe(route, st.method, status, d)
	// The handler is called directly, as slog's own methods do, minus the
	// caller's program counter, which the access log does not use. The
	// duration is an integer: slog's JSON handler encodes floats with
	// encoding/json, which costs more than the rest of the line.
	ctx := r.Context()
	if h := s.log.Handler(); h.Enabled(ctx, slog.LevelInfo) {
		rec := slog.NewRecord(end, slog.LevelInfo, "http request", 0)
		rec.AddAttrs(slog.String("request_id", st.requestID), slog.String("method", st.method),
			slog.String("route", route), slog.Int("status", status),
			slog.Int64("duration_us", d.Microseconds()), slog.Int64("bytes", sw.bytes))
		_ = h.Handle(ctx, rec)
	}
}

// requestIDs makes the ids of requests that bring none: a random prefix
// per server and a counter, unique without a random read per request.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	return &requestIDs{prefix: rand.Text()[:13] + "-"}
}

func (g *requestIDs) next() string {
	var b [32]byte
	return string(strconv.AppendUint(append(b[:0], g.prefix...), g.n.Add(1), 36))
}

// knownMethod bounds the method label of logs and metrics.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodHead:
		return m
	}
	return "OTHER"
}

// patternPath drops the method of a ServeMux pattern ("GET /x" → "/x").
func patternPath(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		return pattern[i+1:]
	}
	return pattern
}

// secure sets the headers every answer carries. The value slices are
// shared by every response: net/http only reads them, and Set or Add
// replace or reallocate them.
func secure(next http.Handler) http.Handler {
	nosniff, noReferrer, noStore := []string{"nosniff"}, []string{"no-referrer"}, []string{"no-store"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Content-Type-Options"] = nosniff
		h["Referrer-Policy"] = noReferrer
		h["Cache-Control"] = noStore
		next.ServeHTTP(w, r)
	})
}

// fallback answers unmatched requests with the envelope: 404, or 405 with
// Allow when the path exists under another method.
func (s *Server) fallback(w http.ResponseWriter, r *http.Request) {
	h, _ := s.probe.Handler(r)
	probe := &headerProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", probe.header.Get("Allow"))
		// 405 is outside the code table: the envelope says invalid_request.
		_, body, _ := encodeError(idv.Errorf(idv.CodeInvalid, "this method is not allowed on this path"), stateOf(r).requestID)
		writeErrorBody(w, http.StatusMethodNotAllowed, body, 0)
		return
	}
	s.writeError(w, r, idv.Errorf(idv.CodeNotFound, "no such route"))
}

// headerProbe captures the status the ServeMux would answer.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(code int)        { p.status = code }
