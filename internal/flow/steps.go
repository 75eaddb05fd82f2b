package flow

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// The limits of one-time-code steps. They are constants of the engine, not
// settings: a resend never resets the count of wrong codes.
const (
	// ResendInterval is the least time between two codes sent for one step.
	ResendInterval = 30 * time.Second
	// MaxSends is the most codes that can be sent for one step.
	MaxSends = 5
	// DefaultMaxAttempts is the number of attempts (wrong codes for an OTP
	// step) a step allows when its level does not say.
	DefaultMaxAttempts = 3
	// MaxMaxAttempts is the largest max_attempts a level may set.
	MaxMaxAttempts = 10
)

// stepInfo is what the engine knows about one step kind.
type stepInfo struct {
	requirement string     // requirement.requirement_type of the preflight payload
	screen      idv.Screen // screen.show while the step is current
	webhookTag  string     // session.<tag>.<outcome> webhook names
	passed      string     // outcome name when the step passes
	failed      string     // outcome name when the step fails for good
	otp         bool       // the step is a one-time-code challenge
	implemented bool       // a session can pass the step
}

// info returns the description of k; ok is false for an unknown kind.
func info(k idv.StepKind) (stepInfo, bool) {
	switch k {
	case idv.StepConsent:
		return stepInfo{"consent", idv.ScreenConsent, "consent", "accepted", "rejected", false, true}, true
	case idv.StepIDDocument:
		return stepInfo{"identity_document", idv.ScreenIDDocumentFront, "id_document", "accepted", "rejected", false, false}, true
	case idv.StepLiveness:
		return stepInfo{"liveness", idv.ScreenLiveness, "liveness", "accepted", "rejected", false, false}, true
	case idv.StepProofOfAddress:
		return stepInfo{"proof_of_address", idv.ScreenProofOfAddress, "poa", "accepted", "rejected", false, false}, true
	case idv.StepProofOfFunds:
		return stepInfo{"proof_of_funds", idv.ScreenProofOfFunds, "pof", "accepted", "rejected", false, false}, true
	case idv.StepPhone:
		return stepInfo{"phone_verification", idv.ScreenPhoneStart, "phone", "verified", "failed", true, true}, true
	case idv.StepEmail:
		return stepInfo{"email_verification", idv.ScreenEmailStart, "email", "verified", "failed", true, true}, true
	case idv.StepNFC:
		return stepInfo{"nfc", idv.ScreenNFCCapture, "nfc", "accepted", "rejected", false, false}, true
	case idv.StepVideoCall:
		return stepInfo{"video_call", idv.ScreenVideoCall, "video_call", "accepted", "rejected", false, false}, true
	}
	return stepInfo{}, false
}

// Implemented reports whether a session can pass a step of kind k today.
// Steps that are not implemented yet compile in levels and are shown by the
// preflight, but every input for them is refused.
func Implemented(k idv.StepKind) bool {
	i, _ := info(k)
	return i.implemented
}

// IsOTP reports whether k is a one-time-code step (phone, email).
func IsOTP(k idv.StepKind) bool {
	i, _ := info(k)
	return i.otp
}

// RequirementType returns the preflight requirement_type of k
// (identity_document for id_document, phone_verification for phone, …), or
// "" for an unknown kind.
func RequirementType(k idv.StepKind) string {
	i, _ := info(k)
	return i.requirement
}

// StepScreen returns the screen shown while a step of kind k is current
// (scan_id_document_front_screen for id_document, …), or "" for an unknown
// kind. Media uploads name it as their app_screen.
func StepScreen(k idv.StepKind) idv.Screen {
	i, _ := info(k)
	return i.screen
}

// defaultMaxAttempts returns the attempts a step of kind k allows when its
// level does not say: consent is answered once.
func defaultMaxAttempts(k idv.StepKind) int {
	if k == idv.StepConsent {
		return 1
	}
	return DefaultMaxAttempts
}
