package webhook

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// TestHostileReceivers: a gzip bomb is recorded compressed and cut at
// ResponseExcerpt; a receiver that does not answer is cut at the timeout.
func TestHostileReceivers(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(make([]byte, 64<<20)) // 64 MB of zeros, about 64 KB compressed
	zw.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusOK)
		w.Write(bomb.Bytes())
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select { // no answer within the 2 s timeout
		case <-r.Context().Done():
		case <-time.After(4 * time.Second):
		}
		w.WriteHeader(http.StatusOK)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st := openSQLite(t)
	bombEP := addEndpoint(t, st, srv.URL+"/bomb")
	slowEP := addEndpoint(t, st, srv.URL+"/slow")
	start(t, st, loopbackPolicy()) // 2 s timeout, no retries
	enqueue(t, st, 1)

	d := waitDeliveries(t, st, bombEP.ID, 1)[0]
	if d.State != idv.DeliveryDelivered || len(d.AttemptLog) != 1 {
		t.Fatalf("gzip bomb: %+v", d)
	}
	if r := d.AttemptLog[0].Response; len(r) > 3*ResponseExcerpt || strings.Count(r, "\x00") > 0 {
		t.Errorf("gzip bomb: recorded %d bytes (decompressed?), want at most %d raw bytes", len(r), ResponseExcerpt)
	}
	d = waitDeliveries(t, st, slowEP.ID, 1)[0]
	if d.State != idv.DeliveryFailed || len(d.AttemptLog) != 1 ||
		!strings.Contains(d.AttemptLog[0].Error, "timeout") && !strings.Contains(d.AttemptLog[0].Error, "deadline") {
		t.Errorf("slow receiver: %+v, want a failed attempt cut by the timeout", d)
	}
}

// TestShutdownReleasesClaims stops a dispatcher while deliveries wait
// behind a slow one: those are released, due at once, not left to their
// lease.
func TestShutdownReleasesClaims(t *testing.T) {
	started := make(chan struct{}, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		started <- struct{}{}
		time.Sleep(500 * time.Millisecond)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	st := openSQLite(t)
	addEndpoint(t, st, srv.URL)
	d, err := New(Config{Store: st, Client: NewClient(loopbackPolicy(), 2*time.Second), Timeout: 2 * time.Second,
		Lease: time.Hour, Workers: 8, Secrets: func(idv.WebhookEndpoint, time.Time) ([]string, error) { return []string{testSecret}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	enqueue(t, st, 5) // one endpoint and session: one lane, in order
	<-started
	cancel()
	<-done
	cs, err := st.ClaimWebhookDeliveries(t.Context(), idv.ClaimRequest{Now: time.Now(), LeaseUntil: time.Now().Add(time.Minute), Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	// Claimed: 4 (PerEndpoint), attempted: 1; the 3 queued behind it are
	// released and the fifth was never claimed.
	if len(cs) != 4 {
		t.Errorf("after shutdown, %d deliveries are due, want the 4 never attempted (lease 1 h)", len(cs))
	}
}
