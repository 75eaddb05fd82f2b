package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/smtp/smtptest"
	"github.com/openidv/openidv/webhooksig"
)

// e2eWebhookEnv lets the server deliver to receivers on loopback over
// http: what the allow-list is for.
var e2eWebhookEnv = []string{"OPENIDV_WEBHOOKS_ALLOW_HTTP=true", "OPENIDV_WEBHOOKS_ALLOW_NETWORKS=127.0.0.0/8"}

// hook is one request captured by a test receiver.
type hook struct {
	header http.Header
	body   []byte
	at     time.Time
}

// hookReceiver records every webhook; answer decides the status.
type hookReceiver struct {
	mu       sync.Mutex
	got      []hook
	inFlight map[string]bool
	overlaps []string // webhook-ids received while an attempt of the same id was running
	delay    time.Duration
	answer   func(h hook) int
}

func (rc *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	h := hook{header: r.Header.Clone(), body: body, at: time.Now()}
	id := r.Header.Get("webhook-id")
	rc.mu.Lock()
	if rc.inFlight == nil {
		rc.inFlight = map[string]bool{}
	}
	if rc.inFlight[id] {
		rc.overlaps = append(rc.overlaps, id)
	}
	rc.inFlight[id] = true
	rc.got = append(rc.got, h)
	answer := rc.answer
	rc.mu.Unlock()
	time.Sleep(rc.delay)
	code := http.StatusNoContent
	if answer != nil {
		code = answer(h)
	}
	rc.mu.Lock()
	delete(rc.inFlight, id)
	rc.mu.Unlock()
	w.WriteHeader(code)
}

func (rc *hookReceiver) hooks() []hook {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// webhookBody is the part of a webhook body the tests read.
type webhookBody struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      struct {
		SessionID string `json:"session_id"`
		Status    string `json:"status"`
		Step      string `json:"step"`
	} `json:"data"`
}

// endpointReply is the part of an endpoint answer the tests read.
type endpointReply struct {
	ID             string   `json:"id"`
	URL            string   `json:"url"`
	Secret         string   `json:"secret"`
	Enabled        bool     `json:"enabled"`
	EventTypes     []string `json:"event_types"`
	DisabledReason string   `json:"disabled_reason"`
}

// deliveryReply is the part of a delivery the tests read.
type deliveryReply struct {
	ID         string `json:"id"`
	WebhookID  string `json:"webhook_id"`
	EventType  string `json:"event_type"`
	State      string `json:"state"`
	Attempts   int    `json:"attempts"`
	AttemptLog []struct {
		StatusCode int    `json:"status_code"`
		Error      string `json:"error"`
	} `json:"attempt_log"`
}

func createEndpoint(t *testing.T, admin *apiClient, url string, types ...string) endpointReply {
	t.Helper()
	var ep endpointReply
	body := map[string]any{"url": url}
	if len(types) > 0 {
		body["event_types"] = types
	}
	admin.must(t, http.MethodPost, "/v1/webhook-endpoints", body, http.StatusCreated, &ep)
	if !strings.HasPrefix(ep.Secret, "whsec_") {
		t.Fatalf("created endpoint has no whsec_ secret: %+v", ep)
	}
	return ep
}

