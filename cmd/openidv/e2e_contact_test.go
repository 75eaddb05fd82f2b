package main

import (
	"html"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/smtp/smtptest"
)

// The applicant of the contact walk. The number is a valid UK mobile.
const (
	e2ePhone = "+447911123456"
	e2eEmail = "ada.lovelace@example.com"
)

// TestE2EContactSessionSQLite walks a `contact` session (consent, phone
// code, email code) against the binary on SQLite.
func TestE2EContactSessionSQLite(t *testing.T) {
	runContactSession(t, "")
}

// TestE2EContactSessionPostgres is the same walk on PostgreSQL.
func TestE2EContactSessionPostgres(t *testing.T) {
	runContactSession(t, e2ePostgresDatabase(t))
}

// runContactSession starts a server (on PostgreSQL when databaseURL is
// set) that sends email through a test SMTP server and keeps SMS in the
// dev inbox, then walks a contact session over REST while two websocket
// clients (KycChannel and its BynnKycChannel alias) watch every screen.
func runContactSession(t *testing.T, databaseURL string) {
	e2eBinary(t)
	mail := smtptest.Start(t)
	opts := serverOptions{DataDir: filepath.Join(t.TempDir(), "data"), Env: []string{
		"OPENIDV_EMAIL_PROVIDER=smtp",
		"OPENIDV_EMAIL_SMTP_HOST=" + mail.Host(),
		"OPENIDV_EMAIL_SMTP_PORT=" + strconv.Itoa(mail.Port()),
		"OPENIDV_EMAIL_SMTP_FROM=verify@openidv.test",
		"OPENIDV_EMAIL_SMTP_TLS=none",
		"OPENIDV_DEV=true",
	}}
	srv := startServerOn(t, databaseURL, opts)
	if srv.AdminKey == "" {
		t.Fatalf("no line starting with private_ on the first start's stdout")
	}
	admin := newAPIClient(srv.Base, srv.AdminKey)
	cs := createContactSession(t, admin)
	checkPublicKeyLockedOut(t, srv.Base, opts.DataDir, databaseURL, cs.SessionID)

	kyc := dialCable(t, cs.WebsocketURL)
	bynn := dialCable(t, cs.WebsocketURL)
	logs := []*screenLog{
		subscribeAndForce(t, kyc, kycChannel, "preflight", cs.SessionID),
		subscribeAndForce(t, bynn, bynnKycChannel,
			`{"command":"message","identifier":"{\"channel\":\"BynnKycChannel\"}","data":"preflight"}`, cs.SessionID),
	}
	user := newAPIClient(srv.Base, cs.ClientToken)
	codes := walkContactSession(t, srv, mail, user, cs.SessionID, logs)

	var shown shownSession
	admin.must(t, http.MethodGet, "/v1/sessions/"+cs.SessionID, nil, http.StatusOK, &shown)
	if shown.Status != "completed" || shown.KYCLevel != "contact" {
		t.Errorf("GET session with the private key: got status %q level %q, want completed contact", shown.Status, shown.KYCLevel)
	}
	checkVerifiedContact(t, admin, cs.SessionID)
	for _, l := range logs {
		want := "consent_screen → phone_verification_start_screen → email_verification_start_screen → completed_screen"
		if got := strings.Join(l.seen, " → "); got != want {
			t.Errorf("%s saw %s, want %s", l.identifier, got, want)
		}
	}
	srv.Stop()
	// The phone code went through the development log sender, whose job is
	// to show it in the log; the emailed code must not appear there.
	smsCode, emailCode := codes[0], codes[1]
	if !strings.Contains(srv.Stderr(), smsCode) || !strings.Contains(srv.Stderr(), "development only") {
		t.Errorf("server log lacks the development-only line with the phone code %s", smsCode)
	}
	checkLogsClean(t, srv.Stderr(), []string{emailCode, cs.ClientToken, e2ePhone, e2eEmail, srv.AdminKey})
}

// checkLogsClean fails the test when the server's log has an ERROR line
// or shows any of secrets (codes, tokens, personal data).
func checkLogsClean(t *testing.T, log string, secrets []string) {
	t.Helper()
	for line := range strings.SplitSeq(log, "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("server logged an error: %s", line)
		}
	}
	for _, s := range secrets {
		// A code is a number: match it only when stand-alone, not inside
		// a timestamp.
		found := strings.Contains(log, s)
		if sixDigits.MatchString(s) {
			found = regexp.MustCompile(`(?:^|\D)` + s + `(?:\D|$)`).MatchString(log)
		}
		if found {
			t.Errorf("server log shows %q; want no codes, tokens or personal data in logs", s)
		}
	}
}

