package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/storetest"
)

// dripper answers 200 at once, then sends its 64-byte body one byte a
// second: a receiver that holds every attempt for as long as it is let.
func dripper(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "64")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for range 64 {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
		if _, err := w.Write([]byte{'.'}); err != nil {
			return
		}
		_ = rc.Flush()
	}
}

// BenchmarkSlowNeighbour measures how long a healthy endpoint waits for
// the first attempt of each delivery while another endpoint of the same
// mode drips its answers, with the default timeout, workers and
// per-endpoint limit: 64 sessions with one message each, committed at
// once, the dripping endpoint created first. Metrics: p50-ms, p99-ms and
// max-ms from commit to the healthy receiver's first request. Run with
// -benchtime=1x.
func BenchmarkSlowNeighbour(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchSlowNeighbour(b, openSQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchSlowNeighbour(b, openPostgres(b)) })
}

func benchSlowNeighbour(b *testing.B, st idv.Store) {
	const sessions = 64
	for range b.N {
		slow := httptest.NewServer(http.HandlerFunc(dripper))
		rc := newFastReceiver(sessions)
		fast := httptest.NewServer(rc)
		for _, u := range []string{slow.URL + "/" + storetest.NewID(b), fast.URL + "/" + storetest.NewID(b)} {
			if err := st.CreateWebhookEndpoint(b.Context(), storetest.SampleEndpoint(b, false, u)); err != nil {
				b.Fatal(err)
			}
		}
		d, err := New(Config{Store: st, Client: NewClient(loopbackPolicy(), 15*time.Second),
			Secrets: func(idv.WebhookEndpoint, time.Time) ([]string, error) { return []string{testSecret}, nil }})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan struct{})
		go func() { d.Run(ctx); close(ran) }()
		committed := make(map[string]time.Time, sessions)
		for range sessions {
			ids := commitBatch(b, st, 1)
			committed[ids[0]] = time.Now()
		}
		select {
		case <-rc.done:
		case <-time.After(3 * time.Minute):
			b.Errorf("only %d of %d healthy deliveries arrived", len(rc.first), sessions)
		}
		var lat []time.Duration
		rc.mu.Lock()
		for id, at := range rc.first {
			lat = append(lat, at.Sub(committed[id]))
		}
		rc.mu.Unlock()
		slow.CloseClientConnections()
		cancel()
		<-ran
		slow.Close()
		fast.Close()
		if len(lat) == 0 {
			continue
		}
		slices.Sort(lat)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[(len(lat)*99+99)/100-1]), "p99-ms")
		b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	}
}
