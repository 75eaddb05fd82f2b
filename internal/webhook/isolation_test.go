package webhook

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// TestSlowEndpointDelaysOnlyItself puts a receiver that answers 200 and
// then holds the body (until the test ends, well within the one-minute
// timeout) next to a healthy one: every healthy delivery arrives, in
// order per session, while the slow receiver still holds its attempts, of
// which it never sees more than PerEndpoint at once, and none of which
// counts as delivered.
func TestSlowEndpointDelaysOnlyItself(t *testing.T) {
	stores(t, func(t *testing.T, st idv.Store) {
		var inSlow, maxSlow atomic.Int32
		release := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := inSlow.Add(1)
			defer inSlow.Add(-1)
			for m := maxSlow.Load(); n > m && !maxSlow.CompareAndSwap(m, n); m = maxSlow.Load() {
			}
			w.WriteHeader(http.StatusOK)
			_ = http.NewResponseController(w).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer slow.Close()
		rc := &receiver{}
		fast := httptest.NewServer(rc)
		defer fast.Close()
		defer close(release) // first of the defers: lets the slow handlers end
		slowEP := addEndpoint(t, st, slow.URL+"/slow")
		fastEP := addEndpoint(t, st, fast.URL+"/fast")
		startWith(t, st, Config{Timeout: time.Minute, Lease: 4 * time.Minute, Workers: 8, PerEndpoint: 3})

		var sent [][]string
		for range 24 {
			sent = append(sent, enqueue(t, st, 2))
		}
		waitDeliveries(t, st, fastEP.ID, 48)
		if inSlow.Load() == 0 {
			t.Fatal("the slow receiver holds no attempt any more: the test proves nothing")
		}
		if m := maxSlow.Load(); m > 3 {
			t.Errorf("the slow endpoint had %d attempts in flight at once, want at most 3", m)
		}
		checkOrder(t, rc.requests(), sent)
		ds, err := st.WebhookDeliveries(t.Context(), idv.DeliveryQuery{EndpointID: slowEP.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.State != idv.DeliveryPending || d.Attempts != 0 {
				t.Errorf("slow delivery %s: state %s after %d attempts, want pending, unattempted", d.ID, d.State, d.Attempts)
			}
		}
	})
}

// checkOrder checks that every session's messages arrived in order.
func checkOrder(t *testing.T, got []received, sent [][]string) {
	t.Helper()
	pos := map[string]int{}
	for i, r := range got {
		pos[r.header.Get("webhook-id")] = i
	}
	for _, ids := range sent {
		for i := 1; i < len(ids); i++ {
			if pos[ids[i]] < pos[ids[i-1]] {
				t.Errorf("messages of one session arrived out of order: %s before %s", ids[i], ids[i-1])
			}
		}
	}
}

// TestAnswerMustEnd: a 2xx whose body stalls or drips past the timeout is
// a failed attempt, not a delivery; a long answer that ends is delivered.
func TestAnswerMustEnd(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("accepted, "))
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent + 2) // 206: still 2xx
		for r.Context().Err() == nil {
			if _, err := w.Write([]byte{'.'}); err != nil {
				return
			}
			_ = http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	})
	mux.HandleFunc("/long", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(strings.Repeat("ok ", 10000)))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st := openSQLite(t)
	eps := map[string]idv.WebhookEndpoint{}
	for _, path := range []string{"/stall", "/drip", "/long"} {
		eps[path] = addEndpoint(t, st, srv.URL+path)
	}
	start(t, st, loopbackPolicy()) // 2 s timeout, no retries
	enqueue(t, st, 1)
	for _, path := range []string{"/stall", "/drip"} {
		d := waitDeliveries(t, st, eps[path].ID, 1)[0]
		if d.State != idv.DeliveryFailed || len(d.AttemptLog) != 1 || d.AttemptLog[0].StatusCode/100 != 2 ||
			!strings.Contains(d.AttemptLog[0].Error, "the answer did not end: timeout") {
			t.Errorf("%s: %s with log %+v, want failed: 2xx, then the answer did not end", path, d.State, d.AttemptLog)
		}
	}
	d := waitDeliveries(t, st, eps["/long"].ID, 1)[0]
	if d.State != idv.DeliveryDelivered || len(d.AttemptLog) != 1 || len(d.AttemptLog[0].Response) != ResponseExcerpt {
		t.Errorf("/long: %s with log %+v, want delivered with a %d-byte excerpt", d.State, d.AttemptLog, ResponseExcerpt)
	}
}
