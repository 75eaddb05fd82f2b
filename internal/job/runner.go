package job

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/prometheus/client_golang/prometheus"
)

// Store is what the runner needs of the database: the queue and
// transactions to complete jobs in.
type Store interface {
	idv.JobStore
	InTx(ctx context.Context, fn func(idv.Tx) error) error
}

// Config tunes a Runner; the zero value of every field picks its default.
type Config struct {
	// Workers is how many attempts run at once; default GOMAXPROCS.
	Workers int
	// Timeout bounds one attempt of a kind without its own; default 1 min.
	Timeout time.Duration
	// LeaseGrace is how much longer than the longest timeout a claim's lease
	// lasts (so a lease never ends while its attempt may still run); default
	// 30 s. A replica that dies holds its jobs this long past the timeout.
	LeaseGrace time.Duration
	// PollInterval is how often an idle runner looks for due jobs; Wake
	// looks at once; default 1 s.
	PollInterval time.Duration
	// ShutdownGrace is how long Run waits, once its context ends, for the
	// attempts in flight before it cancels them; default 10 s.
	ShutdownGrace time.Duration
	// Backoff is the delay before retrying after the given failed attempt
	// (1-based); default attempt⁴ seconds plus up to 10% jitter, at most a day.
	Backoff func(attempt int) time.Duration
	// Periodic work, run once per period across all replicas.
	Periodic []Periodic
	// FinishedRetention is how long finished jobs are kept (and their unique
	// keys held) before the runner purges them; default 24 h. It must be at
	// least the longest period.
	FinishedRetention time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Log receives failures (kinds and ids only, never job arguments).
	Log *slog.Logger
	// Registerer, when set, receives the runner's metrics.
	Registerer prometheus.Registerer
}

// Runner claims and runs jobs. Make it with New, then call Run.
type Runner struct {
	st       Store
	kinds    map[string]Kind
	names    []string
	cfg      Config
	lease    time.Duration // from claim to the lease's end
	metrics  *metrics
	wake     chan struct{}
	periodic []Periodic
}

// purgeKind is the built-in periodic job that deletes old finished jobs.
const purgeKind = "job.purge"

// purgeBatch is how many finished jobs one purge statement deletes.
const purgeBatch = 1000

// New checks cfg and returns a runner for the kinds of reg, plus the
// built-in purge of finished jobs.
func New(st Store, reg *Registry, cfg Config) (*Runner, error) {
	cfg = withDefaults(cfg)
	r := &Runner{st: st, kinds: map[string]Kind{}, cfg: cfg, wake: make(chan struct{}, 1)}
	for _, name := range reg.order {
		r.kinds[name] = reg.kinds[name]
	}
	if _, ok := r.kinds[purgeKind]; ok {
		return nil, fmt.Errorf("job: kind %s is reserved", purgeKind)
	}
	r.kinds[purgeKind] = Kind{Handler: r.purge}
	r.periodic = append(append(r.periodic, cfg.Periodic...), Periodic{Kind: purgeKind, Every: time.Hour})
	for _, p := range r.periodic {
		if _, ok := r.kinds[p.Kind]; !ok {
			return nil, fmt.Errorf("job: periodic kind %s is not registered", p.Kind)
		}
		if p.Every <= 0 || p.Every > cfg.FinishedRetention {
			return nil, fmt.Errorf("job: periodic %s: period %s must be positive and at most the finished retention %s",
				p.Kind, p.Every, cfg.FinishedRetention)
		}
	}
	longest := cfg.Timeout
	for name, k := range r.kinds {
		r.names = append(r.names, name)
		longest = max(longest, k.Timeout)
	}
	r.lease = longest + cfg.LeaseGrace
	m, err := newMetrics(cfg.Registerer, st)
	if err != nil {
		return nil, err
	}
	r.metrics = m
	return r, nil
}

func withDefaults(c Config) Config {
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	c.Timeout = orDefault(c.Timeout, time.Minute)
	c.LeaseGrace = orDefault(c.LeaseGrace, 30*time.Second)
	c.PollInterval = orDefault(c.PollInterval, time.Second)
	c.ShutdownGrace = orDefault(c.ShutdownGrace, 10*time.Second)
	c.FinishedRetention = orDefault(c.FinishedRetention, 24*time.Hour)
	if c.Backoff == nil {
		c.Backoff = DefaultBackoff
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// DefaultBackoff waits attempt⁴ seconds (1 s, 16 s, 81 s, 4 min, 10 min, …)
// plus up to 10% jitter, at most a day.
func DefaultBackoff(attempt int) time.Duration {
	a := time.Duration(min(max(attempt, 1), 1000))
	d := min(a*a*a*a*time.Second, 24*time.Hour)
	return d + time.Duration(rand.Int64N(int64(d/10)+1))
}

// Wake makes an idle runner look for due jobs now (after a local enqueue
// committed) instead of at its next poll.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run claims and runs jobs and schedules the periodic work until ctx
// ends; then it stops claiming, waits up to ShutdownGrace for the attempts
// in flight, cancels those still running (they are released to run again,
// their attempt not counted) and returns.
func (r *Runner) Run(ctx context.Context) {
	attempts, cancelAttempts := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelAttempts()
	var wg sync.WaitGroup
	wg.Go(func() { r.schedule(ctx) })
	var inflight sync.WaitGroup
	slots := make(chan struct{}, r.cfg.Workers)
	freed := make(chan struct{}, 1)
	tick := time.NewTicker(r.cfg.PollInterval)
	defer tick.Stop()
	for ctx.Err() == nil {
		if n := r.cfg.Workers - len(slots); n > 0 {
			jobs := r.claim(ctx, n)
			for _, j := range jobs {
				slots <- struct{}{}
				inflight.Go(func() {
					defer func() {
						<-slots
						signal(freed)
					}()
					r.attempt(attempts, j)
				})
			}
			if len(jobs) == n {
				continue // more may be due at once
			}
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		case <-r.wake:
		case <-freed:
		}
	}
	wg.Wait()
	r.drain(&inflight, cancelAttempts)
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// drain waits for the attempts in flight, cancelling them after
// ShutdownGrace; a cancelled attempt is released at once (see attempt).
func (r *Runner) drain(inflight *sync.WaitGroup, cancel context.CancelFunc) {
	done := make(chan struct{})
	go func() {
		inflight.Wait()
		close(done)
	}()
	t := time.NewTimer(r.cfg.ShutdownGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		cancel()
		<-done
	}
}

// claim leases up to n due jobs; an error is logged and claims nothing.
func (r *Runner) claim(ctx context.Context, n int) []idv.ClaimedJob {
	now := r.cfg.Now()
	jobs, err := r.st.ClaimJobs(ctx, idv.JobClaim{Kinds: r.names, Now: now, LeaseUntil: now.Add(r.lease), Limit: n})
	if err != nil {
		if ctx.Err() == nil {
			r.cfg.Log.ErrorContext(ctx, "claim jobs failed", "error", err.Error())
		}
		return nil
	}
	for _, j := range jobs {
		r.metrics.waited(j, now)
	}
	return jobs
}

// newJobID returns a random job id.
func newJobID() string {
	b := make([]byte, 16)
	_, _ = crand.Read(b) // never fails
	return "job_" + hex.EncodeToString(b)
}

// errInterrupted is recorded for an attempt cancelled by shutdown.
var errInterrupted = errors.New("interrupted: the runner stopped")
