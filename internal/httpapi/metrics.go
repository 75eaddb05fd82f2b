package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the HTTP layer's Prometheus series.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	// The series already used, so a request does not hash its labels
	// again; routes, methods and statuses are bounded sets.
	mu        sync.RWMutex
	counters  map[requestLabels]prometheus.Counter
	observers map[string]prometheus.Observer
}

// requestLabels are the labels of openidv_http_requests_total.
type requestLabels struct {
	route, method string
	status        int
}

// statsSource is read at scrape time.
type statsSource interface {
	Stats(ctx context.Context) (idv.StoreStats, error)
}

func newMetrics(reg prometheus.Registerer, svc statsSource, hub *Hub) *metrics {
	m := &metrics{
		counters: map[requestLabels]prometheus.Counter{}, observers: map[string]prometheus.Observer{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openidv_http_requests_total",
			Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "openidv_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
	}
	subs := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "openidv_websocket_subscribers",
		Help: "Open websocket connections subscribed to a session.",
	}, func() float64 { return float64(hub.Subscribers()) })
	for _, c := range []prometheus.Collector{m.requests, m.latency, subs, newStoreCollector(svc)} {
		_ = reg.Register(c) // a second Server on the same registry keeps the first's series
	}
	return m
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	key := requestLabels{route, method, status}
	m.mu.RLock()
	c, okc := m.counters[key]
	o, oko := m.observers[route]
	m.mu.RUnlock()
	if !okc || !oko {
		c = m.requests.WithLabelValues(route, method, strconv.Itoa(status))
		o = m.latency.WithLabelValues(route)
		m.mu.Lock()
		m.counters[key], m.observers[route] = c, o
		m.mu.Unlock()
	}
	c.Inc()
	o.Observe(d.Seconds())
}

func (m *metrics) handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}

// MetricsHandler serves the Prometheus metrics without authentication,
// for a listener of its own (metrics.addr) that only operators reach.
func (s *Server) MetricsHandler() http.Handler {
	return s.metrics.handler(s.opts.Gatherer)
}

// apiMetrics serves GET /metrics on the API port: only with
// Options.MetricsToken as the bearer token, 404 when no token is set.
func (s *Server) apiMetrics() http.Handler {
	h, token := s.MetricsHandler(), []byte(s.opts.MetricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(token) == 0 {
			s.writeError(w, r, idv.Errorf(idv.CodeNotFound, "no such route: metrics are not served on this port"))
			return
		}
		if subtle.ConstantTimeCompare([]byte(bearerFrom(r)), token) != 1 {
			s.writeError(w, r, idv.Errorf(idv.CodeUnauthorized, "send Authorization: Bearer <metrics token>"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// storeCollector reads session counts and the outbox backlog at scrape time.
type storeCollector struct {
	svc      statsSource
	sessions *prometheus.Desc
	backlog  *prometheus.Desc
}

func newStoreCollector(svc statsSource) *storeCollector {
	return &storeCollector{
		svc:      svc,
		sessions: prometheus.NewDesc("openidv_sessions", "Sessions by status.", []string{"status"}, nil),
		backlog:  prometheus.NewDesc("openidv_outbox_backlog", "Webhook messages not yet delivered.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.sessions
	ch <- c.backlog
}

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := c.svc.Stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.sessions, err)
		return
	}
	for status, n := range st.SessionsByStatus {
		ch <- prometheus.MustNewConstMetric(c.sessions, prometheus.GaugeValue, float64(n), string(status))
	}
	ch <- prometheus.MustNewConstMetric(c.backlog, prometheus.GaugeValue, float64(st.OutboxBacklog))
}
