package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

// authCounter counts the credentials the service was asked to check.
type authCounter struct {
	Service
	n atomic.Int32
}

func (a *authCounter) Authenticate(ctx context.Context, bearer string) (app.Principal, error) {
	a.n.Add(1)
	return a.Service.Authenticate(ctx, bearer)
}

func (a *authCounter) AuthenticateSession(ctx context.Context, bearer, id string) (app.Principal, error) {
	a.n.Add(1)
	return a.Service.AuthenticateSession(ctx, bearer, id)
}

// TestFailedAuthThrottle checks that failed authentication is limited per
// client address: once the bucket is empty every request from the address
// gets 429 with Retry-After before its key is checked, other addresses are
// unaffected, and a token comes back with time.
func TestFailedAuthThrottle(t *testing.T) {
	e := newRealEnv(t, Options{})
	clk := idvtest.NewClock(idvtest.Start)
	counter := &authCounter{Service: e.svc}
	_, ts := newTestServer(t, counter, Options{Now: clk.Now, TrustedProxies: loopback, Webhooks: e.svc,
		AuthFailures: RateLimit{PerMinute: 1, Burst: 3}})
	get := func(key, from string) (int, string) {
		status, hdr, _ := do(t, ts, "GET", "/v1/webhook-endpoints", key, "", "X-Forwarded-For", from)
		return status, hdr.Get("Retry-After")
	}
	cs := e.create(t, `{"kyc_level":"basic"}`)
	steps := []struct {
		name, key, from string
		wantStatus      int
		wantRetry       string
		wantChecked     int32
	}{
		{"a good key does not count", e.private, "192.0.2.1", 200, "", 1},
		{"failure 1", "garbage", "192.0.2.1", 401, "", 1},
		{"failure 2", "private_" + e.private[len("private_"):len(e.private)-1] + "x", "192.0.2.1", 401, "", 1},
		{"failure 3: a client token on a key route", cs.ClientToken, "192.0.2.1", 401, "", 1},
		{"the good key is refused unchecked", e.private, "192.0.2.1", 429, "60", 0},
		{"another address is not", "garbage", "192.0.2.2", 401, "", 1},
		{"an IPv6 neighbour in the same /64 is refused", "garbage", "2001:db8::1", 401, "", 1},
	}
	for _, st := range steps {
		before := counter.n.Load()
		status, retry := get(st.key, st.from)
		if status != st.wantStatus || retry != st.wantRetry {
			t.Errorf("%s: %d Retry-After %q, want %d %q", st.name, status, retry, st.wantStatus, st.wantRetry)
		}
		if got := counter.n.Load() - before; got != st.wantChecked {
			t.Errorf("%s: %d credential checks, want %d", st.name, got, st.wantChecked)
		}
	}
	for i := range 2 {
		get("garbage", fmt.Sprintf("2001:db8::%d", i+2))
	}
	if status, _ := get(e.private, "2001:db8::ffff"); status != 429 {
		t.Errorf("same /64 after 3 failures: %d, want 429", status)
	}
	// A session route and the websocket are refused the same way.
	path := "/v1/sessions/" + cs.SessionID + "/preflight"
	if status, _, _ := do(t, ts, "GET", path, cs.ClientToken, "", "X-Forwarded-For", "192.0.2.1"); status != 429 {
		t.Errorf("preflight from a throttled address: %d, want 429", status)
	}
	if status, _, _ := do(t, ts, "GET", "/v1/sessions/"+cs.SessionID+"/cable", cs.ClientToken, "", "X-Forwarded-For", "192.0.2.1"); status != 429 {
		t.Errorf("cable from a throttled address: %d, want 429", status)
	}
	clk.Add(time.Minute)
	if status, _ := get(e.private, "192.0.2.1"); status != 200 {
		t.Errorf("a minute later: %d, want 200", status)
	}
}

