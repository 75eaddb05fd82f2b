package job

import (
	"context"
	"strconv"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// Periodic is work that runs once per period, whatever the number of
// replicas. Every runner enqueues the job of the current period with the
// unique key "periodic:<kind>:<period start>", so only the first insert of
// a period stands and one worker, on any replica, runs it; runs of one kind
// share a group, so a slow run never overlaps the next. This gives what a
// leader would (one run per period) without an election, and a dead
// replica costs nothing: the others enqueue and run the next period.
type Periodic struct {
	Kind  string
	Every time.Duration
}

// periodicAttempts is MaxAttempts of a periodic job: a failed run is
// retried a few times, then left to the next period.
const periodicAttempts = 3

// schedule enqueues each periodic kind's job at the start of its period
// (and at once for the current period) until ctx ends.
func (r *Runner) schedule(ctx context.Context) {
	if len(r.periodic) == 0 {
		return
	}
	for {
		now := r.cfg.Now()
		next := now.Add(24 * time.Hour)
		for _, p := range r.periodic {
			r.enqueuePeriod(ctx, p, now)
			next = minTime(next, now.Truncate(p.Every).Add(p.Every))
		}
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// enqueuePeriod enqueues p's job for the period that contains now, unless
// a runner already did.
func (r *Runner) enqueuePeriod(ctx context.Context, p Periodic, now time.Time) {
	start := now.Truncate(p.Every)
	j := idv.Job{ID: newJobID(), Kind: p.Kind, Group: "periodic:" + p.Kind,
		UniqueKey:   "periodic:" + p.Kind + ":" + strconv.FormatInt(start.UnixMicro(), 10),
		MaxAttempts: periodicAttempts, RunAt: start, CreatedAt: now}
	err := r.st.InTx(ctx, func(tx idv.Tx) error { return tx.EnqueueJob(ctx, j) })
	if err != nil && ctx.Err() == nil {
		r.cfg.Log.ErrorContext(ctx, "enqueue periodic job failed", "kind", p.Kind, "error", err.Error())
		return
	}
	r.Wake()
}

// purge deletes finished jobs older than FinishedRetention.
func (r *Runner) purge(ctx context.Context, _ idv.ClaimedJob) error {
	before := r.cfg.Now().Add(-r.cfg.FinishedRetention)
	for {
		n, err := r.st.PurgeJobs(ctx, before, purgeBatch)
		if err != nil || n < purgeBatch {
			return err
		}
	}
}
