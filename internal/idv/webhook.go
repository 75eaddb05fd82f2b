package idv

import (
	"context"
	"slices"
	"time"
)

// WebhookAuthenticationDone is the event type of a 1:1 authentication; its
// data is an AuthenticationResult. Session events (session.*, decision.*)
// carry {"session_id", "status", "step"?}.
const WebhookAuthenticationDone = "authentication.completed"

// webhookEventTypes is the catalogue of event types an endpoint may
// subscribe to, sorted once.
var webhookEventTypes = func() []string {
	types := []string{
		"session.created", "session.consent.accepted", "session.consent.rejected",
		"session.id_document.accepted", "session.id_document.rejected",
		"session.liveness.accepted", "session.liveness.rejected",
		"session.poa.accepted", "session.poa.rejected",
		"session.pof.accepted", "session.pof.rejected",
		"session.phone.verified", "session.phone.failed",
		"session.email.verified", "session.email.failed",
		"session.completed", "session.canceled", "session.expired",
		"decision.approved", "decision.rejected", "decision.review",
		WebhookAuthenticationDone,
	}
	slices.Sort(types)
	return types
}()

// WebhookEventTypes returns the catalogue of event types an endpoint may
// subscribe to, sorted (a copy).
func WebhookEventTypes() []string { return slices.Clone(webhookEventTypes) }

// IsWebhookEventType reports whether t is in the catalogue.
func IsWebhookEventType(t string) bool {
	_, found := slices.BinarySearch(webhookEventTypes, t)
	return found
}

