package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/openidv/openidv/internal/idv"
)

// errClosed is returned by InTx after Close.
var errClosed = errors.New("sqlite: store closed")

// request is one InTx call. fn runs on the caller's goroutine, when the
// writer hands it the turn, so a panic or runtime.Goexit in fn unwinds the
// caller as usual; the writer only sequences and commits.
type request struct {
	ctx  context.Context
	fn   func(idv.Tx) error
	turn chan *tx      // writer → caller: run fn on this tx now
	ran  chan struct{} // caller → writer: fn has returned (or unwound)
	done chan error    // writer → caller: the outcome; buffered

	notices []string         // filled by the Tx while fn runs
	written map[string]int64 // session id → version written by fn
	err     error            // fn's error
	aborted bool             // fn panicked or called runtime.Goexit
}

// failed reports whether the request's own work must be undone.
func (r *request) failed() bool { return r.err != nil || r.aborted }

// errAborted answers a caller whose fn panicked; it is never seen, as the
// caller is unwinding.
var errAborted = errors.New("sqlite: transaction function panicked")

// writer owns the single write connection. Callers hand it requests; it
// runs up to maxBatch of them in one physical transaction (group commit),
// each inside a savepoint, commits once, answers every caller and then
// publishes the notices of those whose fn succeeded.
type writer struct {
	db       *sql.DB
	conn     *sql.Conn
	stmts    *stmtCache
	maxBatch int
	hub      *hub
	cache    *sessionCache

	reqs     chan *request // unbuffered: a send succeeds only when the writer takes it
	quit     chan struct{}
	stopped  chan struct{}
	quitOnce sync.Once

	commits atomic.Int64 // physical transactions begun, for tests and metrics
}

func newWriter(db *sql.DB, conn *sql.Conn, maxBatch int, h *hub, cache *sessionCache) *writer {
	w := &writer{
		db: db, conn: conn, stmts: newStmtCache(conn), maxBatch: maxBatch, hub: h, cache: cache,
		reqs: make(chan *request), quit: make(chan struct{}), stopped: make(chan struct{}),
	}
	go w.run()
	return w
}

// do queues fn, runs it when the writer says so, and waits until its
// transaction is durable or rolled back.
func (w *writer) do(ctx context.Context, fn func(idv.Tx) error) error {
	r := &request{ctx: ctx, fn: fn, turn: make(chan *tx, 1), ran: make(chan struct{}, 1), done: make(chan error, 1)}
	select {
	case w.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-w.quit:
		return errClosed
	}
	// Once taken, the writer always answers; waiting keeps the promise that
	// InTx returns only after the outcome is known.
	select {
	case t := <-r.turn:
		r.run(t)
	case err := <-r.done: // skipped: its context ended while queued
		return err
	}
	return <-r.done
}

// run calls fn and tells the writer when it is over, also when fn panics.
func (r *request) run(t *tx) {
	returned := false
	defer func() {
		t.done = true
		r.aborted = !returned
		r.ran <- struct{}{}
	}()
	r.err = r.fn(t)
	returned = true
}

func (w *writer) alive() error {
	select {
	case <-w.quit:
		return errClosed
	default:
		return nil
	}
}

func (w *writer) close() error {
	w.quitOnce.Do(func() { close(w.quit) })
	<-w.stopped
	return errors.Join(w.stmts.close(), w.conn.Close(), w.db.Close())
}

func (w *writer) run() {
	defer close(w.stopped)
	for {
		select {
		case <-w.quit:
			return
		case r := <-w.reqs:
			batch := []*request{r}
		collect:
			for len(batch) < w.maxBatch {
				select {
				case r := <-w.reqs:
					batch = append(batch, r)
				default:
					break collect
				}
			}
			w.runBatch(batch)
		}
	}
}

// runBatch runs the batch in one transaction and answers every request.
func (w *writer) runBatch(batch []*request) {
	ctx := context.Background() // a caller's cancellation must not abort the others' transaction
	w.commits.Add(1)
	if _, err := w.stmts.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		w.answer(batch, fmt.Errorf("sqlite: begin: %w", err))
		return
	}
	savepoints := len(batch) > 1
	ok := 0
	for i, r := range batch {
		if err := w.runOne(ctx, r, savepoints); err != nil {
			// The savepoint machinery failed, so the transaction may be gone:
			// nobody in the batch may believe their writes committed.
			_, _ = w.conn.ExecContext(ctx, "ROLLBACK")
			for _, later := range batch[i+1:] {
				later.err = err
			}
			w.answer(batch, err)
			return
		}
		if !r.failed() {
			ok++
		}
	}
	if ok == 0 {
		_, err := w.conn.ExecContext(ctx, "ROLLBACK")
		w.answer(batch, mapErr("rollback", err))
		return
	}
	if _, err := w.stmts.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = w.conn.ExecContext(ctx, "ROLLBACK")
		w.answer(batch, fmt.Errorf("sqlite: commit: %w", err))
		return
	}
	w.answer(batch, nil)
}

// runOne has one request's fn run, inside a savepoint when it shares the
// transaction, and undoes its writes if it failed. It returns an error
// only when the savepoint itself could not be made, undone or released.
func (w *writer) runOne(ctx context.Context, r *request, savepoint bool) error {
	if err := r.ctx.Err(); err != nil {
		r.err = err
		return nil
	}
	if savepoint {
		if _, err := w.stmts.ExecContext(ctx, "SAVEPOINT txn"); err != nil {
			return fmt.Errorf("sqlite: savepoint: %w", err)
		}
	}
	r.turn <- &tx{q: w.stmts, req: r}
	<-r.ran
	if !savepoint {
		return nil
	}
	if r.failed() {
		if _, err := w.stmts.ExecContext(ctx, "ROLLBACK TO txn"); err != nil {
			return fmt.Errorf("sqlite: rollback to savepoint: %w", err)
		}
	}
	if _, err := w.stmts.ExecContext(ctx, "RELEASE txn"); err != nil {
		return fmt.Errorf("sqlite: release savepoint: %w", err)
	}
	return nil
}

// answer replies to every request: its own error, or failErr (a begin or
// commit failure) for those that succeeded. Notices of committed requests
// are published after the replies are queued, never for failed ones.
func (w *writer) answer(batch []*request, failErr error) {
	for _, r := range batch {
		err := r.err
		switch {
		case r.aborted:
			err = errAborted
		case err == nil:
			err = failErr
		}
		if err == nil {
			// Before the caller hears of its commit, so that its next read
			// cannot be served an older cached copy.
			for id, v := range r.written {
				w.cache.written(id, v)
			}
		}
		r.done <- err
		if err == nil {
			w.hub.publish(r.notices...)
		}
	}
}
