package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// errClosed is returned by Subscribe once the store is closed.
var errClosed = errors.New("postgres: store closed")

// Subscribe opens a dedicated connection, LISTENs on the notify channel and
// calls fn, on the calling goroutine and in commit order, with the id of
// every session whose change commits afterwards through any Store on the
// same database. It returns nil when ctx ends and an error when the store
// closes, when it cannot listen, or when the connection is lost: notices
// sent meanwhile cannot be known, so the caller re-reads the state it cares
// about and subscribes again (with backoff).
func (s *Store) Subscribe(ctx context.Context, fn func(sessionID string)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.stop, cancel)()
	conn, err := s.listen(ctx)
	if err != nil {
		return s.endErr(ctx, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return s.endErr(ctx, fmt.Errorf("postgres: listen: connection lost, notices may have been missed: %w", err))
		}
		fn(n.Payload)
	}
}

// endErr is what Subscribe returns: nil when the caller's ctx ended,
// errClosed after Close, err otherwise.
func (s *Store) endErr(ctx context.Context, err error) error {
	switch {
	case s.stop.Err() != nil:
		return errClosed
	case ctx.Err() != nil:
		return nil
	}
	return err
}

// listen connects outside the pool (a LISTEN must keep its connection) and
// subscribes to the channel.
func (s *Store) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("postgres: listen: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("postgres: listen: %w", err)
	}
	return conn, nil
}
