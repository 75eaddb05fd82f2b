package httpapi

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	_, ts := newTestServer(t, newFake(), Options{MetricsToken: "metrics-token-0123456789"})
	do(t, ts, "GET", "/v1/sessions/ses_1/preflight", "tok_ses_1", "")
	do(t, ts, "GET", "/v1/sessions/ses_2/preflight", "tok_ses_1", "")
	do(t, ts, "GET", "/v1/nope/ses_1", "tok_ses_1", "")
	do(t, ts, "PUT", "/v1/sessions/ses_1/preflight", "tok_ses_1", "")
	status, _, b := do(t, ts, "GET", "/metrics", "metrics-token-0123456789", "")
	if status != 200 {
		t.Fatalf("status = %d", status)
	}
	for _, want := range []string{
		`openidv_http_requests_total{method="GET",route="/v1/sessions/{id}/preflight",status="200"} 1`,
		`openidv_http_requests_total{method="GET",route="/v1/sessions/{id}/preflight",status="404"} 1`,
		`openidv_http_request_duration_seconds_bucket{route="/v1/sessions/{id}/preflight",le="+Inf"} 2`,
		`openidv_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`openidv_http_requests_total{method="PUT",route="unmatched",status="405"} 1`,
		`openidv_sessions{status="in_progress"} 3`,
		`openidv_outbox_backlog 7`,
		`openidv_websocket_subscribers 0`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(string(b), "ses_1") || strings.Contains(string(b), "nope") {
		t.Errorf("metrics carry a session id")
	}
}

func TestHealthAndReadiness(t *testing.T) {
	f := newFake()
	_, ts := newTestServer(t, f, Options{})
	if s, _, b := do(t, ts, "GET", "/healthz", "", ""); s != 200 || string(b) != "{\"status\":\"ok\"}\n" {
		t.Errorf("healthz = %d %s", s, b)
	}
	if s, _, _ := do(t, ts, "GET", "/readyz", "", ""); s != 200 {
		t.Errorf("readyz = %d, want 200", s)
	}
	f.readyErr = errors.New("migrations pending")
	if s, _, b := do(t, ts, "GET", "/readyz", "", ""); s != 503 || strings.Contains(string(b), "migrations") {
		t.Errorf("readyz when not ready = %d %s", s, b)
	}
}

func TestDevInbox(t *testing.T) {
	_, off := newTestServer(t, newFake(), Options{})
	if s, _, _ := do(t, off, "GET", "/dev/inbox", "", ""); s != 404 {
		t.Errorf("disabled inbox: status %d, want 404", s)
	}
	_, on := newTestServer(t, newFake(), Options{DevInbox: inboxStub{}})
	s, hdr, b := do(t, on, "GET", "/dev/inbox", "", "")
	if s != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("inbox = %d %s", s, hdr.Get("Content-Type"))
	}
	for _, want := range []string{"DEVELOPMENT ONLY", "every code is visible to anyone who can reach this server",
		"&#43;33600000000", "&lt;b&gt;123456&lt;/b&gt;"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("inbox page lacks %q", want)
		}
	}
	req, _ := http.NewRequest("GET", on.URL+"/dev/inbox", nil)
	req.Host = "rebound.example" // a page of another site resolved to this server (DNS rebinding)
	resp, err := on.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || strings.Contains(string(rb), "123456") {
		t.Errorf("inbox with a foreign Host = %d %s, want 400 without the messages", resp.StatusCode, rb)
	}
}
