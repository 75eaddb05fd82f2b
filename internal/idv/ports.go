package idv

import (
	"context"
	"time"
)

// Store is the persistence port. SQLite and PostgreSQL implement it, and one
// conformance suite (internal/storetest) runs against both.
//
// Every state change runs inside InTx so that the session row, its timeline
// events, its outbox messages and its change notice commit together.
type Store interface {
	WebhookStore
	JobStore
	EvidenceStore
	// InTx runs fn in one serialisable-enough transaction: rows read with
	// SessionForUpdate stay locked until commit (SQLite: a single writer,
	// BEGIN IMMEDIATE; PostgreSQL: SELECT … FOR UPDATE). fn's error rolls back.
	InTx(ctx context.Context, fn func(Tx) error) error
	// Session reads a session without locking it.
	Session(ctx context.Context, id string) (Session, error)
	// DataKey reads a session's wrapped data key outside a transaction,
	// ErrNotFound once erased.
	DataKey(ctx context.Context, sessionID string) ([]byte, error)
	// Events lists at most limit events of a session's timeline that come
	// after the cursor (the zero cursor: from the start), oldest first, in
	// (CreatedAt, Seq) order, each with its Seq. It reads one page, never
	// the whole timeline.
	Events(ctx context.Context, sessionID string, after EventCursor, limit int) ([]Event, error)
	// APIKeyByHash finds a key by the hash of its secret.
	APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)
	// CountAPIKeys tells whether the first admin key must be made.
	CountAPIKeys(ctx context.Context) (int, error)
	// Subscribe calls fn with the id of every session whose change
	// committed, on any replica sharing the database, until ctx ends.
	Subscribe(ctx context.Context, fn func(sessionID string)) error
	// Ready reports whether the database answers and migrations are applied.
	Ready(ctx context.Context) error
	// Stats returns counts for metrics.
	Stats(ctx context.Context) (StoreStats, error)
	Close() error
}

// StoreStats are gauges read for /metrics.
type StoreStats struct {
	SessionsByStatus map[SessionStatus]int
	// OutboxBacklog counts webhook deliveries not yet delivered (pending).
	OutboxBacklog int
}

// Tx is the set of writes and locked reads available inside Store.InTx.
type Tx interface {
	JobTx
	EvidenceTx
	CreateSession(ctx context.Context, s Session) error
	// SessionForUpdate reads and locks a session for the rest of the tx.
	SessionForUpdate(ctx context.Context, id string) (Session, error)
	// UpdateSession writes s; it fails with CodeConflict when the stored
	// Version is not s.Version-1 (s.Version is the new version).
	UpdateSession(ctx context.Context, s Session) error
	// SessionIDsExpiringBefore returns up to limit in-progress sessions whose
	// ExpiresAt is before t.
	SessionIDsExpiringBefore(ctx context.Context, t time.Time, limit int) ([]string, error)
	// SessionIDsCreatedBefore returns up to limit not-yet-erased sessions
	// created before t (retention).
	SessionIDsCreatedBefore(ctx context.Context, t time.Time, limit int) ([]string, error)

	// PutDataKey stores the session's wrapped data key.
	PutDataKey(ctx context.Context, sessionID string, wrapped []byte) error
	// DataKey returns the wrapped data key, ErrNotFound once erased.
	DataKey(ctx context.Context, sessionID string) ([]byte, error)
	// DeleteDataKey destroys the key: everything sealed with it is unreadable.
	DeleteDataKey(ctx context.Context, sessionID string) error

	AppendEvents(ctx context.Context, events ...Event) error
	// CountEvents counts a session's timeline events from source; called
	// after SessionForUpdate, the count holds until commit.
	CountEvents(ctx context.Context, sessionID string, source EventSource) (int, error)
	// EnqueueOutbox adds webhook messages and, in the same transaction, one
	// pending delivery per enabled endpoint of the message's mode that wants
	// its type.
	EnqueueOutbox(ctx context.Context, msgs ...OutboxMessage) error
	// NotifySession publishes the session id to subscribers after commit.
	NotifySession(ctx context.Context, sessionID string) error

	CreateAPIKey(ctx context.Context, k APIKey) error

	// BeginIdempotent inserts rec if its Scope is new and returns (rec, true);
	// otherwise it returns the stored record and false.
	BeginIdempotent(ctx context.Context, rec IdempotencyRecord) (IdempotencyRecord, bool, error)
	// FinishIdempotent stores the answer for scope.
	FinishIdempotent(ctx context.Context, scope string, status int, body []byte) error
	// DeleteIdempotent forgets scope (the first request failed before answering).
	DeleteIdempotent(ctx context.Context, scope string) error
	// PurgeIdempotentBefore deletes records created before t.
	PurgeIdempotentBefore(ctx context.Context, t time.Time) error
}

// Message is an outgoing one-time-code message.
type Message struct {
	To      string // E.164 number or email address
	Subject string // email only
	Body    string
}

// SMSSender sends a text message to an E.164 number.
type SMSSender interface {
	SendSMS(ctx context.Context, m Message) error
}

// EmailSender sends an email.
type EmailSender interface {
	SendEmail(ctx context.Context, m Message) error
}
