package idv

import (
	"slices"
	"strings"
)

// The timeline vocabulary. A session's timeline holds two kinds of events:
//
//   - SDK events (source "sdk"), reported by the applicant's client, always
//     of SDKEventTypes;
//   - server events (source "server"), of ServerEventTypes: the seed's
//     name where the seed has one (otpSuccess, otpFailure, attemptFailed),
//     every session webhook of the catalogue under its own type, written
//     in the same transaction as the webhook, and a few timeline-only
//     names.
//
// docs/events.md documents every type; a test keeps them in step.

// The server event types that are seed names.
const (
	TimelineOTPSuccess    = "otpSuccess"    // a right one-time code
	TimelineOTPFailure    = "otpFailure"    // the last allowed wrong code: the step failed
	TimelineAttemptFailed = "attemptFailed" // a wrong code with attempts left
)

// The timeline-only server event types (no webhook).
const (
	TimelinePhoneCodeSent = "session.phone.code_sent" // a phone code was sent
	TimelineEmailCodeSent = "session.email.code_sent" // an email code was sent
	TimelineUpdated       = "session.updated"         // the integrator changed the session
	TimelineErased        = "session.erased"          // the session's personal data was erased
)

// serverEventTypes is every server event type, sorted once.
var serverEventTypes = func() []string {
	types := []string{
		TimelineOTPSuccess, TimelineOTPFailure, TimelineAttemptFailed,
		TimelinePhoneCodeSent, TimelineEmailCodeSent, TimelineUpdated, TimelineErased,
	}
	for _, t := range webhookEventTypes {
		if IsSessionWebhookType(t) {
			types = append(types, t)
		}
	}
	slices.Sort(types)
	return types
}()

// ServerEventTypes returns every type the server writes to timelines,
// sorted (a copy).
func ServerEventTypes() []string { return slices.Clone(serverEventTypes) }

// IsServerEventType reports whether the server may write t to a timeline.
func IsServerEventType(t string) bool {
	_, found := slices.BinarySearch(serverEventTypes, t)
	return found
}

// IsSessionWebhookType reports whether t is a webhook type about one
// session (session.*), which the timeline records under the same type.
func IsSessionWebhookType(t string) bool {
	return strings.HasPrefix(t, "session.") && IsWebhookEventType(t)
}
