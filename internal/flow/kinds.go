package flow

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// Limits shared by every step kind.
const (
	// DefaultMaxAttempts is the number of attempts (wrong codes for an OTP
	// step) a step allows when its level does not say.
	DefaultMaxAttempts = 3
	// MaxMaxAttempts is the largest max_attempts a level may set.
	MaxMaxAttempts = 10
)

// stepKind is everything the engine knows about one kind of step. Each
// kind family lives in its own file (consent.go, otp.go, document.go,
// liveness.go, proof.go, nfc.go, videocall.go); kindOf is the registry.
type stepKind interface {
	// info describes the kind: preflight names, webhook names, settings.
	info() kindInfo
	// advance applies in, an input addressed to the session's step i (of
	// this kind), through r. It returns the answer for the caller; it
	// changes the state only through r.
	advance(r *recorder, i int, in stepInput, now time.Time) error
	// parameters adds the kind's settings to screen.parameters while a
	// step of this kind is current.
	parameters(p map[string]any, step idv.StepState, now time.Time)
}

// kindInfo describes one step kind.
type kindInfo struct {
	requirement  string     // requirement.requirement_type of the preflight payload
	screen       idv.Screen // screen.show while the step is current
	webhookTag   string     // session.<tag>.<outcome> webhook names
	passed       string     // outcome name when the step passes
	failed       string     // outcome name when the step fails for good
	otp          bool       // the step is a one-time-code challenge
	implemented  bool       // a session can pass the step
	answeredOnce bool       // one attempt only: max_attempts is 1, the preflight shows no attempts
	displayText  bool       // a level may set the screen's title and text
}

// outcome names the webhook (and timeline entry) of a step that passed
// or failed for good: session.<tag>.<passed|failed>.
func (i kindInfo) outcome(passed bool) string {
	if passed {
		return "session." + i.webhookTag + "." + i.passed
	}
	return "session." + i.webhookTag + "." + i.failed
}

// kindOf is the registry of step kinds: it returns the kind k, and false
// for an unknown kind. Every idv.StepKinds entry has one (a test checks).
func kindOf(k idv.StepKind) (stepKind, bool) {
	switch k {
	case idv.StepConsent:
		return consentKind{}, true
	case idv.StepIDDocument:
		return documentKind{}, true
	case idv.StepLiveness:
		return livenessKind{}, true
	case idv.StepProofOfAddress, idv.StepProofOfFunds:
		return proofKind{kind: k}, true
	case idv.StepPhone, idv.StepEmail:
		return otpKind{kind: k}, true
	case idv.StepNFC:
		return nfcKind{}, true
	case idv.StepVideoCall:
		return videoCallKind{}, true
	}
	return nil, false
}

// infoOf returns the description of k; ok is false for an unknown kind.
func infoOf(k idv.StepKind) (kindInfo, bool) {
	kind, ok := kindOf(k)
	if !ok {
		return kindInfo{}, false
	}
	return kind.info(), true
}

// Implemented reports whether a session can pass a step of kind k today.
// Steps that are not implemented yet compile in levels and are shown by the
// preflight, but every input for them is refused.
func Implemented(k idv.StepKind) bool {
	i, _ := infoOf(k)
	return i.implemented
}

// IsOTP reports whether k is a one-time-code step (phone, email).
func IsOTP(k idv.StepKind) bool {
	i, _ := infoOf(k)
	return i.otp
}

// RequirementType returns the preflight requirement_type of k
// (identity_document for id_document, phone_verification for phone, …), or
// "" for an unknown kind.
func RequirementType(k idv.StepKind) string {
	i, _ := infoOf(k)
	return i.requirement
}

// StepScreen returns the screen shown while a step of kind k is current
// (scan_id_document_front_screen for id_document, …), or "" for an unknown
// kind. Media uploads name it as their app_screen.
func StepScreen(k idv.StepKind) idv.Screen {
	i, _ := infoOf(k)
	return i.screen
}

// answeredOnce reports whether a step of kind k takes one answer only
// (consent): its max_attempts is 1 and the preflight shows no attempts.
func answeredOnce(k idv.StepKind) bool {
	i, _ := infoOf(k)
	return i.answeredOnce
}

// defaultMaxAttempts returns the attempts a step of kind k allows when its
// level does not say: a step answered once allows one.
func defaultMaxAttempts(k idv.StepKind) int {
	if answeredOnce(k) {
		return 1
	}
	return DefaultMaxAttempts
}

// toStep hands an input addressed to one step to that step's kind.
func (r *recorder) toStep(in stepInput, now time.Time) error {
	k := in.stepKind()
	i := r.st.find(k)
	if i < 0 {
		return idv.Errorf(idv.CodeInvalid, "This session's level has no %s step.", k)
	}
	kind, ok := kindOf(k)
	if !ok {
		return idv.Errorf(idv.CodeInternal, "flow: the session has a step of unknown kind %q", k)
	}
	return kind.advance(r, i, in, now)
}

// ready returns nil when the step i can take input now: it has not passed
// and it is the current step. Otherwise it returns the error and nothing
// changes.
func (r *recorder) ready(i int) error {
	k := r.st.Steps[i].Kind
	if r.st.Steps[i].Status == idv.StepPassed {
		return idv.Errorf(idv.CodeConflict, "The %s step has already passed.", k)
	}
	if cur := r.st.current(); cur != i {
		c := r.st.Steps[cur].Kind
		if !Implemented(c) {
			return idv.Errorf(idv.CodeConflict, "The current step is %s, which is not available yet; %s cannot start.", c, k)
		}
		return idv.Errorf(idv.CodeConflict, "The current step is %s; finish it before %s.", c, k)
	}
	return nil
}

// refused is the answer to an input that a step of kind k never takes.
func refused(k idv.StepKind, in stepInput) error {
	switch in.(type) {
	case CodeIssued, CodeChecked:
		return idv.Errorf(idv.CodeInvalid, "The %s step does not take one-time codes.", k)
	case MediaReceived:
		return idv.Errorf(idv.CodeInvalid, "The %s step does not take media.", k)
	}
	return idv.Errorf(idv.CodeInvalid, "The %s step does not take this input.", k)
}

// notYet is embedded by the kinds that are not implemented yet: it is
// their advance, which refuses every input.
type notYet struct{}

// advance answers with unavailable for the input's step kind (toStep has
// found a step of that kind at i).
func (notYet) advance(_ *recorder, _ int, in stepInput, _ time.Time) error {
	return unavailable(in.stepKind(), in)
}

// unavailable is the answer of a kind that is not implemented yet: inputs
// it will never take are refused as such, any other is not available yet.
func unavailable(k idv.StepKind, in stepInput) error {
	switch in.(type) {
	case CodeIssued, CodeChecked:
		return refused(k, in)
	}
	return idv.Errorf(idv.CodeInvalid, "The %s step is not available yet.", k)
}
