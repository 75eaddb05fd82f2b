package idv

import "time"

// KeyKind is the power of an API key.
type KeyKind string

// The key kinds.
const (
	KeyPrivate KeyKind = "private" // server side: everything
	KeyPublic  KeyKind = "public"  // front end: create sessions and applicant calls
)

// APIKey is a stored API key. Only a hash of the secret is kept.
type APIKey struct {
	ID        string
	Kind      KeyKind
	Sandbox   bool
	Hash      []byte // SHA-256 of the whole key string
	Hint      string // the prefix and last characters, for display
	CreatedAt time.Time
	RevokedAt *time.Time
}

// IdempotencyRecord remembers the answer to a POST sent with an
// Idempotency-Key, scoped by the caller.
type IdempotencyRecord struct {
	Scope       string // caller identity (key id or session id) + ":" + Idempotency-Key
	RequestHash []byte // SHA-256 of method, path and body
	Status      int    // 0 while the first request is still running
	Body        []byte
	CreatedAt   time.Time
}
