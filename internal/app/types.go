// Package app holds OpenIDV's use cases. It owns transactions: every state
// change loads the session, runs the pure flow engine, and commits the new
// state, its timeline events, its outbox messages and a change notice in
// one Store transaction. It knows no HTTP and no SQL.
package app

import (
	"encoding/json"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// PrincipalKind says how a caller authenticated.
type PrincipalKind string

// The principal kinds.
const (
	PrincipalPrivateKey  PrincipalKind = "private_key"
	PrincipalPublicKey   PrincipalKind = "public_key"
	PrincipalClientToken PrincipalKind = "client_token"
)

// Principal is an authenticated caller.
type Principal struct {
	Kind      PrincipalKind
	KeyID     string // API key id; empty for a client token
	SessionID string // the only session a client token may touch
	Sandbox   bool

	// read is the session as AuthenticateSession read it to check a client
	// token. A read-only call made with this principal reuses it rather than
	// reading the session again, so a principal from AuthenticateSession
	// belongs to one request (see Detached).
	read *idv.Session
}

// Detached returns p without the session read while authenticating it, for
// a caller that keeps a principal across requests: its reads then always
// see the stored session.
func (p Principal) Detached() Principal {
	p.read = nil
	return p
}

// CanReadPersonalData reports whether results and personal data may be shown.
func (p Principal) CanReadPersonalData() bool { return p.Kind == PrincipalPrivateKey }

// NewSession is the input of CreateSession. Empty strings mean absent.
type NewSession struct {
	KYCLevel   string
	Applicant  idv.Applicant // UniqueID, names, email, phone (raw; validated and normalised by app)
	Locale     string        // i18n
	ReturnURL  string
	GenerateQR bool
}

// CreatedSession is the result of CreateSession. URLs are built by the HTTP
// layer from the ids and token.
type CreatedSession struct {
	SessionID   string
	ClientToken string // shown once; only its hash is stored
	ExpiresAt   time.Time
	Preflight   idv.Preflight
}

// SessionUpdate is the input of UpdateSession; nil fields are unchanged.
type SessionUpdate struct {
	FirstName    *string
	LastName     *string
	EmailAddress *string
	PhoneNumber  *string
	PhoneCountry *string
	VendorData   *string
	Locale       *string
	ReturnURL    *string
}

// SessionView is what GET /v1/sessions/{id} shows. Applicant is nil unless
// the principal may read personal data.
type SessionView struct {
	SessionID       string
	Status          idv.SessionStatus
	KYCLevel        string
	LevelVersion    string
	Sandbox         bool
	Steps           []idv.StepState
	Applicant       *idv.Applicant
	WebSDKReturnURL string
	Locale          string // i18n; not personal data, shown to client tokens
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ExpiresAt       time.Time
}

// SDKEvent is one event reported by a client (`{"type": …, "payload": {…}}`).
type SDKEvent struct {
	Type    string
	Payload json.RawMessage
}

// EventView is one timeline entry as shown to callers.
type EventView struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Source    idv.EventSource `json:"source"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
}
