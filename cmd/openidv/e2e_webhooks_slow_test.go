package main

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// TestE2EWebhooksSlowEndpointIsolated runs the server with a receiver that
// answers 200 and then holds the body (well within the one-minute timeout)
// beside a healthy one: the healthy receiver gets every session's webhook
// while the slow one still holds its attempts, of which none counts as
// delivered.
func TestE2EWebhooksSlowEndpointIsolated(t *testing.T) {
	e2eBinary(t)
	var holding atomic.Int32
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		holding.Add(1)
		defer holding.Add(-1)
		w.WriteHeader(http.StatusOK)
		_ = http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	rc := &hookReceiver{}
	recv := httptest.NewServer(rc)
	defer recv.Close()
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	srv := startServer(t, serverOptions{DataDir: filepath.Join(t.TempDir(), "data"), Env: append([]string{
		"OPENIDV_RATE_LIMIT_RPS=0", "OPENIDV_WEBHOOKS_TIMEOUT=60s", "OPENIDV_WEBHOOKS_LEASE=240s",
		"OPENIDV_WEBHOOKS_RETRY_SCHEDULE=1h",
	}, e2eWebhookEnv...)})
	admin := newAPIClient(srv.Base, srv.AdminKey)
	slowEP := createEndpoint(t, admin, slow.URL+"/hooks", "session.created")
	createEndpoint(t, admin, recv.URL+"/hooks", "session.created")
	const n = 16
	sessions := map[string]bool{}
	for range n {
		sessions[createContactSession(t, admin).SessionID] = true
	}
	waitHooks(t, rc, "every session.created at the healthy receiver", func(hs []hook) bool {
		seen := map[string]bool{}
		for _, h := range hs {
			if id := decodeHook(t, h).Data.SessionID; sessions[id] {
				seen[id] = true
			}
		}
		return len(seen) == n
	})
	if holding.Load() == 0 {
		t.Fatal("the slow receiver holds no attempt any more: the test proves nothing")
	}
	var log struct{ Deliveries []deliveryReply }
	admin.must(t, http.MethodGet, "/v1/webhook-endpoints/"+slowEP.ID+"/deliveries", nil, http.StatusOK, &log)
	if len(log.Deliveries) != n {
		t.Errorf("slow endpoint: %d deliveries, want %d", len(log.Deliveries), n)
	}
	for _, d := range log.Deliveries {
		if d.State == "delivered" {
			t.Errorf("slow delivery %s counts as delivered while its answer has not ended: %+v", d.ID, d)
		}
	}
	close(release)
	released = true
	srv.Stop()
}
