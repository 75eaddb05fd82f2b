package idv

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Job is a unit of background work, enqueued with Tx.EnqueueJob in the
// transaction that makes it necessary (a media row and its check), so that
// the work exists exactly when the change that asks for it committed.
type Job struct {
	ID   string // unique, chosen by the caller (e.g. "job_" + random hex)
	Kind string // selects the handler, e.g. "check.id_document"
	Args []byte // the handler's input, usually JSON; never personal data in clear
	// Group, when set, serialises jobs: the jobs of one group run one at a
	// time, in enqueue order (e.g. the checks of one session apply in upload
	// order). A group waits while its oldest unfinished job waits for a retry.
	Group string
	// UniqueKey, when set, makes a second job with the same key a no-op
	// while the first one's row exists (e.g. one check per media id).
	UniqueKey   string
	MaxAttempts int       // attempts before the job is discarded; < 1 means DefaultJobMaxAttempts
	RunAt       time.Time // not run before; zero means CreatedAt
	CreatedAt   time.Time
}

// DefaultJobMaxAttempts is a job's MaxAttempts when none is given.
const DefaultJobMaxAttempts = 25

// JobState is where a job is in its life.
type JobState string

// The job states. Available and running jobs are unfinished; the others
// are final.
const (
	JobAvailable JobState = "available" // waiting for RunAt, then for a worker
	JobRunning   JobState = "running"   // claimed under a lease
	JobCompleted JobState = "completed" // done
	JobCancelled JobState = "cancelled" // the handler gave up (CancelJob)
	JobDiscarded JobState = "discarded" // out of attempts
)

// JobRecord is a job as stored, with its progress.
type JobRecord struct {
	Job
	State      JobState
	Attempt    int       // attempts begun (a snooze gives its attempt back)
	LastError  string    // the last failed attempt's error
	LeaseUntil time.Time // while running: when another worker may take it over
	FinishedAt time.Time // zero until final
}

// ClaimedJob is a job a worker holds: Lease proves it, in CompleteJob and
// SettleJob, until another worker re-claims the job after LeaseUntil.
type ClaimedJob struct {
	JobRecord
	Lease string
}

// JobClaim asks for up to Limit due jobs of the given kinds. A claim takes
// available jobs whose RunAt has come and running jobs whose lease ended
// before Now (their worker died), only the oldest unfinished job of each
// group, and leases them until LeaseUntil, counting an attempt.
type JobClaim struct {
	Kinds      []string
	Now        time.Time
	LeaseUntil time.Time
	Limit      int
}

// JobSettlement records an attempt that did not complete: its job becomes
// State (JobAvailable again at RunAt, JobCancelled or JobDiscarded) if
// Lease still holds. Snoozed gives the attempt back.
type JobSettlement struct {
	ID, Lease string
	State     JobState
	RunAt     time.Time
	Snoozed   bool
	Error     string
	At        time.Time
}

// JobStats are the queue gauges for /metrics.
type JobStats struct {
	// Available counts, by kind, the unfinished jobs that are not running.
	Available map[string]int
	// Running counts, by kind, the jobs held under a lease.
	Running map[string]int
}

// ErrLeaseLost answers CompleteJob and SettleJob when the
// lease is no longer the job's: another worker took it over after the
// lease ended, or the attempt was already settled. Nothing was changed.
var ErrLeaseLost = Errorf(CodeConflict, "the job's lease was lost")

// JobStore is the job queue's port, used by the runner (internal/job).
// Enqueueing and completing run inside Store.InTx (Tx.EnqueueJob,
// Tx.CompleteJob), so that they commit with the work they belong to.
type JobStore interface {
	// ClaimJobs leases due jobs; two claims never return the same job while
	// its lease holds (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the single
	// writer). A running job whose lease ended and whose attempts are used
	// up is discarded instead of being claimed again.
	ClaimJobs(ctx context.Context, c JobClaim) ([]ClaimedJob, error)
	// SettleJob records an attempt that did not complete; ErrLeaseLost
	// (and nothing changed) if the lease is not held any more.
	SettleJob(ctx context.Context, s JobSettlement) error
	// JobByID reads a job; ErrNotFound if there is none.
	JobByID(ctx context.Context, id string) (JobRecord, error)
	// PurgeJobs deletes up to limit final jobs finished before t (which
	// frees their unique keys) and returns how many.
	PurgeJobs(ctx context.Context, before time.Time, limit int) (int, error)
	// JobStats counts the unfinished jobs.
	JobStats(ctx context.Context) (JobStats, error)
}

// JobTx is the part of Tx that enqueues and completes jobs.
type JobTx interface {
	// EnqueueJob inserts j, available at RunAt. A job whose UniqueKey is
	// already taken is skipped without error (the first one stands).
	EnqueueJob(ctx context.Context, j Job) error
	// CompleteJob marks the job completed if lease still holds (or the job
	// was already completed under that lease); otherwise it returns
	// ErrLeaseLost and the caller must roll back the result it was
	// committing with it.
	CompleteJob(ctx context.Context, id, lease string) error
}

// SnoozeError asks for the job to run again after After without counting
// the attempt (the awaited thing is not ready yet). Return it from a
// handler with JobSnooze.
type SnoozeError struct{ After time.Duration }

func (e *SnoozeError) Error() string { return fmt.Sprintf("job snoozed for %s", e.After) }

// JobSnooze returns a *SnoozeError.
func JobSnooze(after time.Duration) error { return &SnoozeError{After: after} }

// CancelError gives up a job for good: it is not retried, whatever its
// attempts left. Return it from a handler with JobCancel.
type CancelError struct{ Err error }

func (e *CancelError) Error() string { return "job cancelled: " + e.Err.Error() }

// Unwrap returns the reason.
func (e *CancelError) Unwrap() error { return e.Err }

// JobCancel returns a *CancelError with reason err.
func JobCancel(err error) error {
	if err == nil {
		err = errors.New("cancelled")
	}
	return &CancelError{Err: err}
}
