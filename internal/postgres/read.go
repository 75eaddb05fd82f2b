package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/openidv/openidv/internal/idv"
)

// Session reads a session without locking it.
func (s *Store) Session(ctx context.Context, id string) (idv.Session, error) {
	return readSession(ctx, s.pool, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id)
}

// Events lists one page of a session's timeline after the cursor, oldest
// first (insertion order among events with the same time). An unknown
// session has no events.
func (s *Store) Events(ctx context.Context, sessionID string, after idv.EventCursor, limit int) ([]idv.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, id, session_id, type, source, sealed_payload, created_at
		FROM events WHERE session_id = $1 AND (created_at, seq) > ($2, $3)
		ORDER BY created_at, seq LIMIT $4`, sessionID, ts(after.CreatedAt), after.Seq, max(limit, 0))
	if err != nil {
		return nil, mapErr("list events", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (idv.Event, error) {
		var e idv.Event
		err := r.Scan(&e.Seq, &e.ID, &e.SessionID, &e.Type, &e.Source, &e.SealedPayload, &e.CreatedAt)
		e.CreatedAt = e.CreatedAt.UTC()
		return e, err
	})
	return out, mapErr("list events", err)
}

// DataKey reads a session's wrapped data key from the pool.
func (s *Store) DataKey(ctx context.Context, sessionID string) ([]byte, error) {
	var k []byte
	err := s.pool.QueryRow(ctx, `SELECT wrapped FROM data_keys WHERE session_id = $1`, sessionID).Scan(&k)
	return k, mapErr("read data key", err)
}

// APIKeyByHash finds a key by the SHA-256 of its secret.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (idv.APIKey, error) {
	var k idv.APIKey
	err := s.pool.QueryRow(ctx, `SELECT id, kind, sandbox, hash, hint, created_at, revoked_at
		FROM api_keys WHERE hash = $1`, hash).
		Scan(&k.ID, &k.Kind, &k.Sandbox, &k.Hash, &k.Hint, &k.CreatedAt, &k.RevokedAt)
	if err != nil {
		return idv.APIKey{}, mapErr("read api key", err)
	}
	k.CreatedAt = k.CreatedAt.UTC()
	k.RevokedAt = utcPtr(k.RevokedAt)
	return k, nil
}

// CountAPIKeys counts stored keys, revoked ones included.
func (s *Store) CountAPIKeys(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM api_keys`).Scan(&n)
	return n, mapErr("count api keys", err)
}

// Stats counts sessions by status and pending webhook deliveries.
func (s *Store) Stats(ctx context.Context) (idv.StoreStats, error) {
	st := idv.StoreStats{SessionsByStatus: map[idv.SessionStatus]int{}}
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM sessions GROUP BY status`)
	if err != nil {
		return idv.StoreStats{}, mapErr("stats", err)
	}
	var (
		status string
		n      int
	)
	_, err = pgx.ForEachRow(rows, []any{&status, &n}, func() error {
		st.SessionsByStatus[idv.SessionStatus(status)] = n
		return nil
	})
	if err != nil {
		return idv.StoreStats{}, mapErr("stats", err)
	}
	err = s.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'`).Scan(&st.OutboxBacklog)
	if err != nil {
		return idv.StoreStats{}, mapErr("stats", err)
	}
	return st, nil
}
