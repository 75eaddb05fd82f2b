package sqlite

import (
	"context"
	"errors"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// errTxDone is returned when a Tx is used after its fn returned.
var errTxDone = errors.New("sqlite: transaction already finished")

// tx is the idv.Tx handed to one InTx fn. It runs on the writer connection.
type tx struct {
	q    querier
	req  *request
	done bool
}

var _ idv.Tx = (*tx)(nil)

// begin checks the tx is usable and returns a context for the statement.
// Cancelling a statement would make SQLite abort the whole shared
// transaction, so the caller's cancellation is checked here, between
// statements, and not passed to the driver.
func (t *tx) begin(ctx context.Context) (context.Context, error) {
	if t.done {
		return nil, errTxDone
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func (t *tx) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	c, err := t.begin(ctx)
	if err != nil {
		return 0, err
	}
	res, err := t.q.ExecContext(c, query, args...)
	if err != nil {
		return 0, mapErr(what, err)
	}
	n, err := res.RowsAffected()
	return n, mapErr(what, err)
}

// CreateSession inserts s; an existing id is a CodeConflict.
func (t *tx) CreateSession(ctx context.Context, s idv.Session) error {
	args, err := sessionArgs(s)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, "create session", `INSERT INTO sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, args...)
	if err == nil {
		t.wrote(s)
	}
	return err
}

// wrote remembers that the tx wrote version s.Version of the session, for
// the session cache once the transaction commits.
func (t *tx) wrote(s idv.Session) {
	if t.req.written == nil {
		t.req.written = map[string]int64{}
	}
	t.req.written[s.ID] = s.Version
}

// SessionForUpdate reads a session; the single writer keeps it locked.
func (t *tx) SessionForUpdate(ctx context.Context, id string) (idv.Session, error) {
	c, err := t.begin(ctx)
	if err != nil {
		return idv.Session{}, err
	}
	return readSession(c, t.q, id)
}

// UpdateSession writes s if the stored version is s.Version-1.
func (t *tx) UpdateSession(ctx context.Context, s idv.Session) error {
	args, err := sessionArgs(s)
	if err != nil {
		return err
	}
	n, err := t.exec(ctx, "update session", `UPDATE sessions SET sandbox = $2, level_name = $3,
		level_version = $4, status = $5, steps = $6, client_token_hash = $7, unique_id_hash = $8,
		sealed_applicant = $9, return_url = $10, locale = $11, created_at = $12, updated_at = $13,
		expires_at = $14, version = $15
		WHERE id = $1 AND version = $15 - 1`, args...)
	if err == nil && n == 1 {
		t.wrote(s)
	}
	if err != nil || n == 1 {
		return err
	}
	return t.versionConflict(ctx, s.ID)
}

// versionConflict explains an update that matched no row.
func (t *tx) versionConflict(ctx context.Context, id string) error {
	c, err := t.begin(ctx)
	if err != nil {
		return err
	}
	var one int
	err = t.q.QueryRowContext(c, `SELECT 1 FROM sessions WHERE id = $1`, id).Scan(&one)
	if err != nil {
		return mapErr("update session", err)
	}
	return idv.Errorf(idv.CodeConflict, "session was changed concurrently")
}

// SessionIDsExpiringBefore lists in-progress sessions expiring before tm,
// soonest first.
func (t *tx) SessionIDsExpiringBefore(ctx context.Context, tm time.Time, limit int) ([]string, error) {
	c, err := t.begin(ctx)
	if err != nil {
		return nil, err
	}
	return readIDs(c, t.q, `SELECT id FROM sessions WHERE status = $1 AND expires_at < $2
		ORDER BY expires_at, id LIMIT $3`, string(idv.StatusInProgress), micros(tm), limit)
}

// SessionIDsCreatedBefore lists not-yet-erased sessions created before tm,
// oldest first.
func (t *tx) SessionIDsCreatedBefore(ctx context.Context, tm time.Time, limit int) ([]string, error) {
	c, err := t.begin(ctx)
	if err != nil {
		return nil, err
	}
	return readIDs(c, t.q, `SELECT id FROM sessions WHERE created_at < $1 AND status <> $2
		ORDER BY created_at, id LIMIT $3`, micros(tm), string(idv.StatusErased), limit)
}

// PutDataKey stores the wrapped key; a second key for a session is a
// CodeConflict, an unknown session CodeNotFound.
func (t *tx) PutDataKey(ctx context.Context, sessionID string, wrapped []byte) error {
	_, err := t.exec(ctx, "store data key", `INSERT INTO data_keys (session_id, wrapped) VALUES ($1, $2)`,
		sessionID, wrapped)
	return err
}

// DataKey returns the wrapped key, idv.ErrNotFound once erased.
func (t *tx) DataKey(ctx context.Context, sessionID string) ([]byte, error) {
	c, err := t.begin(ctx)
	if err != nil {
		return nil, err
	}
	var k []byte
	err = t.q.QueryRowContext(c, `SELECT wrapped FROM data_keys WHERE session_id = $1`, sessionID).Scan(&k)
	return k, mapErr("read data key", err)
}

// DeleteDataKey deletes the key row. Deleting an absent key is not an error.
func (t *tx) DeleteDataKey(ctx context.Context, sessionID string) error {
	_, err := t.exec(ctx, "delete data key", `DELETE FROM data_keys WHERE session_id = $1`, sessionID)
	return err
}

// AppendEvents adds events to their sessions' timelines.
func (t *tx) AppendEvents(ctx context.Context, events ...idv.Event) error {
	for _, e := range events {
		_, err := t.exec(ctx, "append event", `INSERT INTO events (id, session_id, type, source, sealed_payload, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			e.ID, e.SessionID, e.Type, string(e.Source), e.SealedPayload, micros(e.CreatedAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// CountEvents counts a session's events from source (index events_source).
func (t *tx) CountEvents(ctx context.Context, sessionID string, source idv.EventSource) (int, error) {
	c, err := t.begin(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = t.q.QueryRowContext(c, `SELECT COUNT(*) FROM events WHERE session_id = $1 AND source = $2`,
		sessionID, string(source)).Scan(&n)
	return n, mapErr("count events", err)
}

// EnqueueOutbox adds webhook messages and their deliveries.
func (t *tx) EnqueueOutbox(ctx context.Context, msgs ...idv.OutboxMessage) error {
	for _, m := range msgs {
		_, err := t.exec(ctx, "enqueue outbox", `INSERT INTO outbox (id, session_id, event_type, payload,
			sandbox, created_at, attempts, next_attempt_at, delivered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			m.ID, m.SessionID, m.EventType, nonNil(m.Payload), boolInt(m.Sandbox), micros(m.CreatedAt),
			m.Attempts, micros(m.NextAttemptAt), microsPtr(m.DeliveredAt))
		if err != nil {
			return err
		}
		if err := t.fanOut(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// NotifySession queues a notice published after commit, if fn succeeds.
func (t *tx) NotifySession(ctx context.Context, sessionID string) error {
	if _, err := t.begin(ctx); err != nil {
		return err
	}
	t.req.notices = append(t.req.notices, sessionID)
	return nil
}

// CreateAPIKey stores k; a duplicate id or hash is a CodeConflict.
func (t *tx) CreateAPIKey(ctx context.Context, k idv.APIKey) error {
	_, err := t.exec(ctx, "create api key", `INSERT INTO api_keys (id, kind, sandbox, hash, hint, created_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, string(k.Kind), boolInt(k.Sandbox), nonNil(k.Hash), k.Hint, micros(k.CreatedAt), microsPtr(k.RevokedAt))
	return err
}

// nonNil stores an absent byte slice in a NOT NULL column as empty.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// BeginIdempotent inserts rec unless its scope exists.
func (t *tx) BeginIdempotent(ctx context.Context, rec idv.IdempotencyRecord) (idv.IdempotencyRecord, bool, error) {
	n, err := t.exec(ctx, "begin idempotent", `INSERT INTO idempotency (scope, request_hash, status, body, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope) DO NOTHING`,
		rec.Scope, rec.RequestHash, rec.Status, rec.Body, micros(rec.CreatedAt))
	if err != nil {
		return idv.IdempotencyRecord{}, false, err
	}
	if n == 1 {
		rec.CreatedAt = fromMicros(micros(rec.CreatedAt))
		return rec, true, nil
	}
	c, err := t.begin(ctx)
	if err != nil {
		return idv.IdempotencyRecord{}, false, err
	}
	var (
		got     idv.IdempotencyRecord
		created int64
	)
	err = t.q.QueryRowContext(c, `SELECT scope, request_hash, status, body, created_at FROM idempotency
		WHERE scope = $1`, rec.Scope).Scan(&got.Scope, &got.RequestHash, &got.Status, &got.Body, &created)
	if err != nil {
		return idv.IdempotencyRecord{}, false, mapErr("read idempotent", err)
	}
	got.CreatedAt = fromMicros(created)
	return got, false, nil
}

// FinishIdempotent stores the answer; an unknown scope is idv.ErrNotFound.
func (t *tx) FinishIdempotent(ctx context.Context, scope string, status int, body []byte) error {
	n, err := t.exec(ctx, "finish idempotent", `UPDATE idempotency SET status = $2, body = $3 WHERE scope = $1`,
		scope, status, body)
	if err == nil && n == 0 {
		return idv.ErrNotFound
	}
	return err
}

// DeleteIdempotent forgets scope; an unknown scope is not an error.
func (t *tx) DeleteIdempotent(ctx context.Context, scope string) error {
	_, err := t.exec(ctx, "delete idempotent", `DELETE FROM idempotency WHERE scope = $1`, scope)
	return err
}

// PurgeIdempotentBefore deletes records created before tm.
func (t *tx) PurgeIdempotentBefore(ctx context.Context, tm time.Time) error {
	_, err := t.exec(ctx, "purge idempotent", `DELETE FROM idempotency WHERE created_at < $1`, micros(tm))
	return err
}
