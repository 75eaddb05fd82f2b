package httpapi

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// rawExchange writes req on a new connection to addr and reads every
// answer until the server closes the connection (or 10 s pass: a
// connection left open is the failure some tests look for).
func rawExchange(t *testing.T, addr, req string) (answers []*http.Response, closed bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			ne, ok := errors.AsType[net.Error](err)
			return answers, !(ok && ne.Timeout())
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("reading the body: %v", err)
		}
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		answers = append(answers, resp)
	}
}

// wantEnvelope checks that resp is a JSON error envelope of status.
func wantEnvelope(t *testing.T, resp *http.Response, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status = %d, want %d", resp.StatusCode, status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	b, _ := io.ReadAll(resp.Body)
	env := envelope(t, b)
	if env.RequestID != resp.Header.Get("X-Request-Id") {
		t.Errorf("request_id %q, X-Request-Id %q", env.RequestID, resp.Header.Get("X-Request-Id"))
	}
}

// TestContentLengthWithTransferEncoding: a request framed both ways is
// answered and its connection closed (RFC 9112 §6.1), so a second request
// smuggled behind it in the same bytes is never served.
func TestContentLengthWithTransferEncoding(t *testing.T) {
	f := newFake()
	_, ts := newTestServer(t, f, Options{})
	addr := ts.Listener.Addr().String()
	body := `{"kyc_level":"basic"}`
	smuggled := "POST /v1/sessions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer public_test\r\n" +
		"Content-Type: application/json\r\nContent-Length: 21\r\n\r\n" + body
	req := "POST /v1/sessions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer public_test\r\n" +
		"Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"15\r\n" + body + "\r\n0\r\n\r\n" + smuggled
	answers, closed := rawExchange(t, addr, req)
	if !closed {
		t.Errorf("the connection stayed open after a request with Content-Length and Transfer-Encoding")
	}
	if len(answers) != 1 {
		t.Fatalf("got %d answers, want 1", len(answers))
	}
	if !answers[0].Close {
		t.Errorf("the answer lacks Connection: close")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.creates != 1 {
		t.Errorf("creates = %d, want 1 (the smuggled request must not run)", f.creates)
	}
}

// TestNonCanonicalPathsAreEnvelopes: paths ServeMux would redirect get the
// JSON 404, not an HTML redirect.
func TestNonCanonicalPathsAreEnvelopes(t *testing.T) {
	_, ts := newTestServer(t, newFake(), Options{})
	for _, p := range []string{"/v1//sessions", "/v1/./sessions", "/v1/sessions/../x", "//", "/v1/sessions/ses_1/.."} {
		for _, m := range []string{"GET", "POST"} {
			answers, _ := rawExchange(t, ts.Listener.Addr().String(),
				m+" "+p+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
			if len(answers) != 1 {
				t.Fatalf("%s %s: %d answers", m, p, len(answers))
			}
			if loc := answers[0].Header.Get("Location"); loc != "" {
				t.Errorf("%s %s: redirected to %q", m, p, loc)
			}
			wantEnvelope(t, answers[0], http.StatusNotFound)
		}
	}
}

// TestConnErrorsAreEnvelopes: the answers net/http writes before any
// handler runs are JSON envelopes on a WrapListener listener.
func TestConnErrorsAreEnvelopes(t *testing.T) {
	s := New(newFake(), Options{Logger: discardLogger()})
	ts := httptest.NewUnstartedServer(s)
	ts.Config.MaxHeaderBytes = 1 << 10
	ts.Listener = s.WrapListener(ts.Listener)
	ts.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
		ts.Close()
	})
	tests := []struct {
		name   string
		req    string
		status int
	}{
		{"headers too large", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n", 431},
		{"malformed request line", "GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"malformed header", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400},
		{"missing host", "GET /healthz HTTP/1.1\r\n\r\n", 400},
		{"two content lengths", "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
		{"unsupported transfer encoding", "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"unsupported version", "GET /healthz HTTP/2.5\r\nHost: x\r\n\r\n", 505},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answers, closed := rawExchange(t, ts.Listener.Addr().String(), tt.req)
			if len(answers) != 1 {
				t.Fatalf("%d answers", len(answers))
			}
			if !closed {
				t.Errorf("connection left open")
			}
			wantEnvelope(t, answers[0], tt.status)
		})
	}
	// A normal request on the same listener is untouched.
	answers, _ := rawExchange(t, ts.Listener.Addr().String(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if len(answers) != 1 || answers[0].StatusCode != 200 {
		t.Fatalf("healthz: %v", answers)
	}
}
