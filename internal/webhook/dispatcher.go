// Package webhook delivers the outbox: it claims due deliveries, signs them
// (Standard Webhooks, see package webhooksig), POSTs them through an
// SSRF-safe client, records every attempt, retries on a schedule spanning
// days and disables endpoints that answer 410 Gone or keep failing.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/prometheus/client_golang/prometheus"
)

// Store is what the dispatcher needs from the database.
type Store interface {
	ClaimWebhookDeliveries(ctx context.Context, r idv.ClaimRequest) ([]idv.ClaimedDelivery, error)
	FinishWebhookAttempts(ctx context.Context, results []idv.AttemptResult) error
	ReleaseWebhookClaims(ctx context.Context, claims []idv.ClaimedDelivery, now time.Time) error
	// Subscribe wakes the dispatcher when a change (and so, perhaps, an
	// outbox message) commits.
	Subscribe(ctx context.Context, fn func(sessionID string)) error
}

// Secrets returns the secrets that sign for an endpoint at now, the
// current one first.
type Secrets func(e idv.WebhookEndpoint, now time.Time) ([]string, error)

// Config configures a Dispatcher. Store, Secrets and Client are required.
type Config struct {
	Store   Store
	Secrets Secrets
	// Client sends the requests; use NewClient.
	Client interface {
		Do(*http.Request) (*http.Response, error)
	}
	// Timeout bounds one attempt, from connecting to the last byte of the
	// answer (default 15 s); Lease is how long a claim is exclusive
	// (default 4 × Timeout). An attempt is only started while at least
	// Timeout of its lease remains.
	Timeout time.Duration
	Lease   time.Duration
	// Schedule is the wait before each retry (default DefaultSchedule).
	Schedule []time.Duration
	// DisableAfter disables an endpoint whose attempts all failed for that
	// long (default 5 days).
	DisableAfter time.Duration
	// Workers bounds the deliveries claimed and not yet recorded, over all
	// endpoints (default 32), and so the attempts at once.
	Workers int
	// PerEndpoint bounds the deliveries of one endpoint claimed and not yet
	// attempted to the end (default 4), and so its attempts at once: a slow
	// endpoint fills its own room only, and the others' deliveries are
	// claimed and sent meanwhile. Deliveries of one endpoint and one
	// session go out one after the other, in order.
	PerEndpoint int
	// Poll is the longest wait between claims when nothing wakes the
	// dispatcher (default 1 s).
	Poll      time.Duration
	UserAgent string // default "OpenIDV"
	Logger    *slog.Logger
	// Registerer receives the dispatcher's metrics (nil: none).
	Registerer prometheus.Registerer
	Now        func() time.Time
}

// lane is the unit of order: one endpoint, one session.
type lane struct{ endpoint, session string }

// Dispatcher delivers webhooks until its context ends.
type Dispatcher struct {
	cfg     Config
	metrics *metrics
	wake    chan struct{}
	results chan idv.AttemptResult
	lanes   sync.WaitGroup // one goroutine per lane with deliveries

	mu     sync.Mutex
	held   int                            // claimed, not recorded
	perEP  map[string]int                 // claimed, not attempted, by endpoint
	queued map[lane][]idv.ClaimedDelivery // present while the lane runs
	unsent []idv.ClaimedDelivery          // claimed but left unattempted at shutdown
}

