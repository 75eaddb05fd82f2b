// Package postgres is the idv.Store for PostgreSQL (pgx v5), used when
// OpenIDV runs as several replicas. Transactions lock sessions with SELECT …
// FOR UPDATE; change notices travel with LISTEN/NOTIFY, so a subscriber on
// any replica hears of every committed change.
//
// Commits are durable with PostgreSQL's default synchronous_commit=on.
// To keep round trips few, writes inside InTx are queued and sent together
// (a create-only transaction is one round trip), write-only transactions
// committing together share one commit (WithGroupCommit), and notices are
// sent just after commit rather than inside the transaction (see
// WithNotifyInTransaction for why).
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/openidv/openidv/internal/idv"
)

// DefaultChannel is the NOTIFY channel carrying committed session ids.
const DefaultChannel = "openidv_sessions"

// Store is the PostgreSQL implementation of idv.Store. Make it with Open;
// it is safe for concurrent use.
type Store struct {
	pool       *pgxpool.Pool
	db         *sql.DB // database/sql over the pool, for goose
	channel    string
	notifyInTx bool
	notifier   *notifier
	group      *committer // nil when group commit is off

	stop     context.Context // done once Close is called
	stopAll  context.CancelFunc
	notifyWG sync.WaitGroup
}

var _ idv.Store = (*Store)(nil)

type config struct {
	channel     string
	maxConns    int32
	explicitMax bool
	notifyInTx  bool
	flushers    int
}

// Option configures Open.
type Option func(*config)

// WithNotifyChannel sets the NOTIFY channel (default DefaultChannel). Every
// replica sharing a database must use the same one.
func WithNotifyChannel(name string) Option {
	return func(c *config) {
		if name != "" {
			c.channel = name
		}
	}
}

// WithNotifyInTransaction makes NotifySession run pg_notify inside the
// transaction, so a notice can never be lost between commit and sending.
// PostgreSQL then holds a database-wide lock from NOTIFY until the commit is
// flushed, which serialises every notifying commit behind one WAL flush at
// a time. By default notices are instead sent right after commit, batched,
// on a connection with synchronous_commit=off: a crash in between loses
// the notice (subscribers re-read state), and commits are grouped freely.
func WithNotifyInTransaction() Option {
	return func(c *config) { c.notifyInTx = true }
}

// WithGroupCommit sets how many connections commit write-only
// transactions, each taking as one group every such transaction waiting
// for it (default 4; 0 commits each on its own). See committer.
func WithGroupCommit(flushers int) Option {
	return func(c *config) {
		if flushers >= 0 {
			c.flushers = flushers
		}
	}
}

// WithMaxConns sets the size of the connection pool (default 16, or
// pool_max_conns in the URL). Listening and notifying connections are
// extra. Measured on 2 cores: 16 commits more sessions per second than 4
// or 64.
func WithMaxConns(n int32) Option {
	return func(c *config) {
		if n > 0 {
			c.maxConns, c.explicitMax = n, true
		}
	}
}

// Open connects to the database at url (postgres://…; libpq-style
// parameters such as search_path are passed to the server). It does not
// apply migrations: call Migrate. Ready fails until they are applied.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg := config{channel: DefaultChannel, maxConns: 16, flushers: defaultFlushers}
	for _, o := range opts {
		o(&cfg)
	}
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, errors.New("postgres: invalid database URL") // the URL may hold a password: not echoed
	}
	if cfg.maxConns > 0 && (!strings.Contains(url, "pool_max_conns") || cfg.explicitMax) {
		pcfg.MaxConns = cfg.maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	stop, stopAll := context.WithCancel(context.Background())
	s := &Store{pool: pool, db: stdlib.OpenDBFromPool(pool), channel: cfg.channel, notifyInTx: cfg.notifyInTx,
		stop: stop, stopAll: stopAll}
	if cfg.flushers > 0 {
		s.group = newCommitter(stop, pool, cfg.flushers)
	}
	s.notifier = newNotifier(pcfg.ConnConfig, cfg.channel)
	s.notifyWG.Add(1)
	go func() {
		defer s.notifyWG.Done()
		s.notifier.run(stop)
	}()
	return s, nil
}

// Close ends subscriptions (their Subscribe calls return an error once fn
// returns), stops the notifier, dropping notices still queued, and closes
// the pool.
func (s *Store) Close() error {
	s.stopAll()
	s.notifyWG.Wait()
	if s.group != nil {
		s.group.wait()
	}
	err := s.db.Close()
	s.pool.Close()
	return err
}

// InTx runs fn in a READ COMMITTED transaction; rows read with
// SessionForUpdate stay locked until it ends. fn's error (or panic) rolls
// back; otherwise InTx returns once the commit is durable. Notices are then
// sent (see WithNotifyInTransaction).
func (s *Store) InTx(ctx context.Context, fn func(idv.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &tx{pool: s.pool, group: s.group, channel: s.channel, notifyInTx: s.notifyInTx}
	returned := false
	defer func() {
		if !returned { // fn panicked or called runtime.Goexit
			t.rollback(ctx)
		}
	}()
	err := fn(t)
	returned = true
	if err != nil {
		t.rollback(ctx)
		return err
	}
	if err := t.commit(ctx); err != nil {
		return err
	}
	s.notifier.push(t.notices)
	return nil
}

// Migrate applies every pending embedded migration, holding an advisory
// lock so that replicas starting together migrate once.
func (s *Store) Migrate(ctx context.Context) error {
	var schema string
	if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return mapErr("migrate", err)
	}
	p, err := provider(s.db, schema)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// Ready reports whether the database answers and every embedded migration
// is applied.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.stop.Err(); err != nil {
		return errors.New("postgres: store closed")
	}
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return pending(ctx, s.db)
}
