package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestE2EGracefulShutdown sends SIGTERM while a request is in flight (its
// body half sent) and a websocket is open: the request must still be
// answered, the websocket closed with "going away" after a disconnect
// frame that asks the client to reconnect, and the process must exit 0
// without waiting for its shutdown timeout.
func TestE2EGracefulShutdown(t *testing.T) {
	e2eBinary(t)
	srv := startServer(t, serverOptions{DataDir: filepath.Join(t.TempDir(), "data"), Env: []string{
		"OPENIDV_SHUTDOWN_TIMEOUT=10m", // far beyond e2eStopTimeout: a stuck shutdown fails the test
	}})
	admin := newAPIClient(srv.Base, srv.AdminKey)
	cs := createContactSession(t, admin)
	cable := dialCable(t, cs.WebsocketURL)
	if pf := cable.subscribe(kycChannel); pf.Screen.Show != "consent_screen" {
		t.Fatalf("first push: got screen %q, want consent_screen", pf.Screen.Show)
	}

	slow := startSlowCreate(t, srv.Base, srv.AdminKey)
	slow.send(`{"kyc_level":`)
	srv.Signal(syscall.SIGTERM)

	f := cable.next()
	if f.Type != "disconnect" || f.Reconnect == nil || !*f.Reconnect {
		t.Errorf("after SIGTERM: got frame %+v, want a disconnect asking to reconnect", f)
	}
	<-cable.closed
	if got := websocket.CloseStatus(cable.err); got != websocket.StatusGoingAway {
		t.Errorf("websocket closed with %v (%v), want StatusGoingAway", got, cable.err)
	}
	waitListenerClosed(t, srv.Addr)

	slow.send(`"contact"}`)
	status, body := slow.finish()
	if status != http.StatusCreated || !strings.Contains(body, `"session_id"`) {
		t.Errorf("request in flight during shutdown: got %d %s, want 201 with a session_id", status, body)
	}
	if code := srv.Wait(); code != 0 {
		t.Errorf("got exit code %d after SIGTERM, want 0", code)
	}
	checkLogsClean(t, srv.Stderr(), []string{cs.ClientToken})
}

// slowRequest is a POST /v1/sessions whose body the test writes piece by
// piece; it was sent with Expect: 100-continue, so once started the
// server's handler is known to be reading the body.
type slowRequest struct {
	t    *testing.T
	body *io.PipeWriter
	done chan struct{}
	resp *http.Response
	raw  []byte
	err  error
}

// startSlowCreate starts the request and returns once the server has
// answered 100 Continue.
func startSlowCreate(t *testing.T, base, key string) *slowRequest {
	t.Helper()
	pr, pw := io.Pipe()
	s := &slowRequest{t: t, body: pw, done: make(chan struct{})}
	got100 := make(chan struct{})
	trace := &httptrace.ClientTrace{Got100Continue: func() { close(got100) }}
	ctx := httptrace.WithClientTrace(context.Background(), trace)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/sessions", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Expect", "100-continue")
	transport := &http.Transport{ExpectContinueTimeout: e2eStopTimeout}
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Timeout: e2eStopTimeout, Transport: transport}
	go func() {
		defer close(s.done)
		s.resp, s.err = client.Do(req)
		if s.err == nil {
			s.raw, s.err = io.ReadAll(s.resp.Body)
			s.resp.Body.Close()
		}
	}()
	select {
	case <-got100:
	case <-s.done:
		t.Fatalf("slow request ended before 100 Continue: %v", s.err)
	case <-time.After(e2eRequestTimeout):
		t.Fatalf("no 100 Continue within %v", e2eRequestTimeout)
	}
	return s
}

// send writes part of the body; it returns once the client has taken it.
func (s *slowRequest) send(part string) {
	s.t.Helper()
	if _, err := s.body.Write([]byte(part)); err != nil {
		s.t.Fatalf("writing the slow body: %v", err)
	}
}

// finish ends the body and returns the answer.
func (s *slowRequest) finish() (int, string) {
	s.t.Helper()
	s.body.Close()
	<-s.done
	if s.err != nil {
		s.t.Fatalf("slow request: %v", s.err)
	}
	return s.resp.StatusCode, string(s.raw)
}

// waitListenerClosed waits (bounded) until addr refuses connections,
// which shows the server is shutting down.
func waitListenerClosed(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(e2eStopTimeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			var op *net.OpError
			if errors.As(err, &op) {
				return
			}
			t.Fatalf("dialing %s: %v", addr, err)
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s still accepts connections %v after SIGTERM", addr, e2eStopTimeout)
}
