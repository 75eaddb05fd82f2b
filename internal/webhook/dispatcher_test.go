package webhook

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
	"github.com/openidv/openidv/internal/storetest"
	"github.com/openidv/openidv/webhooksig"
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// stores runs fn on SQLite and, when configured, PostgreSQL.
func stores(t *testing.T, fn func(t *testing.T, st idv.Store)) {
	idvtest.EachStore(t, "openidv_webhook", func(t *testing.T, st idvtest.Store) { fn(t, st) })
}

func openSQLite(t testing.TB) idv.Store { return idvtest.SQLite(t) }

func openPostgres(t testing.TB) idv.Store { return idvtest.Postgres(t, "openidv_webhook") }

// received is one request captured by a test receiver.
type received struct {
	header http.Header
	body   []byte
}

// receiver records requests and answers with status(n) for the n-th (from 1).
type receiver struct {
	mu     sync.Mutex
	got    []received
	status func(n int, r *http.Request) int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.got = append(rc.got, received{r.Header.Clone(), body})
	n := len(rc.got)
	rc.mu.Unlock()
	code := http.StatusNoContent
	if rc.status != nil {
		code = rc.status(n, r)
	}
	w.WriteHeader(code)
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func loopbackPolicy() Policy {
	return Policy{AllowHTTP: true, Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
}

// start runs a dispatcher on st until the test ends: policy p, a 2 s
// timeout and the given retry schedule.
func start(t *testing.T, st idv.Store, p Policy, schedule ...time.Duration) {
	t.Helper()
	startWith(t, st, Config{Client: NewClient(p, 2*time.Second), Timeout: 2 * time.Second, Lease: 5 * time.Second,
		Schedule: append([]time.Duration{}, schedule...), Workers: 8})
}

// startWith runs a dispatcher configured by cfg (by default the loopback
// policy; the test secret) on st until the test ends.
func startWith(t *testing.T, st idv.Store, cfg Config) {
	t.Helper()
	cfg.Store = st
	if cfg.Client == nil {
		cfg.Client = NewClient(loopbackPolicy(), cfg.Timeout)
	}
	cfg.Poll = 20 * time.Millisecond
	cfg.UserAgent = "OpenIDV/test"
	cfg.Secrets = func(idv.WebhookEndpoint, time.Time) ([]string, error) { return []string{testSecret}, nil }
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func addEndpoint(t *testing.T, st idv.Store, url string) idv.WebhookEndpoint {
	t.Helper()
	e := storetest.SampleEndpoint(t, true, url)
	if err := st.CreateWebhookEndpoint(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

// enqueue commits n messages for one new session and returns their ids.
func enqueue(t *testing.T, st idv.Store, n int) []string {
	t.Helper()
	s := storetest.SampleSession(storetest.NewID(t), time.Now())
	var ids []string
	err := st.InTx(t.Context(), func(tx idv.Tx) error {
		if err := tx.CreateSession(t.Context(), s); err != nil {
			return err
		}
		for i := range n {
			id := "msg_" + storetest.NewID(t)
			ids = append(ids, id)
			now := time.Now()
			err := tx.EnqueueOutbox(t.Context(), idv.OutboxMessage{ID: id, SessionID: s.ID, EventType: "session.created",
				Sandbox: true, Payload: fmt.Appendf(nil, `{"type":"session.created","n":%d}`, i), CreatedAt: now, NextAttemptAt: now})
			if err != nil {
				return err
			}
		}
		return tx.NotifySession(t.Context(), s.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// waitDeliveries waits until every delivery of the endpoint has left the
// pending state, and returns them.
func waitDeliveries(t *testing.T, st idv.Store, endpointID string, want int) []idv.WebhookDelivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, err := st.WebhookDeliveries(t.Context(), idv.DeliveryQuery{EndpointID: endpointID, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		pending := 0
		for _, d := range ds {
			if d.State == idv.DeliveryPending {
				pending++
			}
		}
		if len(ds) == want && pending == 0 {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries: %d of %d created, %d still pending", len(ds), want, pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDeliversEveryMessageOnceSignedInOrder(t *testing.T) {
	stores(t, func(t *testing.T, st idv.Store) {
		rc := &receiver{}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		ep := addEndpoint(t, st, srv.URL+"/hook")
		start(t, st, loopbackPolicy())
		var sent [][]string
		for range 10 {
			sent = append(sent, enqueue(t, st, 5))
		}
		ds := waitDeliveries(t, st, ep.ID, 50)
		for _, d := range ds {
			if d.State != idv.DeliveryDelivered || d.Attempts != 1 || len(d.AttemptLog) != 1 || d.AttemptLog[0].StatusCode != 204 {
				t.Errorf("delivery %s: state %s, %d attempts, log %+v", d.ID, d.State, d.Attempts, d.AttemptLog)
			}
		}
		got := rc.requests()
		if len(got) != 50 {
			t.Fatalf("receiver got %d requests, want 50", len(got))
		}
		pos := map[string]int{}
		for i, r := range got {
			if err := webhooksig.Verify(testSecret, r.header, r.body); err != nil {
				t.Errorf("request %d: %v", i, err)
			}
			id := r.header.Get("webhook-id")
			if _, dup := pos[id]; dup {
				t.Errorf("webhook-id %s received twice", id)
			}
			pos[id] = i
			if r.header.Get("Idempotency-Key") != id || r.header.Get("User-Agent") != "OpenIDV/test" ||
				r.header.Get("Content-Type") != "application/json" {
				t.Errorf("request %d headers: %v", i, r.header)
			}
		}
		for _, ids := range sent {
			for i := 1; i < len(ids); i++ {
				if pos[ids[i]] < pos[ids[i-1]] {
					t.Errorf("messages of one session arrived out of order: %s before %s", ids[i], ids[i-1])
				}
			}
		}
	})
}

func TestRetriesUntilTheReceiverIsBack(t *testing.T) {
	stores(t, func(t *testing.T, st idv.Store) {
		var healthy atomic.Bool
		rc := &receiver{status: func(int, *http.Request) int {
			if healthy.Load() {
				return http.StatusOK
			}
			return http.StatusInternalServerError
		}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		ep := addEndpoint(t, st, srv.URL)
		start(t, st, loopbackPolicy(), 50*time.Millisecond, 100*time.Millisecond, 200*time.Millisecond,
			300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond)
		var ids []string
		for range 20 {
			ids = append(ids, enqueue(t, st, 1)...)
		}
		// Wait until every message has failed at least twice, then heal.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			ds, _ := st.WebhookDeliveries(t.Context(), idv.DeliveryQuery{EndpointID: ep.ID, Limit: 100})
			twice := 0
			for _, d := range ds {
				if d.Attempts >= 2 {
					twice++
				}
			}
			if twice == len(ids) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("only %d of %d deliveries were retried", twice, len(ids))
			}
		}
		healthy.Store(true)
		ds := waitDeliveries(t, st, ep.ID, len(ids))
		for _, d := range ds {
			if d.State != idv.DeliveryDelivered || d.Attempts < 3 || len(d.AttemptLog) != d.Attempts {
				t.Errorf("delivery %s: %s after %d attempts (%d logged)", d.ID, d.State, d.Attempts, len(d.AttemptLog))
			}
			if d.AttemptLog[0].StatusCode != 500 || d.AttemptLog[0].Error != "HTTP 500" {
				t.Errorf("first attempt of %s: %+v", d.ID, d.AttemptLog[0])
			}
		}
		bodies := map[string]string{}
		for _, r := range rc.requests() {
			if err := webhooksig.Verify(testSecret, r.header, r.body); err != nil {
				t.Error(err)
			}
			id := r.header.Get("webhook-id")
			if b, seen := bodies[id]; seen && b != string(r.body) {
				t.Errorf("retry of %s changed the body", id)
			}
			bodies[id] = string(r.body)
		}
		for _, id := range ids {
			if _, ok := bodies[id]; !ok {
				t.Errorf("message %s never received", id)
			}
		}
		if len(bodies) != len(ids) {
			t.Errorf("received %d distinct ids, want %d", len(bodies), len(ids))
		}
	})
}

func TestStatusMatrix(t *testing.T) {
	stores(t, func(t *testing.T, st idv.Store) {
		var redirected atomic.Int32
		target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { redirected.Add(1) }))
		defer target.Close()
		mux := http.NewServeMux()
		mux.HandleFunc("/gone", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) })
		mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
		})
		mux.HandleFunc("/busy", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(strings.Repeat("é\x00", 1<<20)))
		})
		mux.HandleFunc("/down", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
		srv := httptest.NewServer(mux)
		defer srv.Close()
		gone := addEndpoint(t, st, srv.URL+"/gone")
		redirect := addEndpoint(t, st, srv.URL+"/redirect")
		busy := addEndpoint(t, st, srv.URL+"/busy")
		big := addEndpoint(t, st, srv.URL+"/big")
		down := addEndpoint(t, st, srv.URL+"/down")
		start(t, st, loopbackPolicy(), 10*time.Millisecond) // one retry, then failed
		enqueue(t, st, 1)

		first := func(ep idv.WebhookEndpoint, wantAttempts int) idv.WebhookDelivery {
			t.Helper()
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				ds, err := st.WebhookDeliveries(t.Context(), idv.DeliveryQuery{EndpointID: ep.ID, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				if len(ds) == 1 && ds[0].Attempts >= wantAttempts && (ds[0].State != idv.DeliveryPending || wantAttempts == 1) {
					return ds[0]
				}
				if time.Now().After(deadline) {
					t.Fatalf("endpoint %s: deliveries %+v", ep.URL, ds)
				}
			}
		}
		if d := first(gone, 1); d.State != idv.DeliveryFailed {
			t.Errorf("410: state %s, want failed", d.State)
		}
		if e, _ := st.WebhookEndpoint(t.Context(), gone.ID); e.Enabled || e.DisabledReason != "410 Gone" {
			t.Errorf("410: endpoint enabled %v, reason %q", e.Enabled, e.DisabledReason)
		}
		if d := first(redirect, 2); d.State != idv.DeliveryFailed || d.AttemptLog[0].StatusCode != 307 ||
			!strings.Contains(d.AttemptLog[0].Error, "redirects are not followed") {
			t.Errorf("redirect: %+v", d)
		}
		if n := redirected.Load(); n != 0 {
			t.Errorf("the redirect target was hit %d times, want 0", n)
		}
		if d := first(busy, 1); d.State != idv.DeliveryPending ||
			d.NextAttemptAt.Sub(d.AttemptLog[0].StartedAt) < 120*time.Second {
			t.Errorf("429 Retry-After 120: next attempt at %s after %s", d.NextAttemptAt, d.AttemptLog[0].StartedAt)
		}
		if d := first(big, 2); len(d.AttemptLog[0].Response) > 3*ResponseExcerpt || strings.Contains(d.AttemptLog[0].Response, "\x00") {
			t.Errorf("recorded %d bytes of the answer, want at most %d characters", len(d.AttemptLog[0].Response), ResponseExcerpt)
		}
		if d := first(down, 2); d.State != idv.DeliveryFailed || d.Attempts != 2 {
			t.Errorf("503 with a schedule of one retry: %s after %d attempts, want failed after 2", d.State, d.Attempts)
		}
		if e, _ := st.WebhookEndpoint(t.Context(), down.ID); !e.Enabled || e.FailingSince == nil {
			t.Errorf("failing endpoint: enabled %v, failing since %v; want enabled and failing", e.Enabled, e.FailingSince)
		}
	})
}

// TestRefusesPrivateDestinations points endpoints at a canary listening on
// loopback by every route the policy must close; the canary must hear
// nothing.
func TestRefusesPrivateDestinations(t *testing.T) {
	var hits atomic.Int32
	canary := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	canary.Listener = l
	canary.Start()
	defer canary.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	var hits6 atomic.Int32
	if l6, err := net.Listen("tcp", "[::1]:"+port); err == nil {
		c6 := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits6.Add(1) })}
		go c6.Serve(l6)
		defer c6.Close()
	}
	// A receiver on 127.0.0.2, allow-listed alone, that redirects to the canary.
	rl, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	redirector := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, canary.URL, http.StatusFound)
	})}
	go redirector.Serve(rl)
	defer redirector.Close()

	stores(t, func(t *testing.T, st idv.Store) {
		urls := []string{
			"http://127.0.0.1:" + port + "/",
			"http://localhost:" + port + "/",
			"http://[::1]:" + port + "/",
			"http://[::ffff:127.0.0.1]:" + port + "/",
			"http://10.0.0.1:" + port + "/",
			"http://169.254.169.254/latest/meta-data/",
			"http://0.0.0.0:" + port + "/",
			"http://" + rl.Addr().String() + "/",
		}
		var eps []idv.WebhookEndpoint
		for _, u := range urls {
			eps = append(eps, addEndpoint(t, st, u))
		}
		p := Policy{AllowHTTP: true, Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}}
		start(t, st, p) // no retries
		enqueue(t, st, 1)
		for i, ep := range eps {
			ds := waitDeliveries(t, st, ep.ID, 1)
			a := ds[0].AttemptLog
			if ds[0].State != idv.DeliveryFailed || len(a) != 1 {
				t.Errorf("%s: %+v", urls[i], ds[0])
				continue
			}
			if i < len(urls)-1 && (a[0].StatusCode != 0 || !strings.Contains(a[0].Error, "not allowed")) &&
				!strings.Contains(a[0].Error, "timeout") {
				t.Errorf("%s: attempt %+v, want refused", urls[i], a[0])
			}
			// The log must not tell what a name resolved to.
			if strings.Contains(urls[i], "localhost") &&
				a[0].Error != "destination resolves to an address that is not allowed" {
				t.Errorf("%s: recorded error %q, want the generic refusal without addresses", urls[i], a[0].Error)
			}
		}
	})
	if n := hits.Load() + hits6.Load(); n != 0 {
		t.Errorf("the loopback canary received %d requests, want 0", n)
	}
}