// WebhookEndpoint is a URL that receives webhooks of one mode (sandbox or
// live). The secrets are sealed: WrappedKey is a data key wrapped by the
// master key and bound to the endpoint id, SealedSecrets the secrets sealed
// with it (see internal/whsecret).
type WebhookEndpoint struct {
	ID         string
	Sandbox    bool
	URL        string
	EventTypes []string // empty: every event
	Enabled    bool
	// DisabledReason says why the server disabled the endpoint ("410 Gone",
	// "failing for 5 days"); empty when enabled or disabled by the user.
	DisabledReason string
	// FailingSince is the first failed attempt since the last success.
	FailingSince  *time.Time
	WrappedKey    []byte
	SealedSecrets []byte
	Source        string // "api" or "config"
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// The sources of an endpoint.
const (
	EndpointFromAPI    = "api"
	EndpointFromConfig = "config"
)

// Wants reports whether the endpoint subscribes to eventType.
func (e WebhookEndpoint) Wants(eventType string) bool {
	return len(e.EventTypes) == 0 || slices.Contains(e.EventTypes, eventType)
}

// DeliveryState is where a delivery stands.
type DeliveryState string

// The delivery states.
const (
	DeliveryPending   DeliveryState = "pending"   // waiting for its next attempt
	DeliveryDelivered DeliveryState = "delivered" // a 2xx answer was received
	DeliveryFailed    DeliveryState = "failed"    // the retry schedule is exhausted, or the endpoint is gone
)

// WebhookDelivery is one outbox message to one endpoint: the delivery log.
// Stores create it in EnqueueOutbox for every enabled endpoint of the
// message's mode that wants its type.
type WebhookDelivery struct {
	ID         string
	MessageID  string // the webhook-id
	EndpointID string
	SessionID  string
	EventType  string
	State      DeliveryState
	// Attempts counts every recorded attempt; RoundAttempts those since the
	// delivery was created or last replayed, which index the retry schedule.
	Attempts      int
	RoundAttempts int
	NextAttemptAt time.Time
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   *time.Time
	AttemptLog    []WebhookAttempt // filled by WebhookDeliveries, oldest first
}

// WebhookAttempt is one HTTP attempt of a delivery.
type WebhookAttempt struct {
	DeliveryID string
	N          int // 1, 2, … over the delivery's life
	StartedAt  time.Time
	Latency    time.Duration
	StatusCode int    // 0 when no answer came
	Response   string // the first 2 KB of the answer, valid UTF-8
	Error      string // the network error, or why the answer is a failure
}

// ClaimedDelivery is a delivery leased to one dispatcher for one attempt.
type ClaimedDelivery struct {
	Delivery WebhookDelivery
	Claim    string // fences FinishWebhookAttempts against a stale lease
	Payload  []byte // the exact body to send
	Endpoint WebhookEndpoint
}

// ClaimRequest says which due deliveries ClaimWebhookDeliveries leases.
type ClaimRequest struct {
	Now        time.Time
	LeaseUntil time.Time
	// Limit bounds the deliveries claimed in all.
	Limit int
	// PerEndpoint, when positive, bounds the deliveries of one endpoint
	// that the caller holds: of an endpoint, at most PerEndpoint minus
	// Held[endpoint ID] are claimed, so that a slow endpoint whose
	// deliveries pile up never fills a claim meant for the others.
	PerEndpoint int
	Held        map[string]int
}

// AttemptResult is the outcome of one attempt, applied by
// FinishWebhookAttempts when the claim is still held.
type AttemptResult struct {
	DeliveryID    string
	Claim         string
	Attempt       WebhookAttempt
	State         DeliveryState
	NextAttemptAt time.Time // when State is pending
	EndpointID    string
	// Success clears the endpoint's FailingSince. Otherwise FailingSince is
	// set (if unset) to the attempt's start, and the endpoint is disabled
	// with Disable as reason when Disable is set, or with "failing for 5
	// days"-style FailingReason when it has been failing since before
	// FailingCutoff.
	Success       bool
	Disable       string
	FailingCutoff time.Time
	FailingReason string
}

// DeliveryQuery selects deliveries for the log: by endpoint or by session,
// newest first.
type DeliveryQuery struct {
	EndpointID string
	SessionID  string
	Limit      int
}

// WebhookStore is the webhook part of Store.
type WebhookStore interface {
	// CreateWebhookEndpoint stores e; the same URL twice in one mode is a
	// CodeConflict.
	CreateWebhookEndpoint(ctx context.Context, e WebhookEndpoint) error
	// WebhookEndpoint reads one endpoint, ErrNotFound when unknown.
	WebhookEndpoint(ctx context.Context, id string) (WebhookEndpoint, error)
	// WebhookEndpoints lists the endpoints of a mode, oldest first.
	WebhookEndpoints(ctx context.Context, sandbox bool) ([]WebhookEndpoint, error)
	// UpdateWebhookEndpoint replaces every field of the stored endpoint.
	UpdateWebhookEndpoint(ctx context.Context, e WebhookEndpoint) error
	// DeleteWebhookEndpoint removes an endpoint with its deliveries.
	DeleteWebhookEndpoint(ctx context.Context, id string) error

	// ClaimWebhookDeliveries leases pending deliveries due at r.Now (of
	// enabled endpoints), oldest first, within r's limits, until
	// r.LeaseUntil: another claim (on any replica) does not see them before
	// then. They come back in creation order.
	ClaimWebhookDeliveries(ctx context.Context, r ClaimRequest) ([]ClaimedDelivery, error)
	// FinishWebhookAttempts records attempts and their effects in one
	// transaction; a result whose claim was lost is dropped.
	FinishWebhookAttempts(ctx context.Context, results []AttemptResult) error
	// ReleaseWebhookClaims makes claimed deliveries due again at now
	// without recording an attempt (a dispatcher shutting down); a lease
	// already lost is left alone.
	ReleaseWebhookClaims(ctx context.Context, claims []ClaimedDelivery, now time.Time) error
	// WebhookDeliveries lists deliveries with their attempts.
	WebhookDeliveries(ctx context.Context, q DeliveryQuery) ([]WebhookDelivery, error)
	// WebhookDelivery reads one delivery (without attempts).
	WebhookDelivery(ctx context.Context, id string) (WebhookDelivery, error)
	// ReplayWebhookDelivery makes a delivery pending again, due at now, with
	// a fresh retry schedule.
	ReplayWebhookDelivery(ctx context.Context, id string, now time.Time) error
	// RecoverWebhookDeliveries replays the endpoint's failed deliveries
	// created at or after since, and returns how many.
	RecoverWebhookDeliveries(ctx context.Context, endpointID string, since, now time.Time) (int, error)
}
