package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/idv"
)

func TestStatusTable(t *testing.T) {
	tests := []struct {
		code idv.Code
		want int
	}{
		{idv.CodeInvalid, 400}, {idv.CodeUnauthorized, 401}, {idv.CodeForbidden, 403},
		{idv.CodeNotFound, 404}, {idv.CodeConflict, 409}, {idv.CodeGone, 410},
		{idv.CodePayloadTooLarge, 413}, {idv.CodeUnsupportedMediaType, 415},
		{idv.CodeUnprocessable, 422}, {idv.CodeRateLimited, 429}, {idv.CodeInternal, 500},
		{"something_new", 500},
	}
	for _, tt := range tests {
		if got := statusFor(tt.code); got != tt.want {
			t.Errorf("statusFor(%q) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

func TestEncodeErrorHidesInternalCause(t *testing.T) {
	cause := &idv.Error{Code: idv.CodeInternal, Message: "select * from sessions failed", Err: errTest("pq: password")}
	status, body, _ := encodeError(cause, "req1")
	if status != 500 {
		t.Errorf("status = %d, want 500", status)
	}
	want := `{"error":{"type":"internal","message":"internal error","request_id":"req1"}}` + "\n"
	if string(body) != want {
		t.Errorf("body = %s, want %s", body, want)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

// TestBadInputOverHTTP runs the refusals that the HTTP layer decides alone.
func TestBadInputOverHTTP(t *testing.T) {
	f := newFake()
	_, ts := newTestServer(t, f, Options{MaxBodyBytes: 256})
	big := `{"kyc_level":"` + strings.Repeat("a", 300) + `"}`
	tests := []struct {
		name     string
		method   string
		path     string
		auth     string
		body     string
		hdr      []string
		status   int
		wantType idv.Code
		fields   []idv.FieldError
	}{
		{"no auth", "POST", "/v1/sessions", "", `{"kyc_level":"basic"}`, nil, 401, idv.CodeUnauthorized, nil},
		{"wrong key", "POST", "/v1/sessions", "private_nope", `{"kyc_level":"basic"}`, nil, 401, idv.CodeUnauthorized, nil},
		{"client token cannot create", "POST", "/v1/sessions", "tok_ses_1", `{"kyc_level":"basic"}`, nil, 401, idv.CodeUnauthorized, nil},
		{"malformed", "POST", "/v1/sessions", "public_test", `{"kyc_level":`, nil, 400, idv.CodeInvalid, nil},
		{"unknown field", "POST", "/v1/sessions", "public_test", `{"kyc_level":"basic","x":1}`, nil, 400, idv.CodeInvalid,
			[]idv.FieldError{{Name: "x", Message: "is not a known field"}}},
		{"wrong type", "POST", "/v1/sessions", "public_test", `{"kyc_level":"basic","generate_qr":1}`, nil, 400, idv.CodeInvalid,
			[]idv.FieldError{{Name: "generate_qr", Message: "must be true or false"}}},
		{"invalid utf8", "POST", "/v1/sessions", "public_test", "{\"kyc_level\":\"b\xc3\x28\"}", nil, 400, idv.CodeInvalid, nil},
		{"too large", "POST", "/v1/sessions", "public_test", big, nil, 413, idv.CodePayloadTooLarge, nil},
		{"too large chunked", "POST", "/v1/sessions", "public_test", big, []string{"Content-Length", ""}, 413, idv.CodePayloadTooLarge, nil},
		{"text/plain", "POST", "/v1/sessions", "public_test", `{"kyc_level":"basic"}`, []string{"Content-Type", "text/plain"}, 415, idv.CodeUnsupportedMediaType, nil},
		{"gzip", "POST", "/v1/sessions", "public_test", `{"kyc_level":"basic"}`, []string{"Content-Encoding", "gzip"}, 415, idv.CodeUnsupportedMediaType, nil},
		{"unknown level", "POST", "/v1/sessions", "public_test", `{"kyc_level":"gold"}`, nil, 400, idv.CodeInvalid,
			[]idv.FieldError{{Name: "kyc_level", Message: "is not a configured level"}}},
		{"cross-session token", "GET", "/v1/sessions/ses_2", "tok_ses_1", "", nil, 404, idv.CodeNotFound, nil},
		{"consent missing", "PATCH", "/v1/sessions/ses_1/consent", "tok_ses_1", `{}`, nil, 400, idv.CodeInvalid,
			[]idv.FieldError{{Name: "consent", Message: "is required: true or false"}}},
		{"no route", "GET", "/v2/nothing", "", "", nil, 404, idv.CodeNotFound, nil},
		{"wrong method", "PUT", "/v1/sessions", "", "", nil, 405, idv.CodeInvalid, nil},
		{"bad erase", "DELETE", "/v1/sessions/ses_1?erase=maybe", "private_test", "", nil, 400, idv.CodeInvalid,
			[]idv.FieldError{{Name: "erase", Message: "must be true or false"}}},
		{"bad idempotency key", "POST", "/v1/sessions", "public_test", `{"kyc_level":"basic"}`, []string{"Idempotency-Key", "a b"}, 400, idv.CodeInvalid,
			[]idv.FieldError{{Name: "Idempotency-Key", Message: "must be 1 to 255 printable ASCII characters"}}},
		{"long idempotency key", "POST", "/v1/sessions", "public_test", `{"kyc_level":"basic"}`, []string{"Idempotency-Key", strings.Repeat("k", 256)}, 400, idv.CodeInvalid,
			[]idv.FieldError{{Name: "Idempotency-Key", Message: "must be 1 to 255 printable ASCII characters"}}},
		{"store down", "POST", "/v1/sessions", "boom", `{"kyc_level":"basic"}`, nil, 500, idv.CodeInternal, nil},
		{"resend throttled", "POST", "/v1/sessions/ses_1/phone_verification", "tok_ses_1", `{"phone_number":"+3361"}`, nil, 429, idv.CodeRateLimited, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, hdr, body := do(t, ts, tt.method, tt.path, tt.auth, tt.body, tt.hdr...)
			if status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", status, tt.status, body)
			}
			env := envelope(t, body)
			if env.Type != tt.wantType {
				t.Errorf("type = %q, want %q", env.Type, tt.wantType)
			}
			if diff := cmp.Diff(tt.fields, env.Fields); diff != "" {
				t.Errorf("fields mismatch (-want +got):\n%s", diff)
			}
			if got := hdr.Get("X-Request-Id"); got != env.RequestID {
				t.Errorf("X-Request-Id = %q, envelope request_id = %q", got, env.RequestID)
			}
			if status == 401 && hdr.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
			if status == 429 && hdr.Get("Retry-After") != "42" {
				t.Errorf("Retry-After = %q, want 42", hdr.Get("Retry-After"))
			}
			if strings.Contains(string(body), "10.0.0.7") {
				t.Errorf("internal cause leaked: %s", body)
			}
		})
	}
	if f.creates != 0 {
		t.Errorf("creates = %d after refusals, want 0", f.creates)
	}
}

func TestRequestIDAndPanic(t *testing.T) {
	var logs bytes.Buffer
	_, ts := newTestServer(t, newFake(), Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	_, hdr, _ := do(t, ts, "GET", "/healthz", "", "", "X-Request-Id", "abc-123")
	if got := hdr.Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("echoed X-Request-Id = %q, want abc-123", got)
	}
	_, hdr, _ = do(t, ts, "GET", "/healthz", "", "", "X-Request-Id", "bad id; with spaces")
	if got := hdr.Get("X-Request-Id"); got == "" || strings.Contains(got, "bad") {
		t.Errorf("X-Request-Id = %q, want a fresh id", got)
	}
	status, _, body := do(t, ts, "POST", "/v1/sessions", "panic", `{"kyc_level":"basic"}`)
	if status != 500 {
		t.Fatalf("status = %d, want 500", status)
	}
	if env := envelope(t, body); env.Type != idv.CodeInternal || strings.Contains(string(body), "goroutine") {
		t.Errorf("panic answer = %s", body)
	}
	if strings.Contains(logs.String(), "secret panic value") || strings.Contains(logs.String(), "panic_test") {
		t.Errorf("panic value logged")
	}
	if !strings.Contains(logs.String(), `"route":"/v1/sessions"`) {
		t.Errorf("access log lacks the route pattern: %s", logs.String())
	}
}

func TestCORS(t *testing.T) {
	_, ts := newTestServer(t, newFake(), Options{AllowedOrigins: []string{"https://tenant.com"}})
	tests := []struct {
		name    string
		method  string
		origin  string
		reqHdrs string
		want    string
	}{
		{"allowed preflight", "OPTIONS", "https://tenant.com", "authorization, content-type, x-origin, idempotency-key", "https://tenant.com"},
		{"allowed simple", "GET", "https://tenant.com", "", "https://tenant.com"},
		{"null", "OPTIONS", "null", "content-type", ""},
		{"suffix", "OPTIONS", "https://tenant.com.evil.com", "content-type", ""},
		{"trailing dot", "GET", "https://tenant.com.", "", ""},
		{"http", "GET", "http://tenant.com", "", ""},
		{"other headers", "OPTIONS", "https://tenant.com", "x-evil", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr := []string{"Origin", tt.origin}
			if tt.method == "OPTIONS" {
				hdr = append(hdr, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", tt.reqHdrs)
			}
			status, h, _ := do(t, ts, tt.method, "/v1/sessions/ses_1/preflight", "tok_ses_1", "", hdr...)
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.want {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.want)
			}
			if tt.method == "OPTIONS" && status != 204 {
				t.Errorf("preflight status = %d, want 204", status)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	_, ts := newTestServer(t, newFake(), Options{RateLimit: RateLimit{PerMinute: 60, Burst: 2}, Now: clock})
	for i, want := range []int{200, 200, 429} {
		status, hdr, body := do(t, ts, "GET", "/v1/sessions/ses_1/preflight", "tok_ses_1", "")
		if status != want {
			t.Fatalf("request %d: status = %d, want %d (%s)", i, status, want, body)
		}
		if status == 429 {
			if got := hdr.Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After = %q, want 1", got)
			}
			envelope(t, body)
		}
	}
	if status, _, _ := do(t, ts, "GET", "/v1/sessions/ses_1/preflight", "private_test", ""); status != 200 {
		t.Errorf("another principal: status = %d, want 200", status)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if status, _, _ := do(t, ts, "GET", "/v1/sessions/ses_1/preflight", "tok_ses_1", ""); status != 200 {
		t.Errorf("after refill: status = %d, want 200", status)
	}
}

func TestIdempotency(t *testing.T) {
	f := newFake()
	_, ts := newTestServer(t, f, Options{})
	body := `{"kyc_level":"basic"}`
	s1, _, b1 := do(t, ts, "POST", "/v1/sessions", "public_test", body, "Idempotency-Key", "k1")
	s2, h2, b2 := do(t, ts, "POST", "/v1/sessions", "public_test", body, "Idempotency-Key", "k1")
	if s1 != 201 || s2 != 201 || !bytes.Equal(b1, b2) || h2.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s / %d %s (replayed=%q)", s1, b1, s2, b2, h2.Get("Idempotent-Replayed"))
	}
	if f.creates != 1 {
		t.Errorf("creates = %d, want 1", f.creates)
	}
	s3, _, b3 := do(t, ts, "POST", "/v1/sessions", "public_test", `{"kyc_level":"basic","first_name":"x"}`, "Idempotency-Key", "k1")
	if s3 != 422 || envelope(t, b3).Type != idv.CodeUnprocessable {
		t.Errorf("other body: %d %s, want 422 unprocessable", s3, b3)
	}
	// Another principal with the same key is a separate scope.
	if s, _, _ := do(t, ts, "POST", "/v1/sessions", "private_test", body, "Idempotency-Key", "k1"); s != 201 {
		t.Errorf("other principal: status %d, want 201", s)
	}

	f.block = make(chan struct{})
	done := make(chan int)
	go func() {
		s, _, _ := do(t, ts, "POST", "/v1/sessions", "public_test", body, "Idempotency-Key", "k2")
		done <- s
	}()
	waitFor(t, func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.idem["key:k_public:k2"] != nil })
	s4, _, b4 := do(t, ts, "POST", "/v1/sessions", "public_test", body, "Idempotency-Key", "k2")
	close(f.block)
	if s4 != 409 || envelope(t, b4).Type != idv.CodeConflict {
		t.Errorf("in flight: %d %s, want 409 conflict", s4, b4)
	}
	if s := <-done; s != 201 {
		t.Errorf("first request: status %d, want 201", s)
	}
}

// waitFor polls cond without a deadline of its own (the test's timeout
// bounds it).
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}

func TestCreateAndShow(t *testing.T) {
	_, ts := newTestServer(t, newFake(), Options{})
	status, _, b := do(t, ts, "POST", "/v1/sessions", "public_test", `{"kyc_level":"basic","generate_qr":true}`)
	if status != 201 {
		t.Fatalf("create: %d %s", status, b)
	}
	var got createSessionReply
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	base := ts.URL
	wantURL := base + "/s/ses_1#token=tok_ses_1"
	wantWS := "ws" + strings.TrimPrefix(base, "http") + "/v1/sessions/ses_1/cable?token=tok_ses_1"
	if got.URL != wantURL || got.WebsocketURL != wantWS {
		t.Errorf("urls = %q, %q; want %q, %q", got.URL, got.WebsocketURL, wantURL, wantWS)
	}
	if !strings.HasPrefix(got.QRBase64PNG, "iVBORw0KGgo") {
		t.Errorf("qr_base64_png is not a base64 PNG: %.20q", got.QRBase64PNG)
	}
	for _, tc := range []struct {
		auth string
		want bool
	}{{"private_test", true}, {"public_test", false}, {"tok_ses_1", false}, {"basic:private_test", true}} {
		hdr := []string{}
		if user, ok := strings.CutPrefix(tc.auth, "basic:"); ok {
			tc.auth, hdr = "", []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"))}
		}
		_, _, b := do(t, ts, "GET", "/v1/sessions/ses_1", tc.auth, "", hdr...)
		if has := strings.Contains(string(b), `"applicant"`); has != tc.want {
			t.Errorf("GET with %s: applicant shown = %v, want %v (%s)", tc.auth, has, tc.want, b)
		}
	}
}
