package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
)

const (
	cableReadLimit    = 4096
	defaultIdentifier = `{"channel":"KycChannel"}`
)

// cable upgrades GET /v1/sessions/{id}/cable to an ActionCable-style
// websocket. Browsers cannot set headers on a websocket, so the client
// token may come in the ?token= query instead of Authorization.
func (s *Server) cable(w http.ResponseWriter, r *http.Request) {
	bearer, fromQuery := bearerFrom(r), false
	if bearer == "" {
		bearer, fromQuery = r.URL.Query().Get("token"), true
	}
	c, err := s.admit(w, r, authSession, bearer)
	if err == nil && fromQuery && c.p.Kind != app.PrincipalClientToken {
		// API keys never travel in URLs (proxies log them).
		err = idv.Errorf(idv.CodeUnauthorized, "send API keys in the Authorization header; ?token= takes a client token")
	}
	if err == nil {
		// The same access as GET .../preflight, which the socket pushes:
		// the session's client token or a private key of its mode.
		_, err = s.svc.PreflightJSON(r.Context(), c.p, c.id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if o := r.Header.Get("Origin"); o != "" && !s.originAllowed(o) && !sameOrigin(o, r.Host) {
		s.writeError(w, r, idv.Errorf(idv.CodeForbidden, "origin not allowed"))
		return
	}
	if s.hub.isClosed() {
		s.writeError(w, r, idv.Errorf(idv.CodeConflict, "the server is shutting down; reconnect"))
		return
	}
	key, herr := checkWSHandshake(r)
	if herr != nil {
		if herr.status == http.StatusUpgradeRequired {
			w.Header().Set("Upgrade", "websocket")
			w.Header().Set("Connection", "Upgrade")
		} else {
			w.Header().Set("Sec-WebSocket-Version", "13")
		}
		_, body, _ := encodeError(idv.Errorf(idv.CodeInvalid, "%s", herr.reason), stateOf(r).requestID)
		writeErrorBody(w, herr.status, body, 0)
		return
	}
	// net/http clears its read and write deadlines on hijack, so server
	// timeouts do not cut the websocket (TestCableOutlivesServerTimeouts).
	ws, err := acceptWS(w, key)
	if err != nil {
		return // the connection is gone
	}
	cc := &cableConn{s: s, ws: ws, sessionID: c.id, requestID: stateOf(r).requestID}
	// Welcome first: no push or ping may precede it.
	if cc.write(cableFrame{Type: "welcome"}) != nil {
		ws.closeNow()
		return
	}
	sub, ok := s.hub.subscribe(c.id, cc.work)
	if !ok {
		ws.close(closeGoingAway, "server shutting down")
		ws.closeNow()
		return
	}
	cc.sub = sub
	// The reader owns the connection from here. The handler returns, so
	// net/http frees the request: an idle websocket costs one goroutine.
	go cc.readLoop()
}

// sameOrigin reports whether origin names the host the request came to.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, host)
}

// cableConn is one websocket: its reader goroutine reads client frames
// and queues them; hub workers handle them and write pushes, pings and the
// goodbye, reading only the fields set before the subscriber is registered.
type cableConn struct {
	s         *Server
	ws        *wsConn
	sessionID string
	sub       *subscriber // set once registered; used by the reader only
	requestID string
	fresh     atomic.Bool // the client asked for a push: read the session itself
	closed    atomic.Bool // the goodbye was sent: no more writes

	mu     sync.Mutex
	idents []string // subscribed identifiers, echoed as sent
	inbox  [][]byte // client frames read but not yet handled, oldest first
}

// maxQueuedFrames bounds the client frames waiting for a worker; a client
// that sends faster than that is cut off.
const maxQueuedFrames = 16

// cableFrame is any frame of the protocol.
type cableFrame struct {
	Type       string `json:"type,omitempty"`
	Identifier string `json:"identifier,omitempty"`
	Message    any    `json:"message,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Reconnect  *bool  `json:"reconnect,omitempty"`
}

// work runs on a hub worker: the goodbye, a push, a ping. A failed write
// ends the connection, which ends the reader.
func (cc *cableConn) work(work uint32) {
	ctx := context.Background()
	if cc.closed.Load() {
		return
	}
	if work&workClose != 0 {
		cc.closed.Store(true)
		reconnect := true
		_ = cc.write(cableFrame{Type: "disconnect", Reason: "server_restart", Reconnect: &reconnect})
		cc.ws.close(closeGoingAway, "server shutting down")
		return
	}
	if work&workFrames != 0 && !cc.handleQueued(ctx) {
		cc.ws.closeNow()
		return
	}
	if work&workPush != 0 && !cc.push(ctx) {
		cc.ws.closeNow()
		return
	}
	if work&workPing != 0 && cc.ws.writeText(cc.s.pingBytes()) != nil {
		cc.ws.closeNow()
	}
}

// pingFrame is an encoded ping for one second.
type pingFrame struct {
	unix int64
	b    []byte
}

// pingBytes returns the ping frame of the current second, encoding it once
// for all sockets.
func (s *Server) pingBytes() []byte {
	now := s.opts.Now().Unix()
	if p := s.ping.Load(); p != nil && p.unix == now {
		return p.b
	}
	b, _ := json.Marshal(cableFrame{Type: "ping", Message: now})
	s.ping.Store(&pingFrame{unix: now, b: b})
	return b
}

// handleQueued handles the queued client frames in order; false when the
// connection should end.
func (cc *cableConn) handleQueued(ctx context.Context) bool {
	cc.mu.Lock()
	frames := cc.inbox
	cc.inbox = nil
	cc.mu.Unlock()
	for _, data := range frames {
		if cc.handle(ctx, data) != nil {
			return false
		}
	}
	return true
}

// write sends one JSON text frame (with the write deadline).
func (cc *cableConn) write(f any) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return cc.ws.writeText(b)
}

// push sends the session's current preflight to every subscribed
// identifier; false when the connection should end.
func (cc *cableConn) push(ctx context.Context) bool {
	cc.mu.Lock()
	idents := append([]string(nil), cc.idents...)
	cc.mu.Unlock()
	if len(idents) == 0 {
		return true // nothing subscribed yet; subscribe triggers a push
	}
	snap := &preflightSnapshot{}
	var err error
	if cc.fresh.Swap(false) {
		snap.msg, err = readJSON(ctx, cc.sessionID, cc.s.svc.PreflightFor)
	} else {
		snap, err = cc.s.hub.snapshot(ctx, cc.sessionID, cc.s.svc.PreflightFor)
	}
	if err != nil {
		code := idv.ErrorCode(err)
		if code == idv.CodeNotFound || code == idv.CodeGone {
			cc.closed.Store(true)
			cc.ws.close(closeNormal, "session no longer available")
			return true // the reader ends on the client's answer
		}
		cc.s.log.Error("websocket preflight", slog.String("request_id", cc.requestID),
			slog.String("error", err.Error()))
		return true
	}
	for _, id := range idents {
		frame, err := snap.frame(id)
		if err != nil || cc.ws.writeText(frame) != nil {
			return false
		}
	}
	return true
}

// readLoop queues client frames for the hub's workers until the
// connection ends, then unsubscribes.
func (cc *cableConn) readLoop() {
	defer cc.s.hub.unsubscribe(cc.sub)
	defer cc.ws.closeNow()
	defer func() {
		if v := recover(); v != nil {
			cc.s.log.Error("websocket reader panic", slog.String("request_id", cc.requestID),
				slog.String("panic_type", fmt.Sprintf("%T", v)))
		}
	}()
	// Frames are handled by a hub worker, not here: the reader stays shallow,
	// so an idle socket keeps a small stack.
	for {
		op, data, err := cc.ws.readMessage(cableReadLimit)
		if err != nil {
			return
		}
		if op != opText {
			continue
		}
		cc.mu.Lock()
		full := len(cc.inbox) >= maxQueuedFrames
		if !full {
			cc.inbox = append(cc.inbox, data)
		}
		cc.mu.Unlock()
		if full {
			cc.ws.close(closePolicyViolation, "too many frames")
			return
		}
		cc.s.hub.mark(cc.sub, workFrames)
	}
}

// cableCommand is a client frame.
type cableCommand struct {
	Command    string `json:"command"`
	Identifier string `json:"identifier"`
	Data       string `json:"data"`
}

// handle runs one client frame: subscribe, unsubscribe, or a request for
// the preflight ("preflight" as text, or as a message's data).
func (cc *cableConn) handle(ctx context.Context, data []byte) error {
	text := strings.TrimSpace(string(data))
	if text == "preflight" || text == `"preflight"` {
		cc.forcePush(defaultIdentifier)
		return nil
	}
	var cmd cableCommand
	if json.Unmarshal(data, &cmd) != nil {
		return nil // not ours; ignore
	}
	switch cmd.Command {
	case "subscribe":
		return cc.subscribe(cmd.Identifier)
	case "unsubscribe":
		cc.mu.Lock()
		cc.idents = removeString(cc.idents, cmd.Identifier)
		cc.mu.Unlock()
	case "message":
		if wantsPreflight(cmd.Data) {
			ident := cmd.Identifier
			if ident == "" {
				ident = defaultIdentifier
			}
			cc.forcePush(ident)
		}
	}
	return nil
}

// subscribe confirms a known channel (KycChannel or BynnKycChannel),
// rejects anything else, and schedules the first push.
func (cc *cableConn) subscribe(ident string) error {
	var id struct {
		Channel string `json:"channel"`
	}
	if json.Unmarshal([]byte(ident), &id) != nil || (id.Channel != "KycChannel" && id.Channel != "BynnKycChannel") {
		return cc.write(cableFrame{Type: "reject_subscription", Identifier: ident})
	}
	cc.mu.Lock()
	known := false
	for _, s := range cc.idents {
		known = known || s == ident
	}
	if !known && len(cc.idents) < 4 {
		cc.idents = append(cc.idents, ident)
	}
	cc.mu.Unlock()
	if err := cc.write(cableFrame{Type: "confirm_subscription", Identifier: ident}); err != nil {
		return err
	}
	cc.s.hub.mark(cc.sub, workPush)
	return nil
}

// forcePush subscribes ident implicitly when nothing is and asks the
// writer for a push.
func (cc *cableConn) forcePush(ident string) {
	cc.mu.Lock()
	if len(cc.idents) == 0 {
		cc.idents = append(cc.idents, ident)
	}
	cc.mu.Unlock()
	cc.fresh.Store(true)
	cc.s.hub.mark(cc.sub, workPush)
}

// wantsPreflight accepts "preflight" or {"action":"preflight"}.
func wantsPreflight(data string) bool {
	if strings.TrimSpace(data) == "preflight" {
		return true
	}
	var d struct {
		Action string `json:"action"`
	}
	return json.Unmarshal([]byte(data), &d) == nil && d.Action == "preflight"
}

func removeString(list []string, s string) []string {
	out := list[:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}
