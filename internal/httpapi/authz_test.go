package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

// realBackends runs fn against the real app on SQLite and, when
// OPENIDV_TEST_POSTGRES_URL is set, on a fresh PostgreSQL database.
func realBackends(t *testing.T, opts Options, fn func(t *testing.T, e *realEnv)) {
	idvtest.EachBackend(t, "openidv_http", func(t *testing.T, b idvtest.Backend) { fn(t, newRealEnvOn(t, b, opts)) })
}

// withChecksum appends the checksum of the documented key format to s:
// the CRC-32 (IEEE) of s, big-endian, in lower-case unpadded base32.
func withChecksum(s string) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE([]byte(s)))
	return s + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// revokedKey stores a private (live) key that has been revoked and
// returns its secret.
func (e *realEnv) revokedKey(t *testing.T) string {
	t.Helper()
	secret := withChecksum("private_" + strings.Repeat("r", 52))
	now := time.Now()
	h := sha256.Sum256([]byte(secret))
	key := idv.APIKey{ID: "key_revoked", Kind: idv.KeyPrivate, Hash: h[:], Hint: "private_…rrrr", CreatedAt: now, RevokedAt: &now}
	err := e.store.InTx(context.Background(), func(tx idv.Tx) error { return tx.CreateAPIKey(context.Background(), key) })
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// The credential kinds the authorisation table tries on every route. The
// target session is of mode "same"; "other" keys are of the other mode.
const (
	credPrivate      = "private"
	credPublic       = "public"
	credPrivateOther = "private of the other mode"
	credPublicOther  = "public of the other mode"
	credToken        = "the session's client token"
	credOtherToken   = "another session's client token"
	credNone         = "none"
	credGarbage      = "garbage"
	credRevoked      = "revoked private key"
)

var authzCreds = []string{credPrivate, credPublic, credPrivateOther, credPublicOther, credToken,
	credOtherToken, credNone, credGarbage, credRevoked}

// The access classes of the model (docs/operations.md, "Keys"), as the
// status each credential gets, in the order of authzCreds. okStatus stands for
// the route's success status.
const okStatus = -1

var (
	// POST /v1/sessions: any API key creates sessions (of its own mode).
	classCreate = []int{201, 201, 201, 201, 401, 401, 401, 401, 401}
	// Applicant routes: the session's client token, or a private key.
	classApplicant = []int{okStatus, 403, 404, 403, okStatus, 404, 401, 401, 401}
	// Integrator routes: a private key only.
	classIntegrator = []int{okStatus, 403, 404, 403, 403, 404, 401, 401, 401}
	// Integrator routes that take API keys only (client tokens are no key).
	classKeyOnly = []int{okStatus, 403, 404, 403, 401, 401, 401, 401, 401}
	// The QR code carries the client token: that token only.
	classTokenOnly = []int{403, 403, 403, 403, okStatus, 404, 401, 401, 401}
	// The hosted page is public and reads nothing.
	classOpen = []int{okStatus, okStatus, okStatus, okStatus, okStatus, okStatus, okStatus, okStatus, okStatus}
)

// authzRoute is one row of the table: the route's class, the session state
// its success needs, its request body, and its success status.
type authzRoute struct {
	class   []int
	prepare func(t *testing.T, e *realEnv, cs createSessionReply)
	body    string // "{code}" stands for the last code sent to codeTo
	codeTo  string
	hdr     []string
	ok      int
}

const authzPhone = "+447911123456"

func consented(t *testing.T, e *realEnv, cs createSessionReply) {
	t.Helper()
	p, err := e.svc.AuthenticateSession(context.Background(), cs.ClientToken, cs.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Consent(context.Background(), p, cs.SessionID, true); err != nil {
		t.Fatal(err)
	}
}

func phoneSent(t *testing.T, e *realEnv, cs createSessionReply) {
	t.Helper()
	consented(t, e, cs)
	p, _ := e.svc.AuthenticateSession(context.Background(), cs.ClientToken, cs.SessionID)
	if _, err := e.svc.StartPhoneVerification(context.Background(), p, cs.SessionID, authzPhone); err != nil {
		t.Fatal(err)
	}
}

func phoneDone(t *testing.T, e *realEnv, cs createSessionReply) {
	t.Helper()
	phoneSent(t, e, cs)
	p, _ := e.svc.AuthenticateSession(context.Background(), cs.ClientToken, cs.SessionID)
	if _, err := e.svc.CompletePhoneVerification(context.Background(), p, cs.SessionID, e.msgs.LastCode(t, authzPhone)); err != nil {
		t.Fatal(err)
	}
}

func emailSent(t *testing.T, e *realEnv, cs createSessionReply) {
	t.Helper()
	phoneDone(t, e, cs)
	p, _ := e.svc.AuthenticateSession(context.Background(), cs.ClientToken, cs.SessionID)
	if _, err := e.svc.StartEmailVerification(context.Background(), p, cs.SessionID, "ada@example.org"); err != nil {
		t.Fatal(err)
	}
}

// authzRoutes has an entry for every route of the router that takes a
// session id, and for POST /v1/sessions.
func authzRoutes() map[string]authzRoute {
	const sess = "/v1/sessions/{id}"
	upgrade := []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13",
		"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}
	return map[string]authzRoute{
		"POST /v1/sessions":                     {class: classCreate, body: `{"kyc_level":"contact"}`, ok: 201},
		"GET " + sess:                           {class: classApplicant, ok: 200},
		"POST " + sess:                          {class: classIntegrator, body: `{"first_name":"Ada"}`, ok: 200},
		"DELETE " + sess:                        {class: classIntegrator, ok: 204},
		"PATCH " + sess + "/consent":            {class: classApplicant, body: `{"consent":true}`, ok: 200},
		"GET " + sess + "/preflight":            {class: classApplicant, ok: 200},
		"GET " + sess + "/cable":                {class: classApplicant, hdr: upgrade, ok: 101},
		"POST " + sess + "/events":              {class: classApplicant, body: `{"type":"IDNotDetected","payload":{}}`, ok: 201},
		"GET " + sess + "/events":               {class: classIntegrator, ok: 200},
		"POST " + sess + "/phone_verification":  {class: classApplicant, prepare: consented, body: `{"phone_number":"` + authzPhone + `"}`, ok: 200},
		"PATCH " + sess + "/phone_verification": {class: classApplicant, prepare: phoneSent, body: `{"code":"{code}"}`, codeTo: authzPhone, ok: 200},
		"POST " + sess + "/email_verification":  {class: classApplicant, prepare: phoneDone, body: `{"email_address":"ada@example.org"}`, ok: 200},
		"PATCH " + sess + "/email_verification": {class: classApplicant, prepare: emailSent, body: `{"code":"{code}"}`, codeTo: "ada@example.org", ok: 200},
		"GET " + sess + "/qr":                   {class: classTokenOnly, ok: 200},
		"GET " + sess + "/webhook-deliveries":   {class: classKeyOnly, ok: 200},
		"GET /s/{id}":                           {class: classOpen, ok: 200},
	}
}

// takesSession reports whether a route pattern names a session.
func takesSession(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	return strings.HasPrefix(path, "/v1/sessions") || strings.HasPrefix(path, "/s/")
}

// TestAuthorizationTable tries every credential kind on every route that
// takes a session, over HTTP against the real app, on both databases and
// for a live and a sandbox session. The route list comes from the router:
// a new session route without an entry fails.
func TestAuthorizationTable(t *testing.T) {
	opts := Options{RateLimit: RateLimit{PerMinute: -1}, AuthFailures: RateLimit{PerMinute: -1}}
	realBackends(t, opts, func(t *testing.T, e *realEnv) {
		opts := opts
		opts.Webhooks = e.svc
		opts.PublicURL = e.srv.opts.PublicURL
		srv, ts := newTestServer(t, e.svc, opts)
		routes := authzRoutes()
		patterns := sessionPatterns(t, srv, routes)
		ctx := context.Background()
		secrets := authzSecrets(t, e)
		revoked := e.revokedKey(t)
		for _, sandbox := range []bool{false, true} {
			mode := map[bool]string{false: "live", true: "sandbox"}[sandbox]
			newSession := func(t *testing.T) createSessionReply {
				t.Helper()
				p, err := e.svc.Authenticate(ctx, secrets[sandbox]["public"])
				if err != nil {
					t.Fatal(err)
				}
				cs, err := e.svc.CreateSession(ctx, p, app.NewSession{KYCLevel: "contact"})
				if err != nil {
					t.Fatal(err)
				}
				return createSessionReply{SessionID: cs.SessionID, ClientToken: cs.ClientToken}
			}
			other := newSession(t)
			for _, pattern := range patterns {
				rt := routes[pattern]
				for i, cred := range authzCreds {
					t.Run(mode+"/"+pattern+"/"+cred, func(t *testing.T) {
						cs := newSession(t)
						if rt.prepare != nil {
							rt.prepare(t, e, cs)
						}
						bearer := map[string]string{
							credPrivate: secrets[sandbox]["private"], credPublic: secrets[sandbox]["public"],
							credPrivateOther: secrets[!sandbox]["private"], credPublicOther: secrets[!sandbox]["public"],
							credToken: cs.ClientToken, credOtherToken: other.ClientToken,
							credNone: "", credGarbage: "garbage", credRevoked: revoked,
						}[cred]
						want := rt.class[i]
						if want == okStatus {
							want = rt.ok
						}
						method, path, _ := strings.Cut(pattern, " ")
						path = strings.Replace(path, "{id}", cs.SessionID, 1)
						body := rt.body
						if rt.codeTo != "" {
							body = strings.Replace(body, "{code}", e.msgs.LastCode(t, rt.codeTo), 1)
						}
						got, answer := authzDo(t, ts, method, path, bearer, body, rt.hdr...)
						if got != want {
							t.Errorf("%s %s with %s: %d %s, want %d", method, path, cred, got, answer, want)
						}
					})
				}
			}
		}
	})
}

// sessionPatterns returns the router's routes that take a session, failing
// for any without a row in routes (and for rows without a route).
func sessionPatterns(t *testing.T, srv *Server, routes map[string]authzRoute) []string {
	t.Helper()
	var patterns []string
	for _, rt := range srv.routes() {
		if !takesSession(rt.pattern) {
			continue
		}
		patterns = append(patterns, rt.pattern)
		if _, ok := routes[rt.pattern]; !ok {
			t.Errorf("route %q takes a session but has no row in authzRoutes", rt.pattern)
		}
	}
	if len(patterns) != len(routes) {
		t.Errorf("authzRoutes has %d rows, the router %d session routes: %v", len(routes), len(patterns), patterns)
	}
	return patterns
}

// authzSecrets makes a private and a public key of each mode: sandbox →
// kind → secret.
func authzSecrets(t *testing.T, e *realEnv) map[bool]map[string]string {
	t.Helper()
	secrets := map[bool]map[string]string{}
	for _, sandbox := range []bool{false, true} {
		secrets[sandbox] = map[string]string{}
		for _, kind := range []idv.KeyKind{idv.KeyPrivate, idv.KeyPublic} {
			s, _, err := e.svc.CreateAPIKey(context.Background(), kind, sandbox)
			if err != nil {
				t.Fatal(err)
			}
			secrets[sandbox][string(kind)] = s
		}
	}
	return secrets
}

// authzDo sends one request and returns its status and, unless it switched
// protocols, its body.
func authzDo(t *testing.T, ts *httptest.Server, method, path, bearer, body string, hdr ...string) (int, string) {
	t.Helper()
	status, _, b := do(t, ts, method, path, bearer, body, hdr...)
	return status, string(b)
}

// TestPublicKeyRefusedBeforeBody checks that a public key on a session
// route is refused before its body is read: the answer is the same 403
// whether the body is valid, malformed or absent, and whatever the id.
func TestPublicKeyRefusedBeforeBody(t *testing.T) {
	e := newRealEnv(t, Options{})
	cs := e.create(t, `{"kyc_level":"contact"}`)
	for _, id := range []string{cs.SessionID, "no-such-session"} {
		for _, body := range []string{`{"code":"123456"}`, `{"code":1,"CODE":"x"}`, `not json`, ``} {
			status, got := authzDo(t, e.ts, "PATCH", "/v1/sessions/"+id+"/phone_verification", e.public, body)
			if status != http.StatusForbidden {
				t.Errorf("public key, session %q, body %q: %d %s, want 403", id, body, status, got)
			}
		}
	}
}
