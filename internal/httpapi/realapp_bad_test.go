package httpapi

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/idv"
)

// snapshot is what a refused request must leave unchanged.
type snapshot struct {
	Stats   idv.StoreStats
	Session string
	Events  string
}

func (e *realEnv) snapshot(t *testing.T, id string) snapshot {
	t.Helper()
	st, err := e.svc.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, _, sess := do(t, e.ts, "GET", "/v1/sessions/"+id, e.private, "")
	_, _, evs := do(t, e.ts, "GET", "/v1/sessions/"+id+"/events", e.private, "")
	return snapshot{Stats: st, Session: string(sess), Events: string(evs)}
}

// TestRealAppBadInput sends hostile and mistaken requests to the real app:
// each answers the error envelope with the expected status and changes
// nothing.
func TestRealAppBadInput(t *testing.T) {
	e := newRealEnv(t, Options{MaxBodyBytes: 2048, RateLimit: RateLimit{PerMinute: -1}})
	s := e.create(t, `{"kyc_level":"contact","email_address":"ada@example.org"}`)
	other := e.create(t, `{"kyc_level":"contact"}`)
	sp := "/v1/sessions/" + s.SessionID
	if st, _, b := do(t, e.ts, "PATCH", sp+"/consent", s.ClientToken, `{"consent":true}`); st != 200 {
		t.Fatalf("consent: %d %s", st, b)
	}
	tok := s.ClientToken
	tests := []struct {
		name, method, path, auth, body string
		hdr                            []string
		status                         int
	}{
		{"malformed JSON", "POST", "/v1/sessions", e.public, `{"kyc_level":"basic"`, nil, 400},
		{"unknown field", "POST", "/v1/sessions", e.public, `{"kyc_level":"basic","risk_score":0}`, nil, 400},
		{"wrong type", "POST", "/v1/sessions", e.public, `{"kyc_level":["basic"]}`, nil, 400},
		{"duplicate keys", "POST", "/v1/sessions", e.public, `{"kyc_level":"basic","kyc_level":"full"}`, nil, 400},
		{"oversized body", "POST", "/v1/sessions", e.public, `{"kyc_level":"basic","vendor_data":"` + strings.Repeat("x", 4096) + `"}`, nil, 413},
		{"unknown level", "POST", "/v1/sessions", e.public, `{"kyc_level":"platinum"}`, nil, 400},
		{"no key", "POST", "/v1/sessions", "", `{"kyc_level":"basic"}`, nil, 401},
		{"wrong key", "POST", "/v1/sessions", "private_" + strings.Repeat("a", 40), `{"kyc_level":"basic"}`, nil, 401},
		{"client token creating", "POST", "/v1/sessions", tok, `{"kyc_level":"basic"}`, nil, 401},
		{"invalid UTF-8", "POST", "/v1/sessions", e.public, "{\"kyc_level\":\"basic\",\"first_name\":\"\xff\xfe\"}", nil, 400},
		{"invalid UTF-8 consent", "PATCH", sp + "/consent", tok, "{\"consent\":true,\"x\":\"\xc3\"}", nil, 400},
		{"NUL in name", "POST", sp, e.private, `{"first_name":"a\u0000b"}`, nil, 400},
		{"not JSON", "POST", "/v1/sessions", e.public, `kyc_level=basic`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415},
		{"public key reads timeline", "GET", sp + "/events", e.public, "", nil, 403},
		{"token reads timeline", "GET", sp + "/events", tok, "", nil, 403},
		{"cross-session read", "GET", "/v1/sessions/" + other.SessionID, tok, "", nil, 404},
		{"cross-session consent", "PATCH", "/v1/sessions/" + other.SessionID + "/consent", tok, `{"consent":false}`, nil, 404},
		{"cross-session cancel", "DELETE", "/v1/sessions/" + other.SessionID, tok, "", nil, 404},
		{"unguessed id", "GET", "/v1/sessions/doesnotexist", e.private, "", nil, 404},
		{"mass assignment", "POST", sp, tok, `{"status":"approved"}`, nil, 400},
		{"level change", "POST", sp, e.private, `{"kyc_level":"basic"}`, nil, 400},
		{"consent as string", "PATCH", sp + "/consent", tok, `{"consent":"yes"}`, nil, 400},
		{"phone letters", "POST", sp + "/phone_verification", tok, `{"phone_number":"call me maybe"}`, nil, 400},
		{"phone 50 digits", "POST", sp + "/phone_verification", tok, `{"phone_number":"+` + strings.Repeat("1", 50) + `"}`, nil, 400},
		{"phone as number", "POST", sp + "/phone_verification", tok, `{"phone_number":447911123456}`, nil, 400},
		{"email header injection", "POST", sp, e.private, `{"email_address":"a@b.com\r\nBcc: x@evil.com"}`, nil, 400},
		{"email without at", "POST", sp, e.private, `{"email_address":"not-an-email"}`, nil, 400},
		{"email too long", "POST", sp, e.private, `{"email_address":"` + strings.Repeat("a", 320) + `@example.org"}`, nil, 400},
		{"unknown event type", "POST", sp + "/events", tok, `{"type":"approveMe","payload":{}}`, nil, 400},
		{"event payload array", "POST", sp + "/events", tok, `{"type":"tooFar","payload":[]}`, nil, 400},
		{"event payload over 4 KiB", "POST", sp + "/events", tok, `{"type":"tooFar","payload":{"message":"` + strings.Repeat("x", 4096) + `"}}`, nil, 400},
		{"timeline limit 0", "GET", sp + "/events?limit=0", e.private, "", nil, 400},
		{"timeline limit over 1000", "GET", sp + "/events?limit=1001", e.private, "", nil, 400},
		{"timeline bad cursor", "GET", sp + "/events?cursor=bm9wZQ", e.private, "", nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.snapshot(t, s.SessionID)
			status, hdr, body := do(t, e.ts, tt.method, tt.path, tt.auth, tt.body, tt.hdr...)
			if status != tt.status {
				t.Errorf("status = %d, want %d (%s)", status, tt.status, body)
			}
			env := envelope(t, body)
			if env.RequestID != hdr.Get("X-Request-Id") {
				t.Errorf("request_id %q != X-Request-Id %q", env.RequestID, hdr.Get("X-Request-Id"))
			}
			if diff := cmp.Diff(before, e.snapshot(t, s.SessionID)); diff != "" {
				t.Errorf("state changed (-before +after):\n%s", diff)
			}
		})
	}
}

