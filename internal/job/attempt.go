package job

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// The outcomes of an attempt, as counted in metrics.
const (
	outcomeCompleted   = "completed"
	outcomeSnoozed     = "snoozed"
	outcomeCancelled   = "cancelled"
	outcomeError       = "error"
	outcomePanic       = "panic"
	outcomeTimeout     = "timeout"
	outcomeInterrupted = "interrupted"
	outcomeLeaseLost   = "lease_lost"
	outcomeUnrecorded  = "unrecorded" // the store refused the outcome; the lease ends on its own
)

// maxErrorLen bounds the error text stored with a job.
const maxErrorLen = 1000

// panicError is a handler's panic turned into the attempt's error.
type panicError struct{ value any }

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// attempt runs one attempt of j and records its outcome. The handler runs
// on its own goroutine so that one that ignores its context cannot hold
// the worker past the timeout: the attempt is then failed (or, when the
// runner stops, released) and the handler's late result cannot commit,
// as its lease is gone.
func (r *Runner) attempt(attempts context.Context, j idv.ClaimedJob) {
	k := r.kinds[j.Kind]
	timeout := k.Timeout
	if timeout == 0 {
		timeout = r.cfg.Timeout
	}
	ctx, cancel := context.WithTimeout(attempts, timeout)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- r.call(ctx, k.Handler, j) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	outcome := r.record(j, err, ctx.Err() != nil, attempts.Err() != nil)
	r.metrics.finished(j.Kind, outcome, time.Since(start))
}

// call runs h, turning a panic into a *panicError.
func (r *Runner) call(ctx context.Context, h Handler, j idv.ClaimedJob) (err error) {
	defer func() {
		if v := recover(); v != nil {
			r.cfg.Log.Error("job handler panicked", "kind", j.Kind, "job_id", j.ID, "attempt", j.Attempt,
				"stack", string(debug.Stack()))
			err = &panicError{value: v}
		}
	}()
	return h(ctx, j)
}

// record stores the outcome of an attempt that returned err; ended tells
// whether its context had ended (timeout or shutdown), stopping whether
// the runner is stopping.
func (r *Runner) record(j idv.ClaimedJob, err error, ended, stopping bool) string {
	ctx := context.Background() // the outcome is written even while stopping
	now := r.cfg.Now()
	var (
		snooze *idv.SnoozeError
		cancel *idv.CancelError
		pe     *panicError
	)
	switch {
	case err == nil:
		err := r.st.InTx(ctx, func(tx idv.Tx) error { return tx.CompleteJob(ctx, j.ID, j.Lease) })
		if err != nil {
			return r.lost(j, err)
		}
		return outcomeCompleted
	case errors.Is(err, idv.ErrLeaseLost):
		return r.lost(j, err)
	case errors.As(err, &pe):
		return r.fail(j, outcomePanic, err, now)
	case ended && stopping:
		return r.settle(j, outcomeInterrupted, idv.JobSettlement{State: idv.JobAvailable, RunAt: now,
			Snoozed: true, Error: errInterrupted.Error()})
	case ended:
		return r.fail(j, outcomeTimeout, fmt.Errorf("timed out: %w", err), now)
	case errors.As(err, &snooze):
		return r.settle(j, outcomeSnoozed, idv.JobSettlement{State: idv.JobAvailable,
			RunAt: now.Add(snooze.After), Snoozed: true})
	case errors.As(err, &cancel):
		return r.settle(j, outcomeCancelled, idv.JobSettlement{State: idv.JobCancelled, Error: errText(err)})
	default:
		return r.fail(j, outcomeError, err, now)
	}
}

// fail records a failed attempt: retried after the backoff, or discarded
// when it was the last.
func (r *Runner) fail(j idv.ClaimedJob, outcome string, err error, now time.Time) string {
	s := idv.JobSettlement{State: idv.JobAvailable, RunAt: now.Add(r.cfg.Backoff(j.Attempt)), Error: errText(err)}
	if j.Attempt >= j.MaxAttempts {
		s.State = idv.JobDiscarded
		r.metrics.discarded.WithLabelValues(j.Kind).Inc()
	}
	r.cfg.Log.Warn("job attempt failed", "kind", j.Kind, "job_id", j.ID, "attempt", j.Attempt,
		"outcome", outcome, "final", s.State == idv.JobDiscarded)
	return r.settle(j, outcome, s)
}

// settle writes s for j; a lost lease or a store error is logged and
// counted (see lost).
func (r *Runner) settle(j idv.ClaimedJob, outcome string, s idv.JobSettlement) string {
	s.ID, s.Lease, s.At = j.ID, j.Lease, r.cfg.Now()
	if err := r.st.SettleJob(context.Background(), s); err != nil {
		return r.lost(j, err)
	}
	return outcome
}

// lost reports an attempt whose outcome could not be written: its lease
// was taken over, or the store failed (the lease then ends on its own).
func (r *Runner) lost(j idv.ClaimedJob, err error) string {
	if errors.Is(err, idv.ErrLeaseLost) {
		r.cfg.Log.Warn("job lease lost", "kind", j.Kind, "job_id", j.ID, "attempt", j.Attempt)
		return outcomeLeaseLost
	}
	r.cfg.Log.Error("recording a job outcome failed", "kind", j.Kind, "job_id", j.ID, "error", err.Error())
	return outcomeUnrecorded
}

// errText is err's message, bounded.
func errText(err error) string {
	s := err.Error()
	if len(s) > maxErrorLen {
		s = s[:maxErrorLen]
	}
	return s
}
