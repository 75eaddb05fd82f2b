package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
)

// cableClient is a test websocket client.
type cableClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialCable(t *testing.T, url string, hdr http.Header) (*cableClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { conn.CloseNow() })
	return &cableClient{t: t, conn: conn}, resp, nil
}

func wsURL(httpURL string) string { return "ws" + strings.TrimPrefix(httpURL, "http") }

func (c *cableClient) send(s string) {
	c.t.Helper()
	if err := c.conn.Write(context.Background(), websocket.MessageText, []byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next returns the next frame that is not a ping.
func (c *cableClient) next() map[string]any {
	c.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, b, err := c.conn.Read(ctx)
		cancel()
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Fatalf("frame %s: %v", b, err)
		}
		if m["type"] != "ping" {
			return m
		}
	}
}

// screen returns message.screen.show of a preflight frame.
func screen(t *testing.T, m map[string]any) string {
	t.Helper()
	msg, ok := m["message"].(map[string]any)
	if !ok {
		t.Fatalf("not a message frame: %v", m)
	}
	return msg["screen"].(map[string]any)["show"].(string)
}

const kycIdent = `{"channel":"KycChannel"}`

func TestCableProtocol(t *testing.T) {
	f := newFake()
	srv, ts := newTestServer(t, f, Options{PingInterval: time.Hour})
	c, _, err := dialCable(t, wsURL(ts.URL)+"/v1/sessions/ses_1/cable?token=tok_ses_1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"type": "welcome"}, c.next()); diff != "" {
		t.Errorf("welcome (-want +got):\n%s", diff)
	}
	c.send(`{"command":"subscribe","identifier":"{\"channel\":\"NopeChannel\"}"}`)
	if diff := cmp.Diff(map[string]any{"type": "reject_subscription", "identifier": `{"channel":"NopeChannel"}`}, c.next()); diff != "" {
		t.Errorf("reject (-want +got):\n%s", diff)
	}
	c.send(`{"command":"subscribe","identifier":"{\"channel\":\"KycChannel\"}"}`)
	if diff := cmp.Diff(map[string]any{"type": "confirm_subscription", "identifier": kycIdent}, c.next()); diff != "" {
		t.Errorf("confirm (-want +got):\n%s", diff)
	}
	first := c.next()
	if first["identifier"] != kycIdent || screen(t, first) != "consent_screen" {
		t.Errorf("first push = %v", first)
	}
	if got := srv.hub.Subscribers(); got != 1 {
		t.Errorf("subscribers = %d, want 1", got)
	}

	// A change committed elsewhere reaches the subscriber.
	if s, _, b := do(t, ts, "PATCH", "/v1/sessions/ses_1/consent", "tok_ses_1", `{"consent":true}`); s != 200 {
		t.Fatalf("consent: %d %s", s, b)
	}
	if got := screen(t, c.next()); got != "completed_screen" {
		t.Errorf("push after consent: screen %q, want completed_screen", got)
	}

	// Forced pushes.
	for _, frame := range []string{"preflight", `{"command":"message","identifier":"{\"channel\":\"KycChannel\"}","data":"preflight"}`,
		`{"command":"message","identifier":"{\"channel\":\"KycChannel\"}","data":"{\"action\":\"preflight\"}"}`} {
		c.send(frame)
		if m := c.next(); m["identifier"] != kycIdent || screen(t, m) != "completed_screen" {
			t.Errorf("after %s: %v", frame, m)
		}
	}
}

func TestCablePingAndShutdown(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	srv, ts := newTestServer(t, newFake(), Options{PingInterval: time.Millisecond, Now: func() time.Time { return now }})
	c, _, err := dialCable(t, wsURL(ts.URL)+"/v1/sessions/ses_1/cable", http.Header{"Authorization": {"Bearer tok_ses_1"}})
	if err != nil {
		t.Fatal(err)
	}
	c.next() // welcome
	ctx := context.Background()
	_, b, err := c.conn.Read(ctx)
	if err != nil || string(b) != `{"type":"ping","message":1900000000}` {
		t.Fatalf("ping = %s, %v", b, err)
	}
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(ctx) }()
	var last []byte
	for {
		_, b, err := c.conn.Read(ctx)
		if err != nil {
			if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
				t.Errorf("close status = %v (%v), want going away", got, err)
			}
			break
		}
		last = b
	}
	if !strings.Contains(string(last), `"type":"disconnect"`) {
		t.Errorf("last frame before close = %s, want a disconnect", last)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if got := srv.hub.Subscribers(); got != 0 {
		t.Errorf("subscribers after shutdown = %d", got)
	}
}

