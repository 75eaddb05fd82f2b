package postgres

import (
	"context"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// CreateSession inserts s; an existing id is a CodeConflict.
func (t *tx) CreateSession(ctx context.Context, s idv.Session) error {
	args, err := sessionArgs(s)
	if err != nil {
		return err
	}
	return t.write(ctx, "create session", `INSERT INTO sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, args...)
}

// SessionForUpdate reads a session and locks its row until the tx ends.
func (t *tx) SessionForUpdate(ctx context.Context, id string) (idv.Session, error) {
	q, err := t.live(ctx)
	if err != nil {
		return idv.Session{}, err
	}
	return readSession(ctx, q, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1 FOR UPDATE`, id)
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
	if err != nil || n == 1 {
		return err
	}
	return t.versionConflict(ctx, s.ID)
}

// versionConflict explains an update that matched no row.
func (t *tx) versionConflict(ctx context.Context, id string) error {
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM sessions WHERE id = $1`, id).Scan(&one)
	if err != nil {
		return mapErr("update session", err)
	}
	return idv.Errorf(idv.CodeConflict, "session was changed concurrently")
}

// SessionIDsExpiringBefore lists in-progress sessions expiring before tm,
// soonest first.
func (t *tx) SessionIDsExpiringBefore(ctx context.Context, tm time.Time, limit int) ([]string, error) {
	q, err := t.live(ctx)
	if err != nil {
		return nil, err
	}
	return readIDs(ctx, q, `SELECT id FROM sessions WHERE status = $1 AND expires_at < $2
		ORDER BY expires_at, id LIMIT $3`, string(idv.StatusInProgress), ts(tm), limit)
}

// SessionIDsCreatedBefore lists not-yet-erased sessions created before tm,
// oldest first.
func (t *tx) SessionIDsCreatedBefore(ctx context.Context, tm time.Time, limit int) ([]string, error) {
	q, err := t.live(ctx)
	if err != nil {
		return nil, err
	}
	return readIDs(ctx, q, `SELECT id FROM sessions WHERE created_at < $1 AND status <> $2
		ORDER BY created_at, id LIMIT $3`, ts(tm), string(idv.StatusErased), limit)
}

// PutDataKey stores the wrapped key; a second key for a session is a
// CodeConflict, an unknown session CodeNotFound.
func (t *tx) PutDataKey(ctx context.Context, sessionID string, wrapped []byte) error {
	err := t.write(ctx, "store data key", `INSERT INTO data_keys (session_id, wrapped) VALUES ($1, $2)`,
		sessionID, wrapped)
	return err
}

// DataKey returns the wrapped key, idv.ErrNotFound once erased.
func (t *tx) DataKey(ctx context.Context, sessionID string) ([]byte, error) {
	var k []byte
	err := t.queryRow(ctx, `SELECT wrapped FROM data_keys WHERE session_id = $1`, sessionID).Scan(&k)
	return k, mapErr("read data key", err)
}

// DeleteDataKey deletes the key row. Deleting an absent key is not an error.
func (t *tx) DeleteDataKey(ctx context.Context, sessionID string) error {
	err := t.write(ctx, "delete data key", `DELETE FROM data_keys WHERE session_id = $1`, sessionID)
	return err
}

// AppendEvents adds events to their sessions' timelines.
func (t *tx) AppendEvents(ctx context.Context, events ...idv.Event) error {
	for _, e := range events {
		err := t.write(ctx, "append event", `INSERT INTO events (id, session_id, type, source, sealed_payload, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			e.ID, e.SessionID, e.Type, string(e.Source), e.SealedPayload, ts(e.CreatedAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// CountEvents counts a session's events from source (index events_source).
func (t *tx) CountEvents(ctx context.Context, sessionID string, source idv.EventSource) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM events WHERE session_id = $1 AND source = $2`,
		sessionID, string(source)).Scan(&n)
	return n, mapErr("count events", err)
}

// EnqueueOutbox adds webhook messages and their deliveries.
func (t *tx) EnqueueOutbox(ctx context.Context, msgs ...idv.OutboxMessage) error {
	for _, m := range msgs {
		// One statement: the outbox row, then its deliveries to every
		// matching endpoint (a data-modifying WITH runs even when no
		// endpoint matches).
		err := t.write(ctx, "enqueue outbox", `WITH message AS (
			INSERT INTO outbox (id, session_id, event_type, payload,
				sandbox, created_at, attempts, next_attempt_at, delivered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id)
		`+fanOutInsert+` FROM webhook_endpoints e, message
		WHERE e.sandbox = $5::boolean AND e.enabled AND (e.event_types = '' OR strpos(e.event_types, ' ' || $3::text || ' ') > 0)
		ORDER BY e.created_at, e.id`,
			m.ID, m.SessionID, m.EventType, nonNil(m.Payload), m.Sandbox, ts(m.CreatedAt),
			m.Attempts, ts(m.NextAttemptAt), tsPtr(m.DeliveredAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// NotifySession publishes the id to subscribers once the transaction has
// committed: by default it is queued and sent right after commit; with
// WithNotifyInTransaction pg_notify runs in the transaction and PostgreSQL
// delivers it on commit.
func (t *tx) NotifySession(ctx context.Context, sessionID string) error {
	if t.notifyInTx {
		return t.write(ctx, "notify", `SELECT pg_notify($1, $2)`, t.channel, sessionID)
	}
	t.notices = append(t.notices, sessionID)
	return nil
}

// CreateAPIKey stores k; a duplicate id or hash is a CodeConflict.
func (t *tx) CreateAPIKey(ctx context.Context, k idv.APIKey) error {
	err := t.write(ctx, "create api key", `INSERT INTO api_keys (id, kind, sandbox, hash, hint, created_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, string(k.Kind), k.Sandbox, nonNil(k.Hash), k.Hint, ts(k.CreatedAt), tsPtr(k.RevokedAt))
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
		rec.Scope, rec.RequestHash, rec.Status, rec.Body, ts(rec.CreatedAt))
	if err != nil {
		return idv.IdempotencyRecord{}, false, err
	}
	if n == 1 {
		rec.CreatedAt = ts(rec.CreatedAt)
		return rec, true, nil
	}
	var got idv.IdempotencyRecord
	err = t.queryRow(ctx, `SELECT scope, request_hash, status, body, created_at FROM idempotency
		WHERE scope = $1`, rec.Scope).Scan(&got.Scope, &got.RequestHash, &got.Status, &got.Body, &got.CreatedAt)
	if err != nil {
		return idv.IdempotencyRecord{}, false, mapErr("read idempotent", err)
	}
	got.CreatedAt = got.CreatedAt.UTC()
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
	err := t.write(ctx, "delete idempotent", `DELETE FROM idempotency WHERE scope = $1`, scope)
	return err
}

// PurgeIdempotentBefore deletes records created before tm.
func (t *tx) PurgeIdempotentBefore(ctx context.Context, tm time.Time) error {
	err := t.write(ctx, "purge idempotent", `DELETE FROM idempotency WHERE created_at < $1`, ts(tm))
	return err
}
