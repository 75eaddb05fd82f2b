package postgres

import (
	"context"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// errStoreClosed answers a commit that reaches a closed store.
var errStoreClosed = errors.New("postgres: store closed")

// defaultFlushers is how many connections commit groups by default.
const defaultFlushers = 4

// maxGroup bounds the transactions one group commit carries, so that one
// failing member costs a bounded retry.
const maxGroup = 64

// A committer commits write-only transactions (those that never read, such
// as creating a session) in groups: the queued writes of every such
// transaction that commits while the committer's connections are busy go
// to PostgreSQL together, in one batch that the server runs as one
// implicit transaction. Each member still gets its own answer, and only
// after the group's commit is durable.
//
// A fixed set of flushers take turns; an idle flusher takes the next
// transaction at once, so a lone request waits for no one. Under load the
// flushers are busy and transactions pile up, and the next free flusher
// takes them all: one round trip, one commit and one WAL flush for many
// requests, where PostgreSQL alone would wake a backend per request.
//
// If the group fails with an error from the server (a unique violation,
// say), nothing of it was committed, and each member is retried alone so
// that the error reaches only the transaction that caused it.
type committer struct {
	pool  *pgxpool.Pool
	queue chan *groupMember
	stop  context.Context
	wg    sync.WaitGroup
}

// groupMember is one transaction waiting in a committer.
type groupMember struct {
	batch pgx.Batch
	whats []string
	done  chan error
}

// newCommitter starts flushers that commit groups on pool until stop is
// done.
func newCommitter(stop context.Context, pool *pgxpool.Pool, flushers int) *committer {
	c := &committer{pool: pool, queue: make(chan *groupMember), stop: stop}
	c.wg.Add(flushers)
	for range flushers {
		go func() {
			defer c.wg.Done()
			c.run()
		}()
	}
	return c
}

// commit hands batch to a flusher and waits for the group's outcome. Once
// a flusher has it, commit waits even if ctx ends, so that its answer is
// the truth about what was committed.
func (c *committer) commit(ctx context.Context, batch pgx.Batch, whats []string) error {
	m := &groupMember{batch: batch, whats: whats, done: make(chan error, 1)}
	select {
	case c.queue <- m:
		return <-m.done
	case <-ctx.Done():
		return ctx.Err()
	case <-c.stop.Done():
		return errStoreClosed
	}
}

// wait returns once every flusher has stopped.
func (c *committer) wait() { c.wg.Wait() }

// run is one flusher: it takes a transaction, then every other one already
// waiting, and commits them together.
func (c *committer) run() {
	for {
		var first *groupMember
		select {
		case first = <-c.queue:
		case <-c.stop.Done():
			return
		}
		group := c.gather(first)
		c.flushGroup(group)
	}
}

// gather collects the transactions waiting to be taken, up to maxGroup.
func (c *committer) gather(first *groupMember) []*groupMember {
	group := []*groupMember{first}
	for len(group) < maxGroup {
		select {
		case m := <-c.queue:
			group = append(group, m)
		default:
			return group
		}
	}
	return group
}

// flushGroup commits group and answers each member.
func (c *committer) flushGroup(group []*groupMember) {
	ctx := c.stop // a member's cancellation must not abort the others
	if len(group) == 1 {
		m := group[0]
		m.done <- sendBatch(ctx, c.pool, &m.batch, m.whats)
		return
	}
	var all pgx.Batch
	var whats []string
	for _, m := range group {
		all.QueuedQueries = append(all.QueuedQueries, m.batch.QueuedQueries...)
		whats = append(whats, m.whats...)
	}
	err := sendBatch(ctx, c.pool, &all, whats)
	var pe *pgconn.PgError
	if err != nil && errors.As(err, &pe) {
		// The server refused the group, so none of it was committed:
		// commit each alone and answer each with its own error.
		for _, m := range group {
			again := requeue(&m.batch)
			m.done <- sendBatch(ctx, c.pool, &again, m.whats)
		}
		return
	}
	for _, m := range group {
		m.done <- err
	}
}

// requeue returns a new batch of b's statements. A statement once sent
// remembers the prepared statement of the connection it went on, so a
// batch sent again, maybe on another connection, must be queued anew.
func requeue(b *pgx.Batch) pgx.Batch {
	var again pgx.Batch
	for _, q := range b.QueuedQueries {
		again.Queue(q.SQL, q.Arguments...)
	}
	return again
}

// batchSender runs a batch: a pool (an implicit transaction) or a pgx.Tx.
type batchSender interface {
	SendBatch(context.Context, *pgx.Batch) pgx.BatchResults
}

// sendBatch sends batch and returns the first error, mapped with the
// description of the statement that caused it.
func sendBatch(ctx context.Context, q batchSender, batch *pgx.Batch, whats []string) error {
	br := q.SendBatch(ctx, batch) // results refer to batch until closed
	var first error
	for _, what := range whats {
		if _, err := br.Exec(); err != nil && first == nil {
			first = mapErr(what, err)
		}
	}
	if err := br.Close(); err != nil && first == nil {
		first = mapErr("write", err)
	}
	return first
}
