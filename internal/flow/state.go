package flow

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// State is the part of a session the engine reads and writes. The caller
// copies it from and back to idv.Session (see FromSession and ApplyTo).
type State struct {
	SessionID string
	Status    idv.SessionStatus
	Steps     []idv.StepState
	ExpiresAt time.Time
	ReturnURL string
}

// FromSession returns the engine state of a stored session.
func FromSession(s idv.Session) State {
	return State{
		SessionID: s.ID,
		Status:    s.Status,
		Steps:     idv.CloneSteps(s.Steps),
		ExpiresAt: s.ExpiresAt,
		ReturnURL: s.ReturnURL,
	}
}

// ApplyTo copies the engine's part of st (Status and Steps) into sess and
// sets sess.UpdatedAt to now. ID, ExpiresAt and ReturnURL are not changed by
// the engine and are left alone.
func (st State) ApplyTo(sess *idv.Session, now time.Time) {
	sess.Status = st.Status
	sess.Steps = idv.CloneSteps(st.Steps)
	sess.UpdatedAt = now
}

// Input is one event that moves a session: ConsentGiven, CodeIssued,
// CodeChecked, MediaReceived, Cancel or Expire. The set is closed.
type Input interface{ isInput() }

// stepInput is an input addressed to one step of the session; Advance
// hands it to that step's kind (see kindOf).
type stepInput interface {
	Input
	stepKind() idv.StepKind
}

// ConsentGiven is the applicant's answer on the consent screen.
type ConsentGiven struct {
	Accepted bool
}

// CodeIssued says that the caller made a new one-time code for an OTP step
// (phone or email) and wants to send it. CodeMAC is the keyed MAC of the code
// (the code itself never enters the engine), TTL how long it stays valid.
// The engine refuses a resend that comes too early or too often with
// CodeRateLimited wrapping a *RetryAfter; the caller sends the code only
// when Advance accepts it. A resend never resets the count of wrong codes.
type CodeIssued struct {
	Step    idv.StepKind
	CodeMAC []byte
	TTL     time.Duration
}

// CodeChecked carries the result of comparing a submitted code, in constant
// time, with the step's OTP.CodeMAC. The caller compares; the engine counts.
type CodeChecked struct {
	Step    idv.StepKind
	Correct bool
}

// MediaReceived says that the caller stored an upload (a photo or a
// document, MediaID) for the step of kind Step and wants it checked. No
// step kind takes media yet: consent, phone and email refuse it with
// CodeInvalid ("does not take media"), the evidence steps answer that they
// are not available yet.
type MediaReceived struct {
	Step    idv.StepKind
	MediaID string
}

// Cancel ends the session at the integrator's request.
type Cancel struct{}

// Expire ends the session as expired, whatever its ExpiresAt (the sweeper
// sends it for sessions past their expiry). Any other input that arrives
// after ExpiresAt expires the session first on its own.
type Expire struct{}

func (ConsentGiven) isInput()  {}
func (CodeIssued) isInput()    {}
func (CodeChecked) isInput()   {}
func (MediaReceived) isInput() {}
func (Cancel) isInput()        {}
func (Expire) isInput()        {}

func (ConsentGiven) stepKind() idv.StepKind     { return idv.StepConsent }
func (in CodeIssued) stepKind() idv.StepKind    { return in.Step }
func (in CodeChecked) stepKind() idv.StepKind   { return in.Step }
func (in MediaReceived) stepKind() idv.StepKind { return in.Step }

// Effect is something the caller must do in the same transaction as the
// state change: TimelineEvent or WebhookEvent. The set is closed. Effects
// carry identifiers and statuses only, never personal data.
type Effect interface{ isEffect() }

// TimelineEvent is an entry to append to the session's timeline. Type is
// one of idv.ServerEventTypes (docs/events.md): an SDK event name
// (otpSuccess, otpFailure, attemptFailed), a session webhook type (session.phone.verified, …) or a
// timeline-only name (session.phone.code_sent). Payload is a JSON object.
type TimelineEvent struct {
	Type    string
	Source  idv.EventSource
	Payload json.RawMessage
}

// WebhookEvent is a webhook to enqueue in the outbox. Type is a webhook
// event name (docs/webhooks.md); Payload is the JSON `data` object:
// {"session_id", "status", "step"?}.
type WebhookEvent struct {
	Type    string
	Payload json.RawMessage
}

func (TimelineEvent) isEffect() {}
func (WebhookEvent) isEffect()  {}

// Start returns the state of a new session of level, expiring ttl after
// now, and its effects: a `session.created` timeline entry and webhook.
// Steps get flow orders 100, 200, … in level order.
func Start(sessionID string, level idv.Level, now time.Time, ttl time.Duration, returnURL string) (State, []Effect) {
	st := State{
		SessionID: sessionID,
		Status:    idv.StatusInProgress,
		Steps:     make([]idv.StepState, len(level.Steps)),
		ExpiresAt: now.Add(ttl),
		ReturnURL: returnURL,
	}
	for i, ls := range level.Steps {
		maxAttempts := ls.MaxAttempts
		if maxAttempts <= 0 {
			maxAttempts = defaultMaxAttempts(ls.Kind)
		}
		st.Steps[i] = idv.StepState{
			Kind:        ls.Kind,
			Status:      idv.StepPending,
			FlowOrder:   100 * (i + 1),
			MaxAttempts: maxAttempts,
			UpdatedAt:   now,
		}
	}
	r := recorder{st: &st}
	r.both("session.created", "")
	if len(st.Steps) == 0 {
		r.complete()
	}
	return st, r.effects
}

// current returns the index of the first step that has not passed, or -1
// when every step passed.
func (st State) current() int {
	for i, s := range st.Steps {
		if s.Status != idv.StepPassed {
			return i
		}
	}
	return -1
}

// find returns the index of the step of kind k, or -1.
func (st State) find(k idv.StepKind) int {
	return slices.IndexFunc(st.Steps, func(s idv.StepState) bool { return s.Kind == k })
}

// recorder collects the effects of one transition.
type recorder struct {
	st      *State
	effects []Effect
}

// timeline appends a server timeline entry; fields are the payload.
func (r *recorder) timeline(typ string, fields map[string]any) {
	payload := map[string]any{}
	for k, v := range fields {
		payload[k] = v
	}
	r.effects = append(r.effects, TimelineEvent{Type: typ, Source: idv.SourceServer, Payload: mustJSON(payload)})
}

// both sends a webhook about the session, optionally a step, and records
// it in the timeline under the same type: every webhook sent about a
// session shows in its timeline.
func (r *recorder) both(typ string, step idv.StepKind) {
	fields := map[string]any{}
	if step != "" {
		fields["step"] = step
	}
	r.timeline(typ, fields)
	data := map[string]any{"session_id": r.st.SessionID, "status": r.st.Status}
	if step != "" {
		data["step"] = step
	}
	r.effects = append(r.effects, WebhookEvent{Type: typ, Payload: mustJSON(data)})
}

// complete ends the session as completed.
func (r *recorder) complete() {
	r.st.Status = idv.StatusCompleted
	r.both("session.completed", "")
}

// mustJSON encodes maps of strings, numbers and bools, which cannot fail.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("flow: encoding an effect payload: " + err.Error())
	}
	return b
}
