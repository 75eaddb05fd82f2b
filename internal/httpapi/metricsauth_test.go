package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/idv"
)

// TestMetricsNotPublic: GET /metrics on the API port needs the metrics
// token, and is not served there at all without one; MetricsHandler
// serves them for a separate listener.
func TestMetricsNotPublic(t *testing.T) {
	const token = "metrics-token-0123456789"
	_, open := newTestServer(t, newFake(), Options{})
	srv, guarded := newTestServer(t, newFake(), Options{MetricsToken: token})
	tests := []struct {
		name   string
		ts     *httptest.Server
		auth   string
		status int
		typ    idv.Code
	}{
		{"no token configured", open, "", 404, idv.CodeNotFound},
		{"no token configured, any bearer", open, "anything", 404, idv.CodeNotFound},
		{"token missing", guarded, "", 401, idv.CodeUnauthorized},
		{"token wrong", guarded, "metrics-token-0123456780", 401, idv.CodeUnauthorized},
		{"API key is not the token", guarded, "private_test", 401, idv.CodeUnauthorized},
		{"token right", guarded, token, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := do(t, tt.ts, "GET", "/metrics", tt.auth, "")
			if status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", status, tt.status, body)
			}
			if tt.typ != "" {
				if env := envelope(t, body); env.Type != tt.typ {
					t.Errorf("type = %q, want %q", env.Type, tt.typ)
				}
			} else if !strings.Contains(string(body), "openidv_http_requests_total") {
				t.Errorf("no metrics in %s", body)
			}
		})
	}
	rec := httptest.NewRecorder()
	srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "openidv_http_requests_total") {
		t.Errorf("MetricsHandler: %d %.200s", rec.Code, rec.Body.String())
	}
}
