package webhook

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/storetest"
)

// fastReceiver answers 204 and records, per webhook-id, when the first
// request arrived.
type fastReceiver struct {
	mu    sync.Mutex
	first map[string]time.Time
	n     int
	done  chan struct{}
	want  int
}

func newFastReceiver(want int) *fastReceiver {
	return &fastReceiver{first: make(map[string]time.Time, want), done: make(chan struct{}), want: want}
}

func (rc *fastReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	id := r.Header.Get("webhook-id")
	rc.mu.Lock()
	if _, seen := rc.first[id]; !seen {
		rc.first[id] = now
		if len(rc.first) == rc.want {
			close(rc.done)
		}
	}
	rc.n++
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// BenchmarkDeliveries measures webhook throughput and the delay from a
// change's commit to the first attempt, on each store, against a paced
// producer of rate messages per second (10 per transaction), and the same
// number of bare POSTs from 32 goroutines to the same receiver as the
// baseline. Metrics: deliveries/s, p50-ms and p99-ms (commit → first
// arrival).
func BenchmarkDeliveries(b *testing.B) {
	for _, rate := range []int{1000, 2000} {
		b.Run(fmt.Sprintf("bare-post/rate=%d", rate), func(b *testing.B) { benchBarePOST(b) })
		b.Run(fmt.Sprintf("sqlite/rate=%d", rate), func(b *testing.B) { benchDispatch(b, openSQLite(b), rate) })
		b.Run(fmt.Sprintf("postgres/rate=%d", rate), func(b *testing.B) { benchDispatch(b, openPostgres(b), rate) })
	}
}

func benchBarePOST(b *testing.B) {
	rc := newFastReceiver(b.N)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	client := NewClient(loopbackPolicy(), 15*time.Second)
	body := []byte(`{"type":"session.created","timestamp":"2026-01-01T00:00:00Z","data":{"session_id":"x","status":"in_progress"}}`)
	ids := make(chan string, b.N)
	for i := range b.N {
		ids <- "msg_" + strconv.Itoa(i)
	}
	close(ids)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for id := range ids {
				req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
				req.Header.Set("webhook-id", id)
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
}

func benchDispatch(b *testing.B, st idv.Store, rate int) {
	rc := newFastReceiver(b.N)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	if err := st.CreateWebhookEndpoint(b.Context(), storetest.SampleEndpoint(b, false, srv.URL)); err != nil {
		b.Fatal(err)
	}
	d, err := New(Config{Store: st, Client: NewClient(loopbackPolicy(), 15*time.Second), Workers: 32,
		Secrets: func(idv.WebhookEndpoint, time.Time) ([]string, error) { return []string{testSecret}, nil }})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { d.Run(ctx); close(ran) }()
	defer func() { cancel(); <-ran }()

	committed := make(map[string]time.Time, b.N)
	b.ResetTimer()
	start := time.Now()
	const perTx = 10
	tick := time.Duration(float64(time.Second) * perTx / float64(rate))
	next := start
	for sent := 0; sent < b.N; sent += perTx {
		time.Sleep(time.Until(next))
		next = next.Add(tick)
		ids := commitBatch(b, st, min(perTx, b.N-sent))
		at := time.Now()
		for _, id := range ids {
			committed[id] = at
		}
	}
	select {
	case <-rc.done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("only %d of %d delivered", len(rc.first), b.N)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	var lat []time.Duration
	rc.mu.Lock()
	for id, at := range rc.first {
		lat = append(lat, at.Sub(committed[id]))
	}
	rc.mu.Unlock()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// commitBatch commits n messages of one new session in one transaction.
func commitBatch(b *testing.B, st idv.Store, n int) []string {
	s := storetest.SampleSession(storetest.NewID(b), time.Now())
	s.Sandbox = false
	ids := make([]string, n)
	err := st.InTx(b.Context(), func(tx idv.Tx) error {
		if err := tx.CreateSession(b.Context(), s); err != nil {
			return err
		}
		now := time.Now()
		for i := range ids {
			ids[i] = "msg_" + storetest.NewID(b)
			err := tx.EnqueueOutbox(b.Context(), idv.OutboxMessage{ID: ids[i], SessionID: s.ID, EventType: "session.created",
				Payload: []byte(`{"type":"session.created","data":{}}`), CreatedAt: now, NextAttemptAt: now})
			if err != nil {
				return err
			}
		}
		return tx.NotifySession(b.Context(), s.ID)
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// BenchmarkDrain measures how fast a backlog of b.N due deliveries (made
// before the dispatcher starts) is delivered, against bare POSTs.
func BenchmarkDrain(b *testing.B) {
	b.Run("bare-post", benchBarePOST)
	b.Run("sqlite", func(b *testing.B) { benchDrain(b, openSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchDrain(b, openPostgres(b)) })
}

func benchDrain(b *testing.B, st idv.Store) {
	rc := newFastReceiver(b.N)
	srv := httptest.NewServer(rc)
	defer srv.Close()
	if err := st.CreateWebhookEndpoint(b.Context(), storetest.SampleEndpoint(b, false, srv.URL)); err != nil {
		b.Fatal(err)
	}
	for sent := 0; sent < b.N; sent += 500 {
		commitBatch(b, st, min(500, b.N-sent))
	}
	d, err := New(Config{Store: st, Client: NewClient(loopbackPolicy(), 15*time.Second), Workers: 32,
		Secrets: func(idv.WebhookEndpoint, time.Time) ([]string, error) { return []string{testSecret}, nil }})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() { d.Run(ctx); close(ran) }()
	defer func() { cancel(); <-ran }()
	select {
	case <-rc.done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("only %d of %d delivered", len(rc.first), b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
}
