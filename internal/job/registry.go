// Package job runs durable background jobs from the store's queue
// (idv.JobStore): a pool of workers claims due jobs under a lease, runs the
// handler registered for each job's kind outside any transaction, and
// records the outcome: completed (in the handler's own transaction, with
// Tx.CompleteJob, or by the runner), retried with backoff, snoozed,
// cancelled or discarded. It also schedules periodic work so that each
// period's run happens once across all replicas.
//
// The shape follows River (github.com/riverqueue/river); docs/architecture.md
// ("Jobs") says why River itself is not used.
package job

import (
	"context"
	"fmt"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// Handler runs one attempt of a job. Returning nil completes the job; a
// handler that commits a result completes it in the same transaction with
// tx.CompleteJob(ctx, j.ID, j.Lease), so that the result commits exactly
// once (a lost lease rolls the result back). idv.JobSnooze and
// idv.JobCancel errors snooze and cancel; any other error, a panic or the
// timeout fails the attempt, which is retried with backoff until the job's
// MaxAttempts are used.
//
// ctx ends at the attempt's timeout and when the runner stops; a handler
// should return soon after.
type Handler func(ctx context.Context, j idv.ClaimedJob) error

// Kind is a registered job kind.
type Kind struct {
	Handler Handler
	// Timeout bounds one attempt; 0 means Config.Timeout.
	Timeout time.Duration
}

// Registry maps job kinds to their handlers. cmd builds it; there is no
// registration at init time.
type Registry struct {
	kinds map[string]Kind
	order []string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: map[string]Kind{}} }

// Register adds a kind; a kind registered twice, an empty name or a nil
// handler is an error.
func (r *Registry) Register(name string, k Kind) error {
	switch {
	case name == "":
		return fmt.Errorf("job: register: empty kind")
	case k.Handler == nil:
		return fmt.Errorf("job: register %s: nil handler", name)
	case k.Timeout < 0:
		return fmt.Errorf("job: register %s: negative timeout", name)
	}
	if _, ok := r.kinds[name]; ok {
		return fmt.Errorf("job: kind %s registered twice", name)
	}
	r.kinds[name] = k
	r.order = append(r.order, name)
	return nil
}

// Kinds lists the registered kinds in registration order.
func (r *Registry) Kinds() []string { return append([]string(nil), r.order...) }
