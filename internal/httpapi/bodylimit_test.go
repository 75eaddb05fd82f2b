package httpapi

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// dripStart opens a connection from local (nil: any) and sends the
// headers of a session creation announcing a 100-byte body, plus its first
// bytes; the rest never comes.
func dripStart(t *testing.T, addr string, local net.Addr) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: local}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST /v1/sessions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer public_test\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"kyc_level\":")
	return c
}

// readAnswer reads one answer on c, failing after 15 s (a server that
// never answers would otherwise hang the test).
func readAnswer(t *testing.T, c net.Conn) (*http.Response, string) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(15 * time.Second)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestSlowBodiesPerClientCap: one address dripping bodies over many
// connections holds at most MaxBodiesPerClient of them; its next request
// with a body gets 429 at once, while another address and requests
// without a body are still served.
func TestSlowBodiesPerClientCap(t *testing.T) {
	f := newFake()
	s, ts := newTestServer(t, f, Options{MaxBodiesPerClient: 4, BodyReadTimeout: 10 * time.Minute})
	addr := ts.Listener.Addr().String()
	attacker := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}
	for range 4 {
		dripStart(t, addr, attacker)
	}
	waitInFlight(t, s, 4)

	c := dripStart(t, addr, attacker)
	resp, body := readAnswer(t, c)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !resp.Close {
		t.Errorf("5th dripping body: %d Retry-After=%q close=%v, want 429 with Retry-After on a closing connection",
			resp.StatusCode, resp.Header.Get("Retry-After"), resp.Close)
	}
	envelope(t, []byte(body))

	// Another loopback address is not affected.
	other := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}
	d := net.Dialer{LocalAddr: other}
	oc, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close()
	json := `{"kyc_level":"basic"}`
	fmt.Fprintf(oc, "POST /v1/sessions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer public_test\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(json), json)
	if resp, body := readAnswer(t, oc); resp.StatusCode != http.StatusCreated {
		t.Errorf("other client: %d %s", resp.StatusCode, body)
	}
	// A request without a body from the capped address is served.
	if status, _, body := do(t, ts, "GET", "/v1/sessions/ses_1", "tok_ses_1", ""); status != 200 {
		t.Errorf("GET from the capped address: %d %s", status, body)
	}
}

// TestSlowBodyDeadline: a body that stops arriving is given up after
// BodyReadTimeout with a 400 envelope, and the connection is closed.
func TestSlowBodyDeadline(t *testing.T) {
	f := newFake()
	s, ts := newTestServer(t, f, Options{BodyReadTimeout: time.Second})
	c := dripStart(t, ts.Listener.Addr().String(), nil)
	resp, body := readAnswer(t, c)
	if resp.StatusCode != http.StatusBadRequest || !resp.Close {
		t.Errorf("stalled body: %d close=%v %s, want 400 on a closing connection", resp.StatusCode, resp.Close, body)
	}
	if env := envelope(t, []byte(body)); !strings.Contains(env.Message, "in time") {
		t.Errorf("message = %q", env.Message)
	}
	waitInFlight(t, s, 0)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.creates != 0 {
		t.Errorf("creates = %d", f.creates)
	}
}

// waitInFlight waits until 127.0.0.1 holds n body slots, failing after
// 15 s (the condition never holding is the failure).
func waitInFlight(t *testing.T, s *Server, n int) {
	t.Helper()
	lo := netip.MustParseAddr("127.0.0.1")
	for deadline := time.Now().Add(15 * time.Second); s.bodies.inFlight(lo) != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("in flight from 127.0.0.1: %d, want %d", s.bodies.inFlight(lo), n)
		}
	}
}
