package httpapi

import (
	"runtime"
	"testing"
	"time"
)

// TestCableGoroutinesPerSubscriber opens many idle websockets and checks
// that each costs one goroutine on the server (its reader: the handler has
// returned and the hub's workers write) and nothing per subscriber in the hub.
func TestCableGoroutinesPerSubscriber(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 50
	}
	srv, ts := newTestServer(t, newFake(), Options{PingInterval: time.Hour, RateLimit: RateLimit{PerMinute: -1}})
	before := runtime.NumGoroutine()
	clients := make([]*cableClient, n)
	for i := range clients {
		c, _, err := dialCable(t, wsURL(ts.URL)+"/v1/sessions/ses_1/cable?token=tok_ses_1", nil)
		if err != nil {
			t.Fatal(err)
		}
		c.next() // welcome: the server side is fully set up
		clients[i] = c
	}
	waitFor(t, func() bool { return srv.hub.Subscribers() == n })
	// net/http's goroutine for each upgraded request ends just after its
	// handler returns: give the last ones a moment before counting.
	perConn := 0.0
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if perConn = float64(runtime.NumGoroutine()-before) / float64(n); perConn <= 1.05 {
			break
		}
	}
	// The test's clients run in this process too; they start no goroutine
	// of their own while idle, so the server's share is all of it.
	t.Logf("goroutines per idle websocket: %.2f", perConn)
	if perConn > 1.05 {
		t.Errorf("goroutines per idle websocket = %.2f, want at most 1", perConn)
	}
	srv.hub.PublishAll()
	for _, c := range clients {
		c.send(`{"command":"subscribe","identifier":"{\"channel\":\"KycChannel\"}"}`)
	}
	for _, c := range clients {
		c.next() // confirm
		if got := screen(t, c.next()); got != "consent_screen" {
			t.Fatalf("push = %q", got)
		}
	}
}
