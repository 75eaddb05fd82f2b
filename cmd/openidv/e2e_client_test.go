package main

// Clients of the end-to-end tests: a JSON REST client and an
// ActionCable-style websocket client, written against the public contract
// (DESIGN.md §1.1, §1.2) rather than the server's Go types.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// e2eRequestTimeout bounds one REST call.
const e2eRequestTimeout = 30 * time.Second

// apiClient calls the REST API with one bearer credential.
type apiClient struct {
	base   string
	bearer string
	http   *http.Client
}

// newAPIClient returns a client of base authenticating with bearer.
func newAPIClient(base, bearer string) *apiClient {
	return &apiClient{base: base, bearer: bearer, http: &http.Client{Timeout: e2eRequestTimeout}}
}

// do sends body (JSON-encoded unless nil) and returns the status and the
// raw answer; transport errors are returned, not fatal.
func (c *apiClient) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// must sends a request, fails the test unless the status is want, and
// decodes the answer into out (when not nil).
func (c *apiClient) must(t *testing.T, method, path string, body any, want int, out any) {
	t.Helper()
	status, raw, err := c.do(t.Context(), method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		t.Fatalf("%s %s: got status %d, want %d; body %s", method, path, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decoding %s: %v", method, path, raw, err)
		}
	}
}

// jsonInto decodes raw into out.
func jsonInto(raw []byte, out any) error { return json.Unmarshal(raw, out) }

// createdSession is the answer of POST /v1/sessions.
type createdSession struct {
	SessionID    string `json:"session_id"`
	ClientToken  string `json:"client_token"`
	URL          string `json:"url"`
	WebsocketURL string `json:"websocket_url"`
	ExpiresAt    string `json:"expires_at"`
}

// shownSession is the part of GET /v1/sessions/{id} the tests read.
type shownSession struct {
	SessionID string `json:"session_id"`
	Status    string `json:"status"`
	KYCLevel  string `json:"kyc_level"`
	Steps     []struct {
		Kind   string `json:"kind"`
		Status string `json:"status"`
	} `json:"steps"`
}

// preflight is the part of the preflight payload the tests read.
type preflight struct {
	SessionID   string `json:"session_id"`
	Status      string `json:"status"`
	Requirement *struct {
		RequirementType string `json:"requirement_type"`
		Status          string `json:"status"`
	} `json:"requirement"`
	Screen struct {
		Show       string         `json:"show"`
		Parameters map[string]any `json:"parameters"`
	} `json:"screen"`
}

// cableFrameIn is any frame the server sends on the websocket.
type cableFrameIn struct {
	Type       string          `json:"type"`
	Identifier string          `json:"identifier"`
	Message    json.RawMessage `json:"message"`
	Reason     string          `json:"reason"`
	Reconnect  *bool           `json:"reconnect"`
}

// Channel identifiers, as a client sends them (a JSON string in JSON).
const (
	kycChannel     = `{"channel":"KycChannel"}`
	bynnKycChannel = `{"channel":"BynnKycChannel"}`
)

// cableClient is one websocket connection to a session's cable. A reader
// goroutine delivers frames on frames; pings are dropped.
type cableClient struct {
	t      *testing.T
	conn   *websocket.Conn
	frames chan cableFrameIn
	closed chan struct{} // closed when the reader stops
	err    error         // why the reader stopped; read after closed
}

// e2eFrameTimeout bounds the wait for one websocket frame; the server's
// push must arrive long before a client would fall back to polling.
const e2eFrameTimeout = 20 * time.Second

// dialCable connects to wsURL exactly as given and waits for the welcome.
func dialCable(t *testing.T, wsURL string) *cableClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), e2eRequestTimeout)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		t.Fatalf("dialing %s: %v", wsURL, err)
	}
	c := &cableClient{t: t, conn: conn, frames: make(chan cableFrameIn, 64), closed: make(chan struct{})}
	go c.read()
	t.Cleanup(func() { c.conn.CloseNow() })
	if f := c.next(); f.Type != "welcome" {
		t.Fatalf("first frame: got %+v, want type welcome", f)
	}
	return c
}

// read delivers frames until the connection ends.
func (c *cableClient) read() {
	defer close(c.closed)
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			c.err = err
			return
		}
		var f cableFrameIn
		if err := json.Unmarshal(data, &f); err != nil {
			c.err = fmt.Errorf("frame %q is not JSON: %w", data, err)
			return
		}
		if f.Type == "ping" {
			continue
		}
		c.frames <- f
	}
}

// next returns the next frame other than a ping, failing the test when
// none arrives or the connection ends.
func (c *cableClient) next() cableFrameIn {
	c.t.Helper()
	select {
	case f := <-c.frames:
		return f
	case <-c.closed:
		select {
		case f := <-c.frames:
			return f
		default:
		}
		c.t.Fatalf("websocket ended while waiting for a frame: %v", c.err)
	case <-time.After(e2eFrameTimeout):
		c.t.Fatalf("no websocket frame within %v", e2eFrameTimeout)
	}
	return cableFrameIn{}
}

// send writes one text frame.
func (c *cableClient) send(text string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), e2eRequestTimeout)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, []byte(text)); err != nil {
		c.t.Fatalf("websocket write %q: %v", text, err)
	}
}

// subscribe subscribes to channel (an identifier), expects the
// confirmation and returns the preflight pushed right after it.
func (c *cableClient) subscribe(identifier string) preflight {
	c.t.Helper()
	cmd, _ := json.Marshal(map[string]string{"command": "subscribe", "identifier": identifier})
	c.send(string(cmd))
	if f := c.next(); f.Type != "confirm_subscription" || f.Identifier != identifier {
		c.t.Fatalf("after subscribe: got %+v, want confirm_subscription for %s", f, identifier)
	}
	return c.nextPreflight(identifier)
}

// nextPreflight returns the next message frame of identifier, decoded.
func (c *cableClient) nextPreflight(identifier string) preflight {
	c.t.Helper()
	f := c.next()
	if f.Type != "" || f.Identifier != identifier || len(f.Message) == 0 {
		c.t.Fatalf("got frame %+v, want a message for %s", f, identifier)
	}
	var pf preflight
	if err := json.Unmarshal(f.Message, &pf); err != nil {
		c.t.Fatalf("decoding preflight %s: %v", f.Message, err)
	}
	return pf
}

// screenLog follows the screens a websocket shows for one identifier, in
// order, without repeats.
type screenLog struct {
	c          *cableClient
	identifier string
	seen       []string
}

// newScreenLog starts a log whose first screen is first.
func newScreenLog(c *cableClient, identifier, first string) *screenLog {
	return &screenLog{c: c, identifier: identifier, seen: []string{first}}
}

// waitFor reads pushes until one shows screen want. A push may repeat the
// current screen (a detail changed); any other screen fails the test, so
// every screen change must arrive, in order.
func (l *screenLog) waitFor(want string) preflight {
	l.c.t.Helper()
	for {
		pf := l.c.nextPreflight(l.identifier)
		cur := l.seen[len(l.seen)-1]
		switch pf.Screen.Show {
		case cur:
			continue
		case want:
			l.seen = append(l.seen, want)
			return pf
		default:
			l.c.t.Fatalf("websocket showed %s after %s, want %s (seen so far: %s)",
				pf.Screen.Show, cur, want, strings.Join(l.seen, " → "))
		}
	}
}