// waitHooks waits until cond holds for the captured webhooks.
func waitHooks(t *testing.T, rc *hookReceiver, what string, cond func([]hook) bool) []hook {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		hs := rc.hooks()
		if cond(hs) {
			return hs
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %d webhooks received", what, len(hs))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func decodeHook(t *testing.T, h hook) webhookBody {
	t.Helper()
	var b webhookBody
	if err := jsonInto(h.body, &b); err != nil {
		t.Fatalf("webhook body %s: %v", h.body, err)
	}
	return b
}

func TestE2EWebhooksContactSessionSQLite(t *testing.T) { runWebhooksContact(t, "") }

func TestE2EWebhooksContactSessionPostgres(t *testing.T) {
	runWebhooksContact(t, e2ePostgresDatabase(t))
}

// runWebhooksContact walks a contact session and checks that the receiver
// gets each of its events exactly once, signed, in order; then rotates the
// secret and checks both signatures.
func runWebhooksContact(t *testing.T, databaseURL string) {
	e2eBinary(t)
	rc := &hookReceiver{}
	recv := httptest.NewServer(rc)
	defer recv.Close()
	mail := smtptest.Start(t)
	opts := serverOptions{DataDir: filepath.Join(t.TempDir(), "data"), Env: append([]string{
		"OPENIDV_EMAIL_PROVIDER=smtp", "OPENIDV_EMAIL_SMTP_HOST=" + mail.Host(),
		"OPENIDV_EMAIL_SMTP_PORT=" + strconv.Itoa(mail.Port()), "OPENIDV_EMAIL_SMTP_FROM=verify@openidv.test",
		"OPENIDV_EMAIL_SMTP_TLS=none", "OPENIDV_DEV=true", "OPENIDV_METRICS_TOKEN=" + e2eMetricsToken,
	}, e2eWebhookEnv...)}
	srv := startServerOn(t, databaseURL, opts)
	admin := newAPIClient(srv.Base, srv.AdminKey)
	ep := createEndpoint(t, admin, recv.URL+"/hooks")
	cs := createContactSession(t, admin)
	walkContactSession(t, srv, mail, newAPIClient(srv.Base, cs.ClientToken), cs.SessionID, nil)

	want := []string{"session.created", "session.consent.accepted", "session.phone.verified",
		"session.email.verified", "session.completed"}
	waitHooks(t, rc, "the contact walk's events", func(hs []hook) bool { return len(hs) >= len(want) })
	time.Sleep(500 * time.Millisecond) // a duplicate would arrive now
	hs := rc.hooks()
	var got []string
	ids := map[string]bool{}
	for _, h := range hs {
		if err := webhooksig.Verify(ep.Secret, h.header, h.body); err != nil {
			t.Errorf("webhook %s: %v", h.body, err)
		}
		id := h.header.Get("webhook-id")
		if ids[id] {
			t.Errorf("webhook-id %s received twice from a healthy receiver", id)
		}
		ids[id] = true
		if h.header.Get("Idempotency-Key") != id || !strings.HasPrefix(h.header.Get("User-Agent"), "OpenIDV/") ||
			h.header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook headers: %v", h.header)
		}
		b := decodeHook(t, h)
		if b.Data.SessionID != cs.SessionID {
			t.Errorf("webhook %s is about session %q, want %q", b.Type, b.Data.SessionID, cs.SessionID)
		}
		got = append(got, b.Type)
		for _, pii := range []string{e2ePhone, e2eEmail, cs.ClientToken} {
			if strings.Contains(string(h.body), pii) {
				t.Errorf("webhook %s carries %q", b.Type, pii)
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("webhooks received: %v, want %v", got, want)
	}

	var log struct{ Deliveries []deliveryReply }
	admin.must(t, http.MethodGet, "/v1/sessions/"+cs.SessionID+"/webhook-deliveries", nil, http.StatusOK, &log)
	if len(log.Deliveries) != len(want) {
		t.Errorf("session delivery log has %d deliveries, want %d", len(log.Deliveries), len(want))
	}
	for _, d := range log.Deliveries {
		if d.State != "delivered" || d.Attempts != 1 || len(d.AttemptLog) != 1 || d.AttemptLog[0].StatusCode != 204 {
			t.Errorf("delivery %+v, want delivered in one 204 attempt", d)
		}
	}
	checkRotation(t, admin, rc, ep)
	checkMetrics(t, srv.Base)
	srv.Stop()
	checkLogsClean(t, srv.Stderr(), []string{ep.Secret, cs.ClientToken, e2eEmail})
}

// checkRotation rotates the endpoint's secret and checks that the next
// webhook carries two signatures, one per secret.
func checkRotation(t *testing.T, admin *apiClient, rc *hookReceiver, ep endpointReply) {
	t.Helper()
	var rotated endpointReply
	admin.must(t, http.MethodPost, "/v1/webhook-endpoints/"+ep.ID+"/rotate-secret", nil, http.StatusOK, &rotated)
	if rotated.Secret == "" || rotated.Secret == ep.Secret {
		t.Fatalf("rotate-secret answered secret %q", rotated.Secret)
	}
	before := len(rc.hooks())
	createContactSession(t, admin)
	hs := waitHooks(t, rc, "a webhook after rotation", func(hs []hook) bool { return len(hs) > before })
	h := hs[before]
	if sigs := strings.Fields(h.header.Get("webhook-signature")); len(sigs) != 2 {
		t.Errorf("signatures during the rotation window: %v, want two", sigs)
	}
	for _, secret := range []string{ep.Secret, rotated.Secret} {
		if err := webhooksig.Verify(secret, h.header, h.body); err != nil {
			t.Errorf("after rotation, a secret does not verify: %v", err)
		}
	}
	var shown endpointReply
	admin.must(t, http.MethodGet, "/v1/webhook-endpoints/"+ep.ID, nil, http.StatusOK, &shown)
	if shown.Secret != "" {
		t.Errorf("GET endpoint shows the secret")
	}
}

// checkMetrics reads the delivery counter and the backlog gauge. The
// receiver may have the last webhook before the dispatcher has recorded
// its attempt, so it reads /metrics again until they agree or 10 s pass.
func checkMetrics(t *testing.T, base string) {
	t.Helper()
	wants := []string{`openidv_webhook_attempts_total{outcome="delivered"} 6`, "openidv_outbox_backlog 0",
		"openidv_webhook_attempt_seconds_count 6"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, raw, err := newAPIClient(base, e2eMetricsToken).do(t.Context(), http.MethodGet, "/metrics", nil)
		if err != nil || status != http.StatusOK {
			t.Fatalf("GET /metrics: %d %v", status, err)
		}
		var missing []string
		for _, want := range wants {
			if !strings.Contains(string(raw), want) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks %q", missing)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestE2EWebhooksReceiverDown points an endpoint at a port nobody listens
// on, makes sessions, waits until every delivery failed twice, then
// starts the receiver: every event arrives, none is lost, and repeats are
// only retries with the same webhook-id and body.
func TestE2EWebhooksReceiverDown(t *testing.T) {
	e2eBinary(t)
	addr := e2eFreeAddr(t) // closed: connection refused
	srv := startServer(t, serverOptions{DataDir: filepath.Join(t.TempDir(), "data"), Env: append([]string{
		"OPENIDV_RATE_LIMIT_RPS=0", "OPENIDV_WEBHOOKS_RETRY_SCHEDULE=100ms,200ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms",
	}, e2eWebhookEnv...)})
	admin := newAPIClient(srv.Base, srv.AdminKey)
	ep := createEndpoint(t, admin, "http://"+addr+"/hooks", "session.created")
	const n = 30
	sessions := map[string]bool{}
	for range n {
		sessions[createContactSession(t, admin).SessionID] = true
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var log struct{ Deliveries []deliveryReply }
		admin.must(t, http.MethodGet, "/v1/webhook-endpoints/"+ep.ID+"/deliveries", nil, http.StatusOK, &log)
		retried := 0
		for _, d := range log.Deliveries {
			if d.Attempts >= 2 && d.State == "pending" {
				retried++
			}
			if d.State == "failed" {
				t.Fatalf("delivery %s failed for good while the receiver was down: %+v", d.ID, d)
			}
		}
		if retried == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d deliveries were retried while the receiver was down", retried, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	rc := &hookReceiver{}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listening on %s: %v", addr, err)
	}
	recv := &http.Server{Handler: rc}
	go recv.Serve(ln)
	defer recv.Close()
	hs := waitHooks(t, rc, "every session.created", func(hs []hook) bool {
		seen := map[string]bool{}
		for _, h := range hs {
			seen[decodeHook(t, h).Data.SessionID] = true
		}
		return len(seen) == n
	})
	bodies := map[string]string{}
	for _, h := range hs {
		if err := webhooksig.Verify(ep.Secret, h.header, h.body); err != nil {
			t.Error(err)
		}
		b := decodeHook(t, h)
		if !sessions[b.Data.SessionID] || b.Type != "session.created" {
			t.Errorf("unexpected webhook %s", h.body)
		}
		id := h.header.Get("webhook-id")
		if prev, ok := bodies[id]; ok && prev != string(h.body) {
			t.Errorf("a retry of %s changed the body", id)
		}
		bodies[id] = string(h.body)
	}
	t.Logf("%d events, %d requests once the receiver was up", n, len(hs))
	checkReplay(t, admin, rc, ep)
	srv.Stop()
}

// checkReplay replays one delivered webhook and checks that it arrives
// again with the same webhook-id and body.
func checkReplay(t *testing.T, admin *apiClient, rc *hookReceiver, ep endpointReply) {
	t.Helper()
	var log struct{ Deliveries []deliveryReply }
	admin.must(t, http.MethodGet, "/v1/webhook-endpoints/"+ep.ID+"/deliveries?limit=1", nil, http.StatusOK, &log)
	if len(log.Deliveries) != 1 || log.Deliveries[0].State != "delivered" {
		t.Fatalf("latest delivery: %+v, want one delivered", log.Deliveries)
	}
	d := log.Deliveries[0]
	count := func(hs []hook) (n int, body string) {
		for _, h := range hs {
			if h.header.Get("webhook-id") == d.WebhookID {
				n, body = n+1, string(h.body)
			}
		}
		return n, body
	}
	before, body := count(rc.hooks())
	var replayed deliveryReply
	admin.must(t, http.MethodPost, "/v1/webhook-deliveries/"+d.ID+"/replay", nil, http.StatusAccepted, &replayed)
	if replayed.State != "pending" || replayed.WebhookID != d.WebhookID {
		t.Errorf("replay answered %+v", replayed)
	}
	hs := waitHooks(t, rc, "the replayed webhook", func(hs []hook) bool { n, _ := count(hs); return n > before })
	if _, again := count(hs); again != body {
		t.Errorf("the replay changed the body: %s, was %s", again, body)
	}
}

// TestE2EWebhooksBadInput checks the endpoint API's validation.
func TestE2EWebhooksBadInput(t *testing.T) {
	e2eBinary(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	srv := startServer(t, serverOptions{DataDir: dataDir})
	admin := newAPIClient(srv.Base, srv.AdminKey)
	cases := []struct {
		name string
		body any
		want int
	}{
		{"no url", map[string]any{}, http.StatusBadRequest},
		{"relative url", map[string]any{"url": "/hooks"}, http.StatusBadRequest},
		{"http without allow_http", map[string]any{"url": "http://hooks.example.com/x"}, http.StatusBadRequest},
		{"loopback literal", map[string]any{"url": "https://127.0.0.1/x"}, http.StatusBadRequest},
		{"ipv6 loopback", map[string]any{"url": "https://[::1]/x"}, http.StatusBadRequest},
		{"metadata", map[string]any{"url": "https://169.254.169.254/latest/meta-data/"}, http.StatusBadRequest},
		{"private", map[string]any{"url": "https://10.0.0.1/x"}, http.StatusBadRequest},
		{"user info", map[string]any{"url": "https://u:p@hooks.example.com/"}, http.StatusBadRequest},
		{"unknown event type", map[string]any{"url": "https://hooks.example.com/a", "event_types": []string{"session.hacked"}}, http.StatusBadRequest},
		{"duplicate event type", map[string]any{"url": "https://hooks.example.com/a", "event_types": []string{"session.created", "session.created"}}, http.StatusBadRequest},
		{"unknown field", map[string]any{"url": "https://hooks.example.com/a", "secret": "whsec_mine"}, http.StatusBadRequest},
		{"wrong type", map[string]any{"url": 42}, http.StatusBadRequest},
		{"huge body", map[string]any{"url": "https://hooks.example.com/" + strings.Repeat("a", 100<<10)}, http.StatusRequestEntityTooLarge},
		{"long url", map[string]any{"url": "https://hooks.example.com/" + strings.Repeat("a", 3000)}, http.StatusBadRequest},
		{"valid", map[string]any{"url": "https://hooks.example.com/a", "event_types": []string{"session.completed"}}, http.StatusCreated},
		{"duplicate endpoint", map[string]any{"url": "https://hooks.example.com/a"}, http.StatusConflict},
	}
	for _, tc := range cases {
		status, raw, err := admin.do(t.Context(), http.MethodPost, "/v1/webhook-endpoints", tc.body)
		if err != nil || status != tc.want {
			t.Errorf("%s: got %d %s (%v), want %d", tc.name, status, raw, err, tc.want)
		}
	}
	var list struct {
		WebhookEndpoints []endpointReply `json:"webhook_endpoints"`
	}
	admin.must(t, http.MethodGet, "/v1/webhook-endpoints", nil, http.StatusOK, &list)
	if len(list.WebhookEndpoints) != 1 || list.WebhookEndpoints[0].Secret != "" {
		t.Fatalf("endpoints after the bad input: %+v, want the valid one without its secret", list.WebhookEndpoints)
	}
	id := list.WebhookEndpoints[0].ID
	var updated endpointReply
	admin.must(t, http.MethodPatch, "/v1/webhook-endpoints/"+id, map[string]any{"enabled": false, "event_types": []string{}}, http.StatusOK, &updated)
	if updated.Enabled || len(updated.EventTypes) != 0 {
		t.Errorf("PATCH: %+v, want disabled with every type", updated)
	}
	admin.must(t, http.MethodPatch, "/v1/webhook-endpoints/"+id, map[string]any{"url": "https://10.1.2.3/"}, http.StatusBadRequest, nil)
	admin.must(t, http.MethodPost, "/v1/webhook-endpoints/"+id+"/recover?since=yesterday", nil, http.StatusBadRequest, nil)
	admin.must(t, http.MethodPost, "/v1/webhook-deliveries/dlv_nope/replay", nil, http.StatusNotFound, nil)
	admin.must(t, http.MethodGet, "/v1/webhook-endpoints/"+id+"/deliveries?limit=0", nil, http.StatusBadRequest, nil)

	pub := newAPIClient(srv.Base, createAPIKey(t, dataDir, "public"))
	pub.must(t, http.MethodGet, "/v1/webhook-endpoints", nil, http.StatusForbidden, nil)
	pub.must(t, http.MethodPost, "/v1/webhook-endpoints", map[string]any{"url": "https://hooks.example.com/b"}, http.StatusForbidden, nil)

	checkIdempotentCreate(t, srv.Base, srv.AdminKey)
	admin.must(t, http.MethodDelete, "/v1/webhook-endpoints/"+id, nil, http.StatusNoContent, nil)
	admin.must(t, http.MethodGet, "/v1/webhook-endpoints/"+id, nil, http.StatusNotFound, nil)
	srv.Stop()
}

// createAPIKey runs `openidv apikey create` on the data directory.
func createAPIKey(t *testing.T, dataDir, kind string) string {
	t.Helper()
	return createAPIKeyOn(t, dataDir, "", kind)
}

// checkIdempotentCreate sends one creation twice with an Idempotency-Key:
// the second answer is the first one replayed (same id and secret), and
// the key with another body is 422.
func checkIdempotentCreate(t *testing.T, base, key string) {
	t.Helper()
	send := func(body string) (int, http.Header, endpointReply) {
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/webhook-endpoints", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "create-hook-1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ep endpointReply
		raw, _ := io.ReadAll(resp.Body)
		_ = jsonInto(raw, &ep)
		return resp.StatusCode, resp.Header, ep
	}
	body := `{"url":"https://hooks.example.com/idempotent"}`
	s1, _, first := send(body)
	s2, h2, again := send(body)
	if s1 != http.StatusCreated || s2 != http.StatusCreated || again.ID != first.ID || again.Secret != first.Secret ||
		h2.Get("Idempotent-Replayed") != "true" {
		t.Errorf("Idempotency-Key: %d %+v then %d %+v (replayed %q)", s1, first, s2, again, h2.Get("Idempotent-Replayed"))
	}
	if s3, _, _ := send(`{"url":"https://hooks.example.com/other"}`); s3 != http.StatusUnprocessableEntity {
		t.Errorf("same Idempotency-Key, other body: %d, want 422", s3)
	}
}
