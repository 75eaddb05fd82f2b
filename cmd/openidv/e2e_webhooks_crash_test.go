package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/openidv/openidv/webhooksig"
)

// Webhook crash test: e2eWebhookKills SIGKILLs, each after about
// e2eWebhookTraffic of session creations with deliveries in flight.
const (
	e2eWebhookKills   = 5
	e2eWebhookTraffic = 800 * time.Millisecond
)

func TestE2EWebhooksCrashSQLite(t *testing.T) { runWebhooksCrash(t, "") }

func TestE2EWebhooksCrashPostgres(t *testing.T) { runWebhooksCrash(t, e2ePostgresDatabase(t)) }

// runWebhooksCrash kills the server repeatedly while it creates sessions
// and delivers their webhooks to a slow receiver; after a last restart,
// every acknowledged session's session.created arrives at least once.
func runWebhooksCrash(t *testing.T, databaseURL string) {
	e2eBinary(t)
	rc := &hookReceiver{delay: 20 * time.Millisecond}
	recv := httptest.NewServer(rc)
	defer recv.Close()
	opts := serverOptions{DataDir: filepath.Join(t.TempDir(), "data"), Env: append([]string{
		"OPENIDV_RATE_LIMIT_RPS=0", "OPENIDV_WEBHOOKS_TIMEOUT=1s", "OPENIDV_WEBHOOKS_LEASE=2s",
		"OPENIDV_MASTER_KEY=" + e2eRandomHex(t, 32),
	}, e2eWebhookEnv...)}
	start := func() *e2eServer { return startServerOn(t, databaseURL, opts) }
	srv := start()
	key := srv.AdminKey
	ep := createEndpoint(t, newAPIClient(srv.Base, key), recv.URL, "session.created")
	acked := &ackedIDs{ids: map[string]bool{}}
	for kill := range e2eWebhookKills {
		if kill > 0 {
			srv = start()
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() { createTraffic(ctx, srv.Base, key, acked) })
		}
		time.Sleep(e2eWebhookTraffic)
		srv.Kill()
		cancel()
		wg.Wait()
	}
	total := acked.count()
	t.Logf("%d sessions acknowledged across %d kills; %d webhooks received before the last restart", total, e2eWebhookKills, len(rc.hooks()))
	srv = start()
	hs := waitHooks(t, rc, "a webhook for every acknowledged session", func(hs []hook) bool {
		return len(acked.missing(t, hs)) == 0
	})
	for _, h := range hs {
		if err := webhooksig.Verify(ep.Secret, h.header, h.body); err != nil {
			t.Errorf("webhook: %v", err)
		}
	}
	t.Logf("%d requests for %d acknowledged sessions (repeats are at-least-once retries after a kill)", len(hs), total)
	srv.Stop()
	checkLogsClean(t, srv.Stderr(), []string{ep.Secret})
}

// ackedIDs are sessions whose creation was answered 201.
type ackedIDs struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (a *ackedIDs) add(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ids[id] = true
}

func (a *ackedIDs) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.ids)
}

// missing returns the acknowledged sessions without a webhook in hs.
func (a *ackedIDs) missing(t *testing.T, hs []hook) []string {
	seen := map[string]bool{}
	for _, h := range hs {
		seen[decodeHook(t, h).Data.SessionID] = true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for id := range a.ids {
		if !seen[id] {
			out = append(out, id)
		}
	}
	return out
}

// createTraffic creates sessions until ctx ends, recording each 201.
func createTraffic(ctx context.Context, base, key string, acked *ackedIDs) {
	admin := newAPIClient(base, key)
	for ctx.Err() == nil {
		var cs createdSession
		status, raw, err := admin.do(ctx, http.MethodPost, "/v1/sessions", map[string]any{"kyc_level": "contact"})
		if err == nil && status == http.StatusCreated && jsonInto(raw, &cs) == nil && cs.SessionID != "" {
			acked.add(cs.SessionID)
		}
	}
}

// TestE2EWebhooksTwoReplicasPostgres runs two servers on one database:
// every event is delivered, and no webhook is ever being sent by both at
// once (the receiver sees no overlapping requests for one webhook-id).
func TestE2EWebhooksTwoReplicasPostgres(t *testing.T) {
	db := e2ePostgresDatabase(t)
	rc := &hookReceiver{delay: 10 * time.Millisecond}
	recv := httptest.NewServer(rc)
	defer recv.Close()
	env := append([]string{"OPENIDV_MASTER_KEY=" + e2eRandomHex(t, 32), "OPENIDV_RATE_LIMIT_RPS=0",
		"OPENIDV_WEBHOOKS_TIMEOUT=2s", "OPENIDV_WEBHOOKS_LEASE=4s"}, e2eWebhookEnv...)
	dir := t.TempDir()
	a := startPostgresServer(t, db, serverOptions{DataDir: filepath.Join(dir, "a"), Env: env})
	b := startPostgresServer(t, db, serverOptions{DataDir: filepath.Join(dir, "b"), Env: env})
	key := a.AdminKey
	ep := createEndpoint(t, newAPIClient(a.Base, key), recv.URL)
	const n = 200
	acked := &ackedIDs{ids: map[string]bool{}}
	var wg sync.WaitGroup
	for _, srv := range []*e2eServer{a, b} {
		wg.Go(func() {
			admin := newAPIClient(srv.Base, key)
			for range n / 2 {
				var cs createdSession
				admin.must(t, http.MethodPost, "/v1/sessions", map[string]any{"kyc_level": "contact"}, http.StatusCreated, &cs)
				acked.add(cs.SessionID)
			}
		})
	}
	wg.Wait()
	waitHooks(t, rc, "every session.created", func(hs []hook) bool { return len(acked.missing(t, hs)) == 0 })
	time.Sleep(time.Second) // late duplicates would arrive now
	hs := rc.hooks()
	ids := map[string]int{}
	for _, h := range hs {
		if err := webhooksig.Verify(ep.Secret, h.header, h.body); err != nil {
			t.Errorf("webhook: %v", err)
		}
		ids[h.header.Get("webhook-id")]++
	}
	dups := 0
	for _, c := range ids {
		dups += c - 1
	}
	rc.mu.Lock()
	overlaps := rc.overlaps
	rc.mu.Unlock()
	if len(overlaps) > 0 {
		t.Errorf("webhooks sent twice at the same time: %v", overlaps)
	}
	if dups > 0 {
		t.Errorf("%d duplicate deliveries to a healthy receiver, want 0", dups)
	}
	t.Logf("%d sessions, %d webhooks, %d distinct ids", n, len(hs), len(ids))
	a.Stop()
	b.Stop()
}
