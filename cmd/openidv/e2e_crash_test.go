package main

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Crash test traffic: e2eCrashWorkers clients for about e2eCrashTraffic.
const (
	e2eCrashWorkers = 4
	e2eCrashTraffic = 2500 * time.Millisecond
)

// TestE2ECrashSafety kills the server with SIGKILL in the middle of
// traffic and checks, after a restart on the same data directory, that
// every acknowledged write survived (SQLite).
func TestE2ECrashSafety(t *testing.T) {
	runCrashSafety(t, "")
}

// TestE2ECrashSafetyPostgres is the same on PostgreSQL.
func TestE2ECrashSafetyPostgres(t *testing.T) {
	runCrashSafety(t, e2ePostgresDatabase(t))
}

// ackedSession is a session whose creation got a 2xx, and whether its
// consent got one too.
type ackedSession struct {
	token     string
	consented bool
}

// ackLog records acknowledged writes from several goroutines.
type ackLog struct {
	mu       sync.Mutex
	sessions map[string]*ackedSession
	consents atomic.Int64
}

func (l *ackLog) created(id, token string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sessions[id] = &ackedSession{token: token}
}

func (l *ackLog) consented(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sessions[id].consented = true
	l.consents.Add(1)
}

func runCrashSafety(t *testing.T, databaseURL string) {
	e2eBinary(t)
	opts := serverOptions{DataDir: filepath.Join(t.TempDir(), "data"), Env: []string{"OPENIDV_RATE_LIMIT_RPS=0"}}
	start := func() *e2eServer { return startServerOn(t, databaseURL, opts) }
	srv := start()
	key := srv.AdminKey
	if key == "" {
		t.Fatalf("no line starting with private_ on the first start's stdout")
	}
	acks := &ackLog{sessions: map[string]*ackedSession{}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range e2eCrashWorkers {
		wg.Go(func() { crashTraffic(ctx, srv.Base, key, acks) })
	}
	time.Sleep(e2eCrashTraffic)
	waitForConsents(t, acks)
	srv.Kill() // mid-traffic: the workers are still sending
	cancel()
	wg.Wait()
	if ws, ok := srv.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("got process state %v, want killed by SIGKILL (did it exit on its own?)", srv.cmd.ProcessState)
	}
	t.Logf("acknowledged before SIGKILL: %d sessions, %d consents", len(acks.sessions), acks.consents.Load())

	restarted := start()
	checkAcked(t, newAPIClient(restarted.Base, key), acks)
	restarted.Stop()
	checkLogsClean(t, restarted.Stderr(), nil)
}

// waitForConsents waits (bounded) until at least one consent was
// acknowledged, so the crash always hits a server that has taken writes.
func waitForConsents(t *testing.T, acks *ackLog) {
	t.Helper()
	deadline := time.Now().Add(e2eStartTimeout)
	for acks.consents.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no consent acknowledged within %v of traffic", e2eStartTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// crashTraffic creates sessions and sends consent until ctx ends,
// recording every 2xx; errors (the crash) are expected and ignored.
func crashTraffic(ctx context.Context, base, key string, acks *ackLog) {
	admin := newAPIClient(base, key)
	for ctx.Err() == nil {
		var cs createdSession
		status, raw, err := admin.do(ctx, http.MethodPost, "/v1/sessions", map[string]any{"kyc_level": "contact"})
		if err != nil || status/100 != 2 || jsonInto(raw, &cs) != nil || cs.SessionID == "" {
			continue
		}
		acks.created(cs.SessionID, cs.ClientToken)
		user := newAPIClient(base, cs.ClientToken)
		status, _, err = user.do(ctx, http.MethodPatch, "/v1/sessions/"+cs.SessionID+"/consent", map[string]any{"consent": true})
		if err == nil && status/100 == 2 {
			acks.consented(cs.SessionID)
		}
	}
}

// checkAcked checks that every acknowledged session exists and every
// acknowledged consent moved the session past the consent screen.
func checkAcked(t *testing.T, admin *apiClient, acks *ackLog) {
	t.Helper()
	acks.mu.Lock()
	defer acks.mu.Unlock()
	lost := 0
	for id, a := range acks.sessions {
		status, raw, err := admin.do(t.Context(), http.MethodGet, "/v1/sessions/"+id, nil)
		if err != nil || status != http.StatusOK {
			lost++
			t.Errorf("session %s (created with 2xx before the crash): GET got %d %s %v, want 200", id, status, raw, err)
			continue
		}
		if !a.consented {
			continue
		}
		var pf preflight
		admin.must(t, http.MethodGet, "/v1/sessions/"+id+"/preflight", nil, http.StatusOK, &pf)
		if pf.Screen.Show == "consent_screen" {
			lost++
			t.Errorf("session %s: consent got 2xx before the crash but preflight is back on consent_screen", id)
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged writes lost", lost, len(acks.sessions))
	}
}
