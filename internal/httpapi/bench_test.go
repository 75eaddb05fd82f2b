package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkPreflight measures GET .../preflight through the whole stack
// (request id, access log, metrics, CORS, auth, rate limit) over the fake
// service; compare with BenchmarkBareHandler, which writes the same JSON
// from a bare net/http handler.
func BenchmarkPreflight(b *testing.B) {
	s := New(newFake(), Options{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), RateLimit: RateLimit{PerMinute: -1}})
	defer s.Shutdown(b.Context())
	req := httptest.NewRequest("GET", "/v1/sessions/ses_1/preflight", nil)
	req.Header.Set("Authorization", "Bearer tok_ses_1")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkBareHandler is the baseline of BenchmarkPreflight.
func BenchmarkBareHandler(b *testing.B) {
	f := newFake()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := json.Marshal(f.pf())
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	req := httptest.NewRequest("GET", "/v1/sessions/ses_1/preflight", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
}
