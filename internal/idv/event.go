package idv

import "time"

// EventSource says who recorded a timeline event.
type EventSource string

// The event sources.
const (
	SourceSDK    EventSource = "sdk"    // reported by the applicant's client
	SourceServer EventSource = "server" // recorded by a server check
)

// Event is one entry of a session's timeline. Type is one of the names of
// `sdk-event-types.txt` or a server event (session.created, ...). The
// payload is sealed with the session data key because SDK payloads may carry
// personal data.
type Event struct {
	ID            string
	SessionID     string
	Type          string
	Source        EventSource
	SealedPayload []byte
	CreatedAt     time.Time
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
