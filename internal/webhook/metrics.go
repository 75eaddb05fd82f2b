package webhook

import (
	"github.com/openidv/openidv/internal/idv"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the dispatcher's counters. The backlog gauge
// (openidv_outbox_backlog) is read from the store by the HTTP layer.
type metrics struct {
	attempts *prometheus.CounterVec
	latency  prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "openidv_webhook_attempts_total",
			Help: "Webhook delivery attempts by outcome: delivered, retry, failed (schedule exhausted or 410).",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "openidv_webhook_attempt_seconds",
			Help:    "Duration of webhook delivery attempts.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15},
		}),
	}
	if reg != nil {
		reg.MustRegister(m.attempts, m.latency)
	}
	return m
}

func (m *metrics) observe(r idv.AttemptResult) {
	outcome := "retry"
	switch r.State {
	case idv.DeliveryDelivered:
		outcome = "delivered"
	case idv.DeliveryFailed:
		outcome = "failed"
	}
	m.attempts.WithLabelValues(outcome).Inc()
	m.latency.Observe(r.Attempt.Latency.Seconds())
}