func TestRealAppIdempotency(t *testing.T) {
	e := newRealEnv(t, Options{})
	ctx := context.Background()
	body := `{"kyc_level":"basic"}`
	count := func() int {
		st, err := e.svc.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st.SessionsByStatus[idv.StatusInProgress]
	}
	s1, _, b1 := do(t, e.ts, "POST", "/v1/sessions", e.public, body, "Idempotency-Key", "order-1")
	s2, h2, b2 := do(t, e.ts, "POST", "/v1/sessions", e.public, body, "Idempotency-Key", "order-1")
	if s1 != 201 || s2 != 201 || string(b1) != string(b2) || h2.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s / %d %s", s1, b1, s2, b2)
	}
	if got := count(); got != 1 {
		t.Errorf("sessions = %d after a replay, want 1", got)
	}
	if s, _, b := do(t, e.ts, "POST", "/v1/sessions", e.public, `{"kyc_level":"full"}`, "Idempotency-Key", "order-1"); s != 422 {
		t.Errorf("same key, other body: %d %s, want 422", s, b)
	}
	// A first request still running holds the key: the duplicate is 409.
	p, err := e.svc.Authenticate(ctx, e.public)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte("POST /v1/sessions\n" + body))
	if rec, err := e.svc.BeginIdempotent(ctx, principalKey(p)+":order-2", h[:]); rec != nil || err != nil {
		t.Fatalf("BeginIdempotent = %v, %v", rec, err)
	}
	if s, _, b := do(t, e.ts, "POST", "/v1/sessions", e.public, body, "Idempotency-Key", "order-2"); s != 409 {
		t.Errorf("in flight: %d %s, want 409", s, b)
	}
	if got := count(); got != 1 {
		t.Errorf("sessions = %d, want 1", got)
	}
}

func TestRealAppRateLimit(t *testing.T) {
	e := newRealEnv(t, Options{RateLimit: RateLimit{PerMinute: 1, Burst: 2}})
	cs := e.create(t, `{"kyc_level":"basic"}`) // the public key's first token
	path := "/v1/sessions/" + cs.SessionID + "/preflight?token=" + url.QueryEscape(cs.ClientToken)
	for i, want := range []int{200, 200, 429} {
		status, hdr, body := do(t, e.ts, "GET", path, cs.ClientToken, "")
		if status != want {
			t.Fatalf("request %d: %d %s, want %d", i, status, body, want)
		}
		if status == 429 {
			if got := hdr.Get("Retry-After"); got != "60" {
				t.Errorf("Retry-After = %q, want 60", got)
			}
			if env := envelope(t, body); env.Type != idv.CodeRateLimited {
				t.Errorf("type = %q", env.Type)
			}
		}
	}
}

// TestRealAppLogsCarryNoSecrets runs a session through the API with a
// captured log and checks that no personal data, key or token is in it.
func TestRealAppLogsCarryNoSecrets(t *testing.T) {
	var logs syncBuffer
	e := newRealEnv(t, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	cs := e.create(t, `{"kyc_level":"contact","first_name":"Zebulon","email_address":"zeb@example.org","phone_number":"+44 7911 123456"}`)
	sp := "/v1/sessions/" + cs.SessionID
	do(t, e.ts, "PATCH", sp+"/consent", cs.ClientToken, `{"consent":true}`)
	do(t, e.ts, "POST", sp+"/phone_verification", cs.ClientToken, `{"phone_number":"+44 7911 123456"}`)
	do(t, e.ts, "PATCH", sp+"/phone_verification", cs.ClientToken, `{"code":"000000"}`)
	do(t, e.ts, "GET", sp, "private_wrong_key_zzzz", "")
	out := logs.String()
	if !strings.Contains(out, `"route":"/v1/sessions/{id}/phone_verification"`) {
		t.Fatalf("access log missing: %s", out)
	}
	for _, secret := range []string{"Zebulon", "zeb@example.org", "7911", cs.ClientToken, e.public, "private_wrong_key_zzzz", "000000"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
