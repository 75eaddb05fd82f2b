package httpapi

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var _ Service = (*app.Service)(nil)

// realEnv is the real app (internal/idvtest: SQLite in a temp dir or a
// fresh PostgreSQL database, fixed clock, seeded randomness) served by
// httptest.
type realEnv struct {
	svc     *app.Service
	srv     *Server
	ts      *httptest.Server
	store   idv.Store
	private string // key secrets
	public  string
	msgs    *idvtest.Inbox
}

// newRealEnv is the real app on SQLite.
func newRealEnv(t *testing.T, opts Options) *realEnv {
	t.Helper()
	return newRealEnvOn(t, idvtest.Backends("openidv_http")[0], opts)
}

// newRealEnvOn is the real app on a fresh store of backend b. Its
// randomness is seeded and its clock never moves, so the golden answers
// repeat.
func newRealEnvOn(t *testing.T, b idvtest.Backend, opts Options) *realEnv {
	t.Helper()
	ie := b.NewEnv(t, idvtest.Seeded(1))
	e := &realEnv{
		svc: ie.Svc, store: ie.Store, msgs: ie.Inbox,
		private: ie.Secrets[string(app.PrincipalPrivateKey)], public: ie.Secrets[string(app.PrincipalPublicKey)],
	}
	if opts.PublicURL == nil {
		opts.PublicURL = &url.URL{Scheme: "https", Host: "idv.example.test"}
	}
	e.srv, e.ts = newTestServer(t, e.svc, opts)
	return e
}

// create makes a session over HTTP and returns its reply.
func (e *realEnv) create(t *testing.T, body string) createSessionReply {
	t.Helper()
	status, _, b := do(t, e.ts, "POST", "/v1/sessions", e.public, body)
	if status != 201 {
		t.Fatalf("create: %d %s", status, b)
	}
	var cs createSessionReply
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// golden compares got with testdata/golden/name (indented JSON).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatalf("%s: %v: %s", name, err, got)
	}
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func TestGoldenResponses(t *testing.T) {
	e := newRealEnv(t, Options{})
	status, _, created := do(t, e.ts, "POST", "/v1/sessions", e.public,
		`{"kyc_level":"contact","first_name":"Ada","last_name":"Lovelace","email_address":"ada@example.org",
		  "phone_number":"+44 7911 123456","vendor_data":"","return_url":"https://shop.example/done","i18n":"es"}`)
	if status != 201 {
		t.Fatalf("create: %d %s", status, created)
	}
	golden(t, "create.json", created)
	var cs createSessionReply
	if err := json.Unmarshal(created, &cs); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, auth, path string }{
		{"show_private.json", e.private, "/v1/sessions/" + cs.SessionID},
		{"show_client_token.json", cs.ClientToken, "/v1/sessions/" + cs.SessionID},
		{"preflight.json", cs.ClientToken, "/v1/sessions/" + cs.SessionID + "/preflight"},
	} {
		status, _, b := do(t, e.ts, "GET", tc.path, tc.auth, "")
		if status != 200 {
			t.Fatalf("%s: %d %s", tc.file, status, b)
		}
		golden(t, tc.file, b)
	}
	status, _, b := do(t, e.ts, "PATCH", "/v1/sessions/"+cs.SessionID+"/consent", cs.ClientToken, `{"consent":true}`)
	if status != 200 {
		t.Fatalf("consent: %d %s", status, b)
	}
	golden(t, "preflight_after_consent.json", b)
}

func TestRealAppQRCode(t *testing.T) {
	e := newRealEnv(t, Options{})
	cs := e.create(t, `{"kyc_level":"basic","generate_qr":true}`)
	if len(cs.QRBase64PNG) < 100 || cs.QRBase64PNG[:11] != "iVBORw0KGgo" {
		t.Errorf("qr_base64_png = %.30q…, want a base64 PNG", cs.QRBase64PNG)
	}
	if cs.WebsocketURL != "wss://idv.example.test/v1/sessions/"+cs.SessionID+"/cable?token="+url.QueryEscape(cs.ClientToken) {
		t.Errorf("websocket_url = %q", cs.WebsocketURL)
	}
}

func TestRealAppWebsocketPushAfterConsent(t *testing.T) {
	e := newRealEnv(t, Options{PingInterval: time.Hour})
	cs := e.create(t, `{"kyc_level":"basic"}`)
	c, _, err := dialCable(t, wsURL(e.ts.URL)+"/v1/sessions/"+cs.SessionID+"/cable?token="+url.QueryEscape(cs.ClientToken), nil)
	if err != nil {
		t.Fatal(err)
	}
	c.next() // welcome
	c.send(`{"command":"subscribe","identifier":"{\"channel\":\"BynnKycChannel\"}"}`)
	if m := c.next(); m["type"] != "confirm_subscription" {
		t.Fatalf("want confirm_subscription, got %v", m)
	}
	if got := screen(t, c.next()); got != "consent_screen" {
		t.Errorf("first push: %q, want consent_screen", got)
	}
	if s, _, b := do(t, e.ts, "PATCH", "/v1/sessions/"+cs.SessionID+"/consent", cs.ClientToken, `{"consent":true}`); s != 200 {
		t.Fatalf("consent: %d %s", s, b)
	}
	if got := screen(t, c.next()); got != "scan_id_document_front_screen" {
		t.Errorf("push after consent: %q, want scan_id_document_front_screen", got)
	}
}