// createContactSession creates a contact session with every optional
// field sent as an empty string, which means absent.
func createContactSession(t *testing.T, admin *apiClient) createdSession {
	t.Helper()
	var cs createdSession
	admin.must(t, http.MethodPost, "/v1/sessions", map[string]any{
		"kyc_level": "contact", "unique_id": "", "first_name": "", "last_name": "",
		"email_address": "", "phone_number": "", "phone_country": "", "vendor_data": "",
		"i18n": "", "return_url": "",
	}, http.StatusCreated, &cs)
	if len(cs.SessionID) < 22 || cs.ClientToken == "" || cs.WebsocketURL == "" || cs.URL == "" {
		t.Fatalf("POST /v1/sessions: got %+v, want a session id of ≥128 bits, a client token and URLs", cs)
	}
	return cs
}

// subscribeAndForce subscribes c to identifier, checks the first push
// shows the consent screen, then sends force (a request for the
// preflight) and checks it makes the server push again.
func subscribeAndForce(t *testing.T, c *cableClient, identifier, force, sessionID string) *screenLog {
	t.Helper()
	pf := c.subscribe(identifier)
	if pf.SessionID != sessionID || pf.Screen.Show != "consent_screen" {
		t.Fatalf("%s: first push: got session %q screen %q, want %q consent_screen",
			identifier, pf.SessionID, pf.Screen.Show, sessionID)
	}
	c.send(force)
	if pf := c.nextPreflight(identifier); pf.Screen.Show != "consent_screen" {
		t.Fatalf("%s: after %q: got screen %q, want consent_screen", identifier, force, pf.Screen.Show)
	}
	return newScreenLog(c, identifier, "consent_screen")
}

// walkContactSession sends consent, the phone code and the email code
// with the client token, checking after each step that every websocket
// and GET preflight show the next screen. It returns the two codes.
func walkContactSession(t *testing.T, srv *e2eServer, mail *smtptest.Server, user *apiClient, id string, logs []*screenLog) []string {
	t.Helper()
	base := "/v1/sessions/" + id
	step := func(method, path string, body any, want string) {
		t.Helper()
		var pf preflight
		user.must(t, method, base+path, body, http.StatusOK, &pf)
		if want == "" {
			return
		}
		if pf.Screen.Show != want {
			t.Fatalf("%s %s: got screen %q, want %q", method, path, pf.Screen.Show, want)
		}
		for _, l := range logs {
			l.waitFor(want)
		}
		user.must(t, http.MethodGet, base+"/preflight", nil, http.StatusOK, &pf)
		if pf.Screen.Show != want {
			t.Fatalf("GET preflight: got screen %q, want %q", pf.Screen.Show, want)
		}
	}
	step(http.MethodPatch, "/consent", map[string]any{"consent": true}, "phone_verification_start_screen")
	step(http.MethodPost, "/phone_verification", map[string]string{"phone_number": e2ePhone}, "")
	smsCode := devInboxCode(t, srv.Base, e2ePhone)
	step(http.MethodPatch, "/phone_verification", map[string]string{"code": smsCode}, "email_verification_start_screen")
	step(http.MethodPost, "/email_verification", map[string]string{"email_address": e2eEmail}, "")
	msg := mail.WaitFor(t, e2eEmail, e2eFrameTimeout)
	emailCode := msg.Code()
	if emailCode == "" {
		t.Fatalf("no six-digit code in the email to %s: %q", e2eEmail, msg.Body)
	}
	step(http.MethodPatch, "/email_verification", map[string]string{"code": emailCode}, "completed_screen")
	return []string{smsCode, emailCode}
}

// sixDigits finds a stand-alone six-digit code.
var sixDigits = regexp.MustCompile(`(?:^|\D)(\d{6})(?:\D|$)`)

// devInboxCode returns the code of the latest message to `to` on the dev
// inbox page (GET /dev/inbox), waiting a bounded time for it to appear.
func devInboxCode(t *testing.T, base, to string) string {
	t.Helper()
	client := newAPIClient(base, "")
	deadline := time.Now().Add(e2eFrameTimeout)
	for time.Now().Before(deadline) {
		status, raw, err := client.do(t.Context(), http.MethodGet, "/dev/inbox", nil)
		if err != nil || status != http.StatusOK {
			t.Fatalf("GET /dev/inbox: got status %d error %v, want 200 (is development mode on? OPENIDV_DEV=true)", status, err)
		}
		rows := strings.Split(html.UnescapeString(string(raw)), "<tr>")
		for i := len(rows) - 1; i >= 0; i-- {
			if !strings.Contains(rows[i], to) {
				continue
			}
			if m := sixDigits.FindStringSubmatch(strings.ReplaceAll(rows[i], to, "")); m != nil {
				return m[1]
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no code for %s on /dev/inbox within %v", to, e2eFrameTimeout)
	return ""
}
