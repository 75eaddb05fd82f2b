// Package sqlite is the embedded idv.Store: one SQLite file (pure Go driver
// modernc.org/sqlite) in WAL mode with synchronous=FULL, so every commit is
// durable before InTx returns.
//
// One process owns the file. Writes go through a single writer connection
// that groups concurrent InTx calls into one physical transaction (one fsync
// for the group, each call in its own SAVEPOINT); reads use a separate pool.
// Change notices are fanned out in-process after commit.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/openidv/openidv/internal/idv"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Store is the SQLite implementation of idv.Store. Make it with Open; it is
// safe for concurrent use.
type Store struct {
	path   string
	cfg    config
	reader *sql.DB
	reads  *stmtCache // prepared read queries on reader
	cache  *sessionCache
	writer *writer
	hub    *hub
}

var _ idv.Store = (*Store)(nil)

type config struct {
	maxBatch     int
	readConns    int
	busyTimeout  time.Duration
	sessionCache int
}

// Option configures Open.
type Option func(*config)

// WithMaxBatch bounds how many InTx calls share one physical transaction
// (group commit). 1 turns group commit off: one transaction, and one fsync,
// per call. The default is 64.
func WithMaxBatch(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBatch = n
		}
	}
}

// WithSessionCache sets how many recently read sessions are kept decoded
// in memory (default 10,000; 0 turns the cache off). The cache is coherent
// because one process owns the database file.
func WithSessionCache(n int) Option {
	return func(c *config) {
		if n >= 0 {
			c.sessionCache = n
		}
	}
}

// WithReadConns sets the size of the read pool (default 4).
func WithReadConns(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.readConns = n
		}
	}
}

// WithBusyTimeout sets how long a connection waits for a lock held by
// another connection, e.g. `openidv migrate` running alongside (default 5s).
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.busyTimeout = d
		}
	}
}

// Open opens (creating if needed) the database file at path. It does not
// apply migrations: call Migrate. Ready fails until they are applied.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := config{maxBatch: 64, readConns: 4, busyTimeout: 5 * time.Second, sessionCache: 10000}
	for _, o := range opts {
		o(&cfg)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	s := &Store{path: path, cfg: cfg, hub: newHub()}
	wdb, err := openDB(ctx, path, cfg, false)
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	conn, err := wdb.Conn(ctx)
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("sqlite: open writer: %w", err)
	}
	s.reader, err = openDB(ctx, path, cfg, true)
	if err != nil {
		conn.Close()
		wdb.Close()
		return nil, err
	}
	s.reader.SetMaxOpenConns(cfg.readConns)
	s.reader.SetMaxIdleConns(cfg.readConns)
	s.reads = newStmtCache(s.reader)
	s.cache = newSessionCache(cfg.sessionCache)
	s.writer = newWriter(wdb, conn, cfg.maxBatch, s.hub, s.cache)
	return s, nil
}

// createPrivate creates the database file readable by its owner only, if
// it does not exist; SQLite gives the -wal and -shm files the same mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: create database file: %w", err)
	}
	return f.Close()
}

// dsn builds the driver name: a file: URI with the connection pragmas.
func dsn(path string, cfg config, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(cfg.busyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	// Savepoints (one per request in a group commit) keep their undo pages
	// in memory instead of a temporary file: they only matter until the
	// transaction ends, so durability does not depend on them.
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// The writer touches index pages all over the tables (ids are
		// random), so it gets a larger page cache than SQLite's 2 MB.
		q.Add("_pragma", "cache_size(-32768)")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

func openDB(ctx context.Context, path string, cfg config, readOnly bool) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, cfg, readOnly))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	return db, nil
}

// Close stops the writer (waiting for the batch in progress) and closes
// every connection. InTx calls after Close fail.
func (s *Store) Close() error {
	werr := s.writer.close()
	rerr := errors.Join(s.reads.close(), s.reader.Close())
	s.hub.close()
	return errors.Join(werr, rerr)
}

// InTx runs fn inside a write transaction and returns once the transaction
// is durable (or fn's error once it is rolled back). Concurrent calls share
// one physical transaction, each inside its own savepoint, so a failing fn
// undoes only its own writes. fn runs on the writer goroutine: it must not
// call InTx itself. A panic in fn is re-raised in the caller.
func (s *Store) InTx(ctx context.Context, fn func(idv.Tx) error) error {
	return s.writer.do(ctx, fn)
}

// Subscribe calls fn, on the calling goroutine and in commit order, with
// the id of every session whose change commits in this process after
// Subscribe has registered, until ctx ends (it then returns nil) or the
// store closes (an error). Ids still waiting for a slow fn are coalesced,
// so each pending id is delivered once. Publishing never waits for fn.
// SQLite is single-process: one process owns the file, so no other
// process's changes are ever heard.
func (s *Store) Subscribe(ctx context.Context, fn func(sessionID string)) error {
	return s.hub.subscribe(ctx, fn)
}
