package idv

import (
	"slices"
	"time"
)

// SessionStatus is the lifecycle state of a session.
type SessionStatus string

// The session statuses.
const (
	StatusInProgress SessionStatus = "in_progress"
	StatusCompleted  SessionStatus = "completed"
	StatusCanceled   SessionStatus = "canceled" // cancelled by the integrator or consent refused
	StatusExpired    SessionStatus = "expired"
	StatusFailed     SessionStatus = "failed" // a step failed for good (e.g. 3 wrong codes)
	StatusErased     SessionStatus = "erased" // personal data destroyed
)

// Ended reports whether the session accepts no more applicant input.
func (s SessionStatus) Ended() bool { return s != StatusInProgress }

// StepStatus is the state of one step of a session.
type StepStatus string

// The step statuses. Pending, Processing and NeedsResubmission are the
// `requirement.status` values of the preflight payload.
const (
	StepPending           StepStatus = "pending"
	StepAwaitingCode      StepStatus = "awaiting_code" // OTP sent, waiting for the applicant's code
	StepProcessing        StepStatus = "processing"
	StepNeedsResubmission StepStatus = "needs_resubmission"
	StepPassed            StepStatus = "passed"
	StepFailed            StepStatus = "failed"
	StepRefused           StepStatus = "refused" // consent refused
)

// StepState is the progress of one step inside a session. It is stored as
// JSON with the session; OTP fields hold no personal data (the code is an
// HMAC, the destination lives in the encrypted applicant data).
type StepState struct {
	Kind        StepKind   `json:"kind"`
	Status      StepStatus `json:"status"`
	FlowOrder   int        `json:"flow_order"`
	Attempts    int        `json:"attempts"`
	MaxAttempts int        `json:"max_attempts"`
	LastError   *StepError `json:"last_error,omitempty"`
	OTP         *OTPState  `json:"otp,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// StepError is the latest reason a step attempt did not pass
// (`last_error` of the preflight payload). Reason uses the seed's event
// names (glareDetected, faceNotDetected, otpFailure, ...).
type StepError struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// OTPState is the server side of a one-time code challenge.
type OTPState struct {
	CodeMAC   []byte    `json:"code_mac"` // HMAC of the code; the code itself is never stored
	SentAt    time.Time `json:"sent_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Sends     int       `json:"sends"`
	Failures  int       `json:"failures"` // wrong codes; never reset by a resend
}

// Session is one verification of one applicant.
//
// Personal data never appears here in clear: Applicant is sealed with the
// session's data key, and UniqueIDHash is a keyed hash for equality lookups.
type Session struct {
	ID              string
	Sandbox         bool
	LevelName       string
	LevelVersion    string
	Status          SessionStatus
	Steps           []StepState
	ClientTokenHash []byte
	UniqueIDHash    []byte // keyed hash of unique_id, nil when absent
	SealedApplicant []byte // Applicant JSON sealed with the session data key
	ReturnURL       string
	Locale          string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ExpiresAt       time.Time
	Version         int64 // incremented by every update; used for optimistic checks
}

// Applicant is the personal data a session holds, sealed at rest.
type Applicant struct {
	UniqueID     string `json:"unique_id,omitempty"`
	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name,omitempty"`
	EmailAddress string `json:"email_address,omitempty"`
	PhoneNumber  string `json:"phone_number,omitempty"` // E.164
	PhoneCountry string `json:"phone_country,omitempty"`
	VendorData   string `json:"vendor_data,omitempty"`
	OTPPhone     string `json:"otp_phone,omitempty"` // destination a phone code was sent to
	OTPEmail     string `json:"otp_email,omitempty"` // destination an email code was sent to
}

// CloneSteps deep-copies steps: the copy shares no pointer or slice with
// them.
func CloneSteps(steps []StepState) []StepState {
	if steps == nil {
		return nil
	}
	out := make([]StepState, len(steps))
	for i, s := range steps {
		if s.LastError != nil {
			e := *s.LastError
			s.LastError = &e
		}
		if s.OTP != nil {
			o := *s.OTP
			o.CodeMAC = slices.Clone(o.CodeMAC)
			s.OTP = &o
		}
		out[i] = s
	}
	return out
}

// Clone deep-copies s: the copy shares no pointer or slice with it.
func (s Session) Clone() Session {
	s.Steps = CloneSteps(s.Steps)
	s.ClientTokenHash = slices.Clone(s.ClientTokenHash)
	s.UniqueIDHash = slices.Clone(s.UniqueIDHash)
	s.SealedApplicant = slices.Clone(s.SealedApplicant)
	return s
}
