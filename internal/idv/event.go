package idv

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// EventSource says who recorded a timeline event.
type EventSource string

// The event sources.
const (
	SourceSDK    EventSource = "sdk"    // reported by the applicant's client
	SourceServer EventSource = "server" // recorded by a server check
)

// Event is one entry of a session's timeline. Type is one of the names of
// SDK event types (docs/contracts.md) or a server event (session.created, ...). The
// payload is sealed with the session data key because SDK payloads may carry
// personal data.
type Event struct {
	// Seq is the store's insertion sequence, set when read back; with
	// CreatedAt it orders the timeline and makes its page cursor.
	Seq           int64
	ID            string
	SessionID     string
	Type          string
	Source        EventSource
	SealedPayload []byte
	CreatedAt     time.Time
}

// EventCursor is a position in a session's timeline: the (CreatedAt, Seq)
// of the last event of the page already read. The zero cursor is the start.
type EventCursor struct {
	CreatedAt time.Time
	Seq       int64
}

// IsZero reports whether c is the start of the timeline.
func (c EventCursor) IsZero() bool { return c.Seq == 0 && c.CreatedAt.IsZero() }

// CursorAfter returns the cursor that follows e.
func CursorAfter(e Event) EventCursor { return EventCursor{CreatedAt: e.CreatedAt, Seq: e.Seq} }

// String encodes c as an opaque URL-safe token.
func (c EventCursor) String() string {
	raw := strconv.FormatInt(c.CreatedAt.UnixMicro(), 36) + "." + strconv.FormatInt(c.Seq, 36)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// ParseEventCursor decodes a token made by EventCursor.String; ok is false
// for anything else.
func ParseEventCursor(token string) (c EventCursor, ok bool) {
	if token == "" || len(token) > 64 {
		return EventCursor{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return EventCursor{}, false
	}
	at, seq, found := strings.Cut(string(raw), ".")
	if !found {
		return EventCursor{}, false
	}
	micros, err1 := strconv.ParseInt(at, 36, 64)
	n, err2 := strconv.ParseInt(seq, 36, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return EventCursor{}, false
	}
	return EventCursor{CreatedAt: time.UnixMicro(micros).UTC(), Seq: n}, true
}

// OutboxMessage is a webhook waiting to be delivered, written in the same
// transaction as the change it reports. Payload is the JSON body; it holds
// identifiers and statuses, never personal data. Delivery is tracked per
// endpoint (WebhookDelivery, created with the message); NextAttemptAt is
// when its deliveries are first due, and Attempts and DeliveredAt are kept
// only for the stored row's shape.
type OutboxMessage struct {
	ID            string // also the webhook-id and Idempotency-Key
	SessionID     string
	EventType     string // session.created, session.phone.verified, ...
	Payload       []byte
	Sandbox       bool
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	DeliveredAt   *time.Time
}