// New checks cfg and returns a Dispatcher.
func New(cfg Config) (*Dispatcher, error) {
	if cfg.Store == nil || cfg.Secrets == nil || cfg.Client == nil {
		return nil, errors.New("webhook: Config.Store, Secrets and Client are required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 4 * cfg.Timeout
	}
	if cfg.Lease < 2*cfg.Timeout {
		return nil, fmt.Errorf("webhook: lease %s must be at least twice the timeout %s", cfg.Lease, cfg.Timeout)
	}
	if cfg.Schedule == nil {
		cfg.Schedule = DefaultSchedule()
	}
	if cfg.DisableAfter <= 0 {
		cfg.DisableAfter = 5 * 24 * time.Hour
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.PerEndpoint <= 0 {
		cfg.PerEndpoint = 4
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "OpenIDV"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Dispatcher{
		cfg:     cfg,
		metrics: newMetrics(cfg.Registerer),
		wake:    make(chan struct{}, 1),
		results: make(chan idv.AttemptResult, cfg.Workers),
		perEP:   map[string]int{},
		queued:  map[lane][]idv.ClaimedDelivery{},
	}, nil
}

// Wake makes the dispatcher claim at once (a message was enqueued).
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for attempts in flight (each is
// bounded by the timeout) and records them.
func (d *Dispatcher) Run(ctx context.Context) {
	var finisher, listen sync.WaitGroup
	finisher.Go(d.finish)
	listen.Go(func() { d.listen(ctx) })

	d.claimLoop(ctx)

	d.lanes.Wait()
	close(d.results)
	finisher.Wait()
	listen.Wait()
	d.release()
}

// release hands deliveries claimed but not attempted back to other
// replicas (or the next start) at once instead of at the end of the lease.
func (d *Dispatcher) release() {
	if len(d.unsent) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.cfg.Store.ReleaseWebhookClaims(ctx, d.unsent, d.cfg.Now()); err != nil {
		d.cfg.Logger.Warn("webhook dispatcher: releasing claims failed; they wait for their lease",
			"deliveries", len(d.unsent), "error", err.Error())
	}
}

// listen wakes the dispatcher on every committed change.
func (d *Dispatcher) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := d.cfg.Store.Subscribe(ctx, func(string) { d.Wake() })
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.cfg.Logger.Warn("webhook dispatcher: change subscription failed; polling meanwhile", "error", err.Error())
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// claimLoop claims as many due deliveries as there is room for, in all
// and per endpoint, and hands each to its lane.
func (d *Dispatcher) claimLoop(ctx context.Context) {
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		free, held := d.room()
		more := false
		if free > 0 {
			now := d.cfg.Now()
			cs, err := d.cfg.Store.ClaimWebhookDeliveries(ctx, idv.ClaimRequest{Now: now, LeaseUntil: now.Add(d.cfg.Lease),
				Limit: free, PerEndpoint: d.cfg.PerEndpoint, Held: held})
			if err != nil && ctx.Err() == nil {
				d.cfg.Logger.Error("webhook dispatcher: claim failed", "error", err.Error())
			}
			for _, c := range cs {
				d.dispatch(ctx, c)
			}
			// A short claim may have filled some endpoints; the next one
			// looks past them.
			more = len(cs) > 0 && err == nil
		}
		if more {
			continue
		}
		poll.Reset(d.cfg.Poll)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-poll.C:
		}
	}
}

// room returns how many more deliveries may be claimed in all, and how
// many each endpoint holds.
func (d *Dispatcher) room() (int, map[string]int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg.Workers - d.held, maps.Clone(d.perEP)
}

// dispatch queues c on its lane, starting the lane when idle.
func (d *Dispatcher) dispatch(ctx context.Context, c idv.ClaimedDelivery) {
	k := lane{c.Endpoint.ID, c.Delivery.SessionID}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.held++
	d.perEP[c.Endpoint.ID]++
	if q, running := d.queued[k]; running {
		d.queued[k] = append(q, c)
		return
	}
	d.queued[k] = nil
	d.lanes.Go(func() { d.work(ctx, k, c) })
}

// work attempts the deliveries of a lane one after the other, starting
// with c, until the lane is empty. Once ctx ends, queued deliveries are
// left unsent (attempts already started finish and are recorded).
func (d *Dispatcher) work(ctx context.Context, k lane, c idv.ClaimedDelivery) {
	for {
		if ctx.Err() != nil || d.cfg.Now().Add(d.cfg.Timeout).After(c.Delivery.NextAttemptAt) {
			// Shutting down, or too little of the lease is left: another
			// replica may take the delivery before this attempt would end.
			d.mu.Lock()
			d.unsent = append(d.unsent, c)
			d.mu.Unlock()
			d.attempted(c.Endpoint.ID)
			d.done()
		} else {
			r := d.attempt(c)
			d.attempted(c.Endpoint.ID)
			d.results <- r
		}
		d.mu.Lock()
		q := d.queued[k]
		if len(q) == 0 {
			delete(d.queued, k)
			d.mu.Unlock()
			return
		}
		c, d.queued[k] = q[0], q[1:]
		d.mu.Unlock()
	}
}

// attempted frees the endpoint's room once an attempt is over (or
// abandoned): its lease still keeps the delivery from being claimed again
// until the result is recorded.
func (d *Dispatcher) attempted(endpointID string) {
	d.mu.Lock()
	if d.perEP[endpointID]--; d.perEP[endpointID] <= 0 {
		delete(d.perEP, endpointID)
	}
	d.mu.Unlock()
	d.Wake()
}

// done frees the room of a recorded (or abandoned) delivery.
func (d *Dispatcher) done() {
	d.mu.Lock()
	d.held--
	d.mu.Unlock()
	d.Wake()
}

// finish records results in batches; a slot is freed per result.
func (d *Dispatcher) finish() {
	batch := make([]idv.AttemptResult, 0, cap(d.results))
	for r := range d.results {
		batch = append(batch[:0], r)
	drain:
		for len(batch) < cap(batch) {
			select {
			case r, ok := <-d.results:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		// Not the dispatcher's context: results of attempts made are
		// recorded even while shutting down.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := d.cfg.Store.FinishWebhookAttempts(ctx, batch); err != nil {
			d.cfg.Logger.Error("webhook dispatcher: recording attempts failed; they will be retried after their lease",
				"attempts", len(batch), "error", err.Error())
		}
		cancel()
		for _, r := range batch {
			d.metrics.observe(r)
			d.done()
		}
	}
}
