package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openidv/openidv/internal/idv"
)

// Session reads a session from the read pool.
func (s *Store) Session(ctx context.Context, id string) (idv.Session, error) {
	if sess, ok := s.cache.get(id); ok {
		return sess, nil
	}
	sess, err := readSession(ctx, s.reads, id)
	if err == nil {
		s.cache.offer(sess)
	}
	return sess, err
}

// DataKey reads a session's wrapped data key from the read pool.
func (s *Store) DataKey(ctx context.Context, sessionID string) ([]byte, error) {
	var k []byte
	err := s.reads.QueryRowContext(ctx, `SELECT wrapped FROM data_keys WHERE session_id = $1`, sessionID).Scan(&k)
	return k, mapErr("read data key", err)
}

// Events lists one page of a session's timeline after the cursor, oldest
// first (insertion order among events with the same time). An unknown
// session has no events.
func (s *Store) Events(ctx context.Context, sessionID string, after idv.EventCursor, limit int) ([]idv.Event, error) {
	rows, err := s.reads.QueryContext(ctx, `SELECT seq, id, session_id, type, source, sealed_payload, created_at
		FROM events WHERE session_id = $1 AND (created_at, seq) > ($2, $3)
		ORDER BY created_at, seq LIMIT $4`, sessionID, micros(after.CreatedAt), after.Seq, max(limit, 0))
	if err != nil {
		return nil, mapErr("list events", err)
	}
	defer rows.Close()
	var out []idv.Event
	for rows.Next() {
		var (
			e       idv.Event
			created int64
		)
		if err := rows.Scan(&e.Seq, &e.ID, &e.SessionID, &e.Type, &e.Source, &e.SealedPayload, &created); err != nil {
			return nil, mapErr("list events", err)
		}
		e.CreatedAt = fromMicros(created)
		out = append(out, e)
	}
	return out, mapErr("list events", rows.Err())
}

// APIKeyByHash finds a key by the SHA-256 of its secret.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (idv.APIKey, error) {
	var (
		k       idv.APIKey
		sandbox int64
		created int64
		revoked sql.NullInt64
	)
	err := s.reads.QueryRowContext(ctx, `SELECT id, kind, sandbox, hash, hint, created_at, revoked_at
		FROM api_keys WHERE hash = $1`, hash).
		Scan(&k.ID, &k.Kind, &sandbox, &k.Hash, &k.Hint, &created, &revoked)
	if err != nil {
		return idv.APIKey{}, mapErr("read api key", err)
	}
	k.Sandbox = sandbox != 0
	k.CreatedAt = fromMicros(created)
	k.RevokedAt = fromMicrosPtr(revoked)
	return k, nil
}

// CountAPIKeys counts stored keys, revoked ones included.
func (s *Store) CountAPIKeys(ctx context.Context) (int, error) {
	var n int
	err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM api_keys`).Scan(&n)
	return n, mapErr("count api keys", err)
}

// Stats counts sessions by status and pending webhook deliveries.
func (s *Store) Stats(ctx context.Context) (idv.StoreStats, error) {
	st := idv.StoreStats{SessionsByStatus: map[idv.SessionStatus]int{}}
	rows, err := s.reader.QueryContext(ctx, `SELECT status, count(*) FROM sessions GROUP BY status`)
	if err != nil {
		return idv.StoreStats{}, mapErr("stats", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			status idv.SessionStatus
			n      int
		)
		if err := rows.Scan(&status, &n); err != nil {
			return idv.StoreStats{}, mapErr("stats", err)
		}
		st.SessionsByStatus[status] = n
	}
	if err := rows.Err(); err != nil {
		return idv.StoreStats{}, mapErr("stats", err)
	}
	err = s.reader.QueryRowContext(ctx, `SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'`).Scan(&st.OutboxBacklog)
	if err != nil {
		return idv.StoreStats{}, mapErr("stats", err)
	}
	return st, nil
}

// Ready reports whether the file answers, every embedded migration is
// applied and the writer is running.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.writer.alive(); err != nil {
		return err
	}
	if err := s.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return pending(ctx, s.reader)
}
