package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
)

// TestE2ETwoReplicasPostgres runs two server processes on one PostgreSQL
// database with one master key: websocket clients on each replica must
// hear changes made through the other, and each replica must read the
// other's sessions.
func TestE2ETwoReplicasPostgres(t *testing.T) {
	db := e2ePostgresDatabase(t)
	env := []string{"OPENIDV_MASTER_KEY=" + e2eRandomHex(t, 32), "OPENIDV_DEV=true"}
	dir := t.TempDir()
	a := startPostgresServer(t, db, serverOptions{DataDir: filepath.Join(dir, "a"), Env: env})
	if a.AdminKey == "" {
		t.Fatalf("replica A: no line starting with private_ on the first start's stdout")
	}
	b := startPostgresServer(t, db, serverOptions{DataDir: filepath.Join(dir, "b"), Env: env})
	if b.AdminKey != "" {
		t.Errorf("replica B printed a second admin key; want one admin key per database")
	}
	cs := createContactSession(t, newAPIClient(a.Base, a.AdminKey))
	onA := replicaScreenLog(t, cs, a.Addr)
	onB := replicaScreenLog(t, cs, b.Addr)
	base := "/v1/sessions/" + cs.SessionID
	userA, userB := newAPIClient(a.Base, cs.ClientToken), newAPIClient(b.Base, cs.ClientToken)

	// A change through A reaches B's websocket (and A's).
	userA.must(t, http.MethodPatch, base+"/consent", map[string]any{"consent": true}, http.StatusOK, nil)
	onB.waitFor("phone_verification_start_screen")
	onA.waitFor("phone_verification_start_screen")
	var pf preflight
	userB.must(t, http.MethodGet, base+"/preflight", nil, http.StatusOK, &pf)
	if pf.Screen.Show != "phone_verification_start_screen" {
		t.Errorf("GET preflight on replica B: got screen %q, want phone_verification_start_screen", pf.Screen.Show)
	}

	// A change through B reaches A's websocket (and B's). The code was
	// sent by B, so it is in B's dev inbox.
	userB.must(t, http.MethodPost, base+"/phone_verification", map[string]string{"phone_number": e2ePhone}, http.StatusOK, nil)
	code := devInboxCode(t, b.Base, e2ePhone)
	userB.must(t, http.MethodPatch, base+"/phone_verification", map[string]string{"code": code}, http.StatusOK, nil)
	onA.waitFor("email_verification_start_screen")
	onB.waitFor("email_verification_start_screen")

	var shown shownSession
	newAPIClient(b.Base, a.AdminKey).must(t, http.MethodGet, base, nil, http.StatusOK, &shown)
	if shown.Status != "in_progress" {
		t.Errorf("GET session on replica B with A's admin key: got status %q, want in_progress", shown.Status)
	}
	b.Stop()
	a.Stop()
	for _, r := range []*e2eServer{a, b} {
		// code went through the development log sender, which logs it on
		// purpose; tokens and personal data must stay out.
		checkLogsClean(t, r.Stderr(), []string{cs.ClientToken, e2ePhone})
	}
}

// replicaScreenLog subscribes a websocket client on the replica at addr
// to the session and checks its first push.
func replicaScreenLog(t *testing.T, cs createdSession, addr string) *screenLog {
	t.Helper()
	cable := dialCable(t, onReplica(t, cs.WebsocketURL, addr))
	if pf := cable.subscribe(kycChannel); pf.SessionID != cs.SessionID || pf.Screen.Show != "consent_screen" {
		t.Fatalf("replica %s first push: got session %q screen %q, want %q consent_screen",
			addr, pf.SessionID, pf.Screen.Show, cs.SessionID)
	}
	return newScreenLog(cable, kycChannel, "consent_screen")
}

// onReplica returns wsURL with its host replaced by addr.
func onReplica(t *testing.T, wsURL, addr string) string {
	t.Helper()
	u, err := url.Parse(wsURL)
	if err != nil {
		t.Fatalf("websocket_url %q: %v", wsURL, err)
	}
	u.Host = addr
	return u.String()
}
