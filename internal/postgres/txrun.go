package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/openidv/openidv/internal/idv"
)

// errTxDone is returned when a Tx is used after its fn returned.
var errTxDone = errors.New("postgres: transaction already finished")

// tx is the idv.Tx handed to one InTx fn.
//
// Writes whose result fn does not need are queued and sent together, in
// one round trip, just before the next read or at commit. A transaction
// that only writes (creating a session) is sent as one batch, which
// PostgreSQL runs as one implicit transaction: one round trip in all,
// shared with other such transactions committing at the same moment
// (see committer).
// The error of a queued write comes from the next read or from InTx.
type tx struct {
	pool       *pgxpool.Pool
	group      *committer // commits write-only transactions; nil: alone
	channel    string
	notifyInTx bool

	tx      pgx.Tx    // begun at the first statement whose result fn needs
	batch   pgx.Batch // writes not yet sent
	whats   []string  // what each queued write does, for its error
	notices []string  // ids to publish after commit
	done    bool
}

var _ idv.Tx = (*tx)(nil)

// write queues a statement whose result is not needed.
func (t *tx) write(ctx context.Context, what, query string, args ...any) error {
	if t.done {
		return errTxDone
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t.batch.Queue(query, args...)
	t.whats = append(t.whats, what)
	return nil
}

// live returns the open transaction with every queued write applied.
func (t *tx) live(ctx context.Context) (pgx.Tx, error) {
	if t.done {
		return nil, errTxDone
	}
	if t.tx == nil {
		ptx, err := t.pool.BeginTx(ctx, pgx.TxOptions{})
		if err != nil {
			return nil, fmt.Errorf("postgres: begin: %w", err)
		}
		t.tx = ptx
	}
	if err := t.flush(ctx, t.tx); err != nil {
		return nil, err
	}
	return t.tx, nil
}

// flush sends the queued writes and returns the first error.
func (t *tx) flush(ctx context.Context, q batchSender) error {
	if t.batch.Len() == 0 {
		return nil
	}
	batch, whats := t.batch, t.whats
	t.batch, t.whats = pgx.Batch{}, nil
	return sendBatch(ctx, q, &batch, whats)
}

func (t *tx) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	q, err := t.live(ctx)
	if err != nil {
		return 0, err
	}
	tag, err := q.Exec(ctx, query, args...)
	if err != nil {
		return 0, mapErr(what, err)
	}
	return tag.RowsAffected(), nil
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) pgx.Row {
	q, err := t.live(ctx)
	if err != nil {
		return errRow{err}
	}
	return q.QueryRow(ctx, query, args...)
}

// errRow is a pgx.Row that failed before the query was sent.
type errRow struct{ err error }

// Scan returns the error.
func (r errRow) Scan(...any) error { return r.err }

// commit sends what is queued and commits.
func (t *tx) commit(ctx context.Context) error {
	if t.tx == nil { // write-only: an implicit transaction, maybe shared
		t.done = true
		if t.batch.Len() == 0 {
			return nil
		}
		if t.group != nil {
			return t.group.commit(ctx, t.batch, t.whats)
		}
		return t.flush(ctx, t.pool)
	}
	if err := t.flush(ctx, t.tx); err != nil {
		t.rollback(ctx)
		return err
	}
	t.done = true
	return mapErr("commit", t.tx.Commit(ctx))
}

// rollback abandons the transaction and the queued writes.
func (t *tx) rollback(ctx context.Context) {
	t.done = true
	if t.tx != nil {
		_ = t.tx.Rollback(context.WithoutCancel(ctx))
	}
}