// TestFailedAuthThrottleIgnoresForwardedFor checks that without a trusted proxy
// a client cannot escape the throttle by sending X-Forwarded-For.
func TestFailedAuthThrottleIgnoresForwardedFor(t *testing.T) {
	e := newRealEnv(t, Options{})
	_, ts := newTestServer(t, e.svc, Options{Webhooks: e.svc, AuthFailures: RateLimit{PerMinute: 1, Burst: 2}})
	for i, want := range []int{401, 401, 429, 429} {
		status, _, _ := do(t, ts, "GET", "/v1/webhook-endpoints", "garbage", "", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
		if status != want {
			t.Errorf("request %d: %d, want %d", i, status, want)
		}
	}
}

// loopback trusts the test servers' peer as a proxy.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name, remote string
		xff          []string
		trusted      []netip.Prefix
		want         string
	}{
		{"IPv4", "192.0.2.7:5555", nil, nil, "192.0.2.7"},
		{"IPv4-mapped IPv6", "[::ffff:192.0.2.7]:5555", nil, nil, "192.0.2.7"},
		{"IPv6 counts per /64", "[2001:db8:1:2:3:4:5:6]:443", nil, nil, "2001:db8:1:2::"},
		{"X-Forwarded-For ignored without trusted proxies", "192.0.2.7:5555", []string{"198.51.100.1"}, nil, "192.0.2.7"},
		{"X-Forwarded-For ignored from a peer that is not trusted", "192.0.2.7:5555", []string{"198.51.100.1"}, proxies, "192.0.2.7"},
		{"trusted proxy: the hop it added", "10.0.0.1:5555", []string{"203.0.113.9, 198.51.100.1"}, proxies, "198.51.100.1"},
		{"chain of trusted proxies", "10.0.0.1:5555", []string{"203.0.113.9, 198.51.100.1, 10.2.3.4", "10.9.9.9"}, proxies, "198.51.100.1"},
		{"spoofed entry left of the client is not believed", "10.0.0.1:5555", []string{"10.1.1.1, 198.51.100.1"}, proxies, "198.51.100.1"},
		{"garbage hop ends the walk", "10.0.0.1:5555", []string{"198.51.100.1, junk"}, proxies, "10.0.0.1"},
		{"trusted proxy without header", "10.0.0.1:5555", nil, proxies, "10.0.0.1"},
		{"IPv6 client behind a proxy", "[fd00::1]:443", []string{"2001:db8:1:2:3:4:5:6"}, proxies, "2001:db8:1:2::"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{opts: Options{TrustedProxies: tt.trusted}}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientKey(r); got != tt.want {
				t.Errorf("clientKey = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLimiterMemoryIsBounded checks that buckets that have not refilled
// are evicted too once the limiter is full.
func TestLimiterMemoryIsBounded(t *testing.T) {
	clk := idvtest.NewClock(idvtest.Start)
	l := newLimiter(RateLimit{PerMinute: 1, Burst: 1}, clk.Now)
	l.max = 100
	for i := range 10_000 {
		l.take(fmt.Sprint("addr-", i)) // each bucket is left empty
		if n := len(l.buckets); n > l.max {
			t.Fatalf("after %d addresses: %d buckets, want at most %d", i+1, n, l.max)
		}
	}
}

// TestRealAppIdempotencyReleasesKeyOnError checks that only 2xx answers
// are recorded: a rejected request leaves its key free, so the corrected
// retry with the same key runs (and is then replayed).
func TestRealAppIdempotencyReleasesKeyOnError(t *testing.T) {
	e := newRealEnv(t, Options{})
	if s, _, b := do(t, e.ts, "POST", "/v1/sessions", e.public, `{"kyc_level":"gold"}`, "Idempotency-Key", "order-9"); s != 400 {
		t.Fatalf("bad level: %d %s, want 400", s, b)
	}
	s1, h1, b1 := do(t, e.ts, "POST", "/v1/sessions", e.public, `{"kyc_level":"basic"}`, "Idempotency-Key", "order-9")
	if s1 != 201 || h1.Get("Idempotent-Replayed") != "" {
		t.Fatalf("corrected retry: %d %s (replayed %q), want 201", s1, b1, h1.Get("Idempotent-Replayed"))
	}
	s2, h2, b2 := do(t, e.ts, "POST", "/v1/sessions", e.public, `{"kyc_level":"basic"}`, "Idempotency-Key", "order-9")
	if s2 != 201 || h2.Get("Idempotent-Replayed") != "true" || string(b1) != string(b2) {
		t.Errorf("replay: %d %s, want the 201 replayed", s2, b2)
	}
}

// TestRealAppShowsVerifiedContact runs the phone and email steps of a
// session created without contact details and checks that a private key
// then reads the verified number and address in applicant.
func TestRealAppShowsVerifiedContact(t *testing.T) {
	realBackends(t, Options{}, func(t *testing.T, e *realEnv) {
		cs := e.create(t, `{"kyc_level":"contact","first_name":"Ada"}`)
		base := "/v1/sessions/" + cs.SessionID
		steps := []struct{ method, path, body string }{
			{"PATCH", "/consent", `{"consent":true}`},
			{"POST", "/phone_verification", `{"phone_number":"+44 7911 123456"}`},
			{"PATCH", "/phone_verification", `{"code":"{+447911123456}"}`},
			{"POST", "/email_verification", `{"email_address":"Ada@Example.ORG"}`},
			{"PATCH", "/email_verification", `{"code":"{Ada@example.org}"}`},
		}
		for _, st := range steps {
			body := st.body
			if to, ok := codeDestination(body); ok {
				body = `{"code":"` + e.msgs.LastCode(t, to) + `"}`
			}
			if s, _, b := do(t, e.ts, st.method, base+st.path, cs.ClientToken, body); s != 200 {
				t.Fatalf("%s %s: %d %s", st.method, st.path, s, b)
			}
		}
		var got sessionReply
		s, _, b := do(t, e.ts, "GET", base, e.private, "")
		if err := json.Unmarshal(b, &got); s != 200 || err != nil {
			t.Fatalf("GET: %d %s", s, b)
		}
		if got.Status != idv.StatusCompleted || got.Applicant == nil {
			t.Fatalf("GET: %s, want a completed session with its applicant", b)
		}
		want := applicantReply{FirstName: "Ada", PhoneNumber: "+447911123456", EmailAddress: "Ada@example.org"}
		if *got.Applicant != want {
			t.Errorf("applicant = %+v, want %+v", *got.Applicant, want)
		}
		_, _, b = do(t, e.ts, "GET", base, cs.ClientToken, "")
		var asApplicant sessionReply
		if err := json.Unmarshal(b, &asApplicant); err != nil || asApplicant.Applicant != nil {
			t.Errorf("the client token reads the applicant: %s", b)
		}
	})
}

// codeDestination reads `{"code":"{to}"}`.
func codeDestination(body string) (string, bool) {
	const pre, post = `{"code":"{`, `}"}`
	if len(body) > len(pre)+len(post) && body[:len(pre)] == pre && body[len(body)-len(post):] == post {
		return body[len(pre) : len(body)-len(post)], true
	}
	return "", false
}