func TestCableRefusals(t *testing.T) {
	_, ts := newTestServer(t, newFake(), Options{AllowedOrigins: []string{"https://tenant.com"}})
	tests := []struct {
		name   string
		path   string
		hdr    http.Header
		status int
	}{
		{"no token", "/v1/sessions/ses_1/cable", nil, 401},
		{"other session's token", "/v1/sessions/ses_2/cable?token=tok_ses_1", nil, 404},
		{"API key in the URL", "/v1/sessions/ses_1/cable?token=private_test", nil, 401},
		{"foreign origin", "/v1/sessions/ses_1/cable?token=tok_ses_1", http.Header{"Origin": {"https://evil.com"}}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := dialCable(t, wsURL(ts.URL)+tt.path, tt.hdr)
			if err == nil {
				t.Fatal("dial succeeded")
			}
			if resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("response = %v (%v), want status %d", resp, err, tt.status)
			}
		})
	}
	c, _, err := dialCable(t, wsURL(ts.URL)+"/v1/sessions/ses_1/cable?token=tok_ses_1", http.Header{"Origin": {"https://tenant.com"}})
	if err != nil {
		t.Fatalf("allowed origin: %v", err)
	}
	c.next()
}

func TestHubCoalesces(t *testing.T) {
	h := newHub(time.Hour)
	var mu sync.Mutex
	ran := map[string][]uint32{}
	record := func(id string) func(uint32) {
		return func(work uint32) {
			mu.Lock()
			defer mu.Unlock()
			ran[id] = append(ran[id], work)
		}
	}
	block := make(chan struct{})
	a, _ := h.subscribe("s1", func(work uint32) { <-block; record("s1")(work) })
	b, _ := h.subscribe("s2", record("s2"))
	for range 5 {
		h.Publish("s1")
	}
	if got := a.pending.Load() &^ queued; got != workPush && got != 0 {
		t.Errorf("pending work for s1 = %b, want at most one push", got)
	}
	close(block)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(ran["s1"]) > 0 })
	mu.Lock()
	if got := len(ran["s1"]); got > 2 {
		t.Errorf("five notices ran %d pushes, want them coalesced", got)
	}
	if got := len(ran["s2"]); got != 0 {
		t.Errorf("s2 ran %d jobs without a notice", got)
	}
	mu.Unlock()
	h.unsubscribe(a)
	h.unsubscribe(a) // twice is harmless
	h.Close()
	if _, ok := h.subscribe("s3", record("s3")); ok {
		t.Errorf("subscribe after Close succeeded")
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(ran["s2"]) == 1 && ran["s2"][0] == workClose })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a live subscriber = %v, want context.Canceled", err)
	}
	h.unsubscribe(b)
	if err := h.Wait(context.Background()); err != nil {
		t.Errorf("Wait = %v", err)
	}
}

// TestCableOutlivesServerTimeouts checks that http.Server's read and write
// timeouts, which apply to ordinary requests, do not cut a websocket: the
// pings come after both deadlines have passed.
func TestCableOutlivesServerTimeouts(t *testing.T) {
	s := New(newFake(), Options{Logger: discardLogger(), PingInterval: 30 * time.Millisecond})
	ts := httptest.NewUnstartedServer(s)
	ts.Config.ReadTimeout = 10 * time.Millisecond
	ts.Config.WriteTimeout = 10 * time.Millisecond
	ts.Start()
	t.Cleanup(func() {
		s.Shutdown(context.Background())
		ts.Close()
	})
	c, _, err := dialCable(t, wsURL(ts.URL)+"/v1/sessions/ses_1/cable?token=tok_ses_1", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.next() // welcome
	for i := range 3 {
		_, b, err := c.conn.Read(context.Background())
		if err != nil || !strings.Contains(string(b), `"type":"ping"`) {
			t.Fatalf("frame %d after the server deadlines = %s, %v; want a ping", i, b, err)
		}
	}
	c.send("preflight")
	if got := screen(t, c.next()); got != "consent_screen" {
		t.Errorf("push = %q", got)
	}
}

// TestCableNeedsAHandshake checks that a plain GET of the cable route, or a
// handshake of another version, answers the JSON error envelope.
func TestCableNeedsAHandshake(t *testing.T) {
	_, ts := newTestServer(t, newFake(), Options{})
	status, hdr, body := do(t, ts, "GET", "/v1/sessions/ses_1/cable", "tok_ses_1", "")
	if status != http.StatusUpgradeRequired || hdr.Get("Upgrade") != "websocket" ||
		!strings.Contains(string(body), `"invalid_request"`) {
		t.Errorf("plain GET = %d %v %s; want 426 with Upgrade: websocket and the envelope", status, hdr, body)
	}
	status, hdr, body = do(t, ts, "GET", "/v1/sessions/ses_1/cable", "tok_ses_1", "",
		"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "8",
		"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if status != http.StatusBadRequest || hdr.Get("Sec-WebSocket-Version") != "13" {
		t.Errorf("version 8 = %d %v %s; want 400 naming version 13", status, hdr, body)
	}
}
