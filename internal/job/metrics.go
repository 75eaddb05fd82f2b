package job

import (
	"context"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/prometheus/client_golang/prometheus"
)

// statsTimeout bounds the store query a scrape makes for the queue depth.
const statsTimeout = 2 * time.Second

// metrics are the runner's Prometheus series: attempts by kind and
// outcome, attempt duration and queue wait by kind, discarded jobs, and the
// queue depth read from the store at each scrape.
type metrics struct {
	attempts  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	wait      *prometheus.HistogramVec
	discarded *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, st idv.JobStore) (*metrics, error) {
	buckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openidv_job_attempts_total",
			Help: "Job attempts by kind and outcome (completed, snoozed, cancelled, error, panic, timeout, interrupted, lease_lost, unrecorded)."},
			[]string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "openidv_job_attempt_duration_seconds",
			Help: "Duration of job attempts by kind.", Buckets: buckets}, []string{"kind"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "openidv_job_wait_seconds",
			Help: "Time from a job's run_at to its claim, by kind.", Buckets: buckets}, []string{"kind"}),
		discarded: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "openidv_jobs_discarded_total",
			Help: "Jobs given up after their last attempt failed, by kind."}, []string{"kind"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.attempts, m.duration, m.wait, m.discarded, depth{st}} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// waited observes how long j waited for a worker after it was due.
func (m *metrics) waited(j idv.ClaimedJob, now time.Time) {
	if j.Attempt == 1 && !j.RunAt.After(now) {
		m.wait.WithLabelValues(j.Kind).Observe(now.Sub(j.RunAt).Seconds())
	}
}

// finished counts an attempt.
func (m *metrics) finished(kind, outcome string, d time.Duration) {
	m.attempts.WithLabelValues(kind, outcome).Inc()
	m.duration.WithLabelValues(kind).Observe(d.Seconds())
}

// depth collects openidv_jobs{kind, state}: the unfinished jobs.
type depth struct{ st idv.JobStore }

var depthDesc = prometheus.NewDesc("openidv_jobs", "Unfinished jobs by kind and state (available, running).",
	[]string{"kind", "state"}, nil)

// Describe sends the gauge's description.
func (d depth) Describe(ch chan<- *prometheus.Desc) { ch <- depthDesc }

// Collect reads the counts from the store; a failed read reports nothing.
func (d depth) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
	defer cancel()
	st, err := d.st.JobStats(ctx)
	if err != nil {
		return
	}
	for state, counts := range map[idv.JobState]map[string]int{idv.JobAvailable: st.Available, idv.JobRunning: st.Running} {
		for kind, n := range counts {
			ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(n), kind, string(state))
		}
	}
}
