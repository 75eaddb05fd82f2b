package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/config"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/postgres/pgtest"
	"github.com/prometheus/client_golang/prometheus"
)

// benchServer is an in-process server (store, service, handler and
// dispatcher wired as serve does) with an admin key.
type benchServer struct {
	url   string
	key   string
	store idv.Store
}

func startBenchServer(b *testing.B, databaseURL, receiver string) *benchServer {
	b.Helper()
	env := []string{"OPENIDV_DATA_DIR=" + filepath.Join(b.TempDir(), "data"), "OPENIDV_RATE_LIMIT_RPS=0",
		"OPENIDV_WEBHOOKS_ALLOW_HTTP=true", "OPENIDV_WEBHOOKS_ALLOW_NETWORKS=127.0.0.0/8"}
	if databaseURL != "" {
		env = append(env, "OPENIDV_DATABASE_URL="+databaseURL)
	}
	cfg, err := config.Load(nil, env)
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	svc, _, err := newService(cfg, st, nil, log)
	if err != nil {
		b.Fatal(err)
	}
	key, _, err := svc.EnsureAdminKey(ctx)
	if err != nil {
		b.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	var stopping atomic.Bool
	handler := newHandler(cfg, svc, nil, log, &stopping, reg)
	srv := httptest.NewServer(handler)
	var wg sync.WaitGroup
	if err := startDispatcher(ctx, &wg, cfg, st, svc, log, reg); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		srv.Close()
		_ = handler.Shutdown(context.Background())
		cancel()
		wg.Wait()
		st.Close()
	})
	s := &benchServer{url: srv.URL, key: key, store: st}
	if code := s.call(b, http.MethodPost, "/v1/webhook-endpoints", `{"url":"`+receiver+`"}`, nil); code != http.StatusCreated {
		b.Fatalf("create endpoint: %d", code)
	}
	return s
}

// call sends one request and decodes a 2xx answer into out.
func (s *benchServer) call(b *testing.B, method, path, body string, out any) int {
	req, _ := http.NewRequest(method, s.url+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+s.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		_ = json.Unmarshal(raw, out)
	}
	return resp.StatusCode
}

// fillBacklog commits n outbox messages whose deliveries are pending but
// not due for an hour (a receiver that was down), 1,000 per transaction.
func fillBacklog(b *testing.B, st idv.Store, n int) {
	later := time.Now().Add(time.Hour)
	for done := 0; done < n; done += 1000 {
		err := st.InTx(b.Context(), func(tx idv.Tx) error {
			for i := range min(1000, n-done) {
				m := idv.OutboxMessage{ID: fmt.Sprintf("msg_backlog_%d", done+i), SessionID: "ses_backlog",
					EventType: "session.created", Payload: []byte(`{}`), CreatedAt: time.Now(), NextAttemptAt: later}
				if err := tx.EnqueueOutbox(b.Context(), m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	st2, err := st.Stats(b.Context())
	if err != nil || st2.OutboxBacklog < n {
		b.Fatalf("backlog: %+v, %v; want at least %d", st2, err, n)
	}
}

// apiRound runs requests POST /v1/sessions + GET of it from 8 clients and
// returns their latencies.
func apiRound(b *testing.B, s *benchServer, requests int) []time.Duration {
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			var mine []time.Duration
			for range requests / 16 {
				var cs createdSession
				t0 := time.Now()
				if code := s.call(b, http.MethodPost, "/v1/sessions", `{"kyc_level":"contact"}`, &cs); code != http.StatusCreated {
					b.Errorf("POST /v1/sessions: %d", code)
					return
				}
				t1 := time.Now()
				if code := s.call(b, http.MethodGet, "/v1/sessions/"+cs.SessionID, "", nil); code != http.StatusOK {
					b.Errorf("GET session: %d", code)
					return
				}
				mine = append(mine, t1.Sub(t0), time.Since(t1))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return lat
}

func pct(d []time.Duration, p int) float64 {
	slices.Sort(d)
	return float64(d[(len(d)-1)*p/100].Microseconds()) / 1000
}

// BenchmarkAPIWebhookBacklog compares the API's latency (POST and GET of
// sessions, 8 clients, webhooks delivered to a fast receiver) on a server
// with no backlog and one with 100,000 pending deliveries, in interleaved
// rounds. Run with -benchtime 1x; b.N is not used.
func BenchmarkAPIWebhookBacklog(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchBacklog(b, "") })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(pgtest.EnvURL) == "" {
			b.Skip(pgtest.EnvURL + " not set")
		}
		benchBacklog(b, pgtest.Database(b, "openidv_bench"))
	})
}

func benchBacklog(b *testing.B, databaseURL string) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer recv.Close()
	otherDB := ""
	if databaseURL != "" {
		otherDB = pgtest.Database(b, "openidv_bench")
	}
	empty := startBenchServer(b, databaseURL, recv.URL)
	full := startBenchServer(b, otherDB, recv.URL)
	fillBacklog(b, full.store, 100_000)
	// Warm both up (caches after the bulk insert of the backlog).
	apiRound(b, empty, 800)
	apiRound(b, full, 800)
	var le, lf []time.Duration
	b.ResetTimer()
	for range 4 {
		le = append(le, apiRound(b, empty, 800)...)
		lf = append(lf, apiRound(b, full, 800)...)
	}
	b.StopTimer()
	b.ReportMetric(pct(le, 50), "p50-ms-empty")
	b.ReportMetric(pct(lf, 50), "p50-ms-backlog")
	b.ReportMetric(pct(le, 99), "p99-ms-empty")
	b.ReportMetric(pct(lf, 99), "p99-ms-backlog")
	b.ReportMetric(pct(lf, 99)/pct(le, 99), "p99-ratio")
}
