package idv

import "strings"

// StepKind names one verification step a level can ask for.
type StepKind string

// The step kinds. Their spelling is the one used in level files.
const (
	StepConsent        StepKind = "consent"
	StepIDDocument     StepKind = "id_document"
	StepLiveness       StepKind = "liveness"
	StepProofOfAddress StepKind = "proof_of_address"
	StepProofOfFunds   StepKind = "proof_of_funds"
	StepPhone          StepKind = "phone"
	StepEmail          StepKind = "email"
	StepNFC            StepKind = "nfc"
	StepVideoCall      StepKind = "video_call"
)

// StepKinds lists every known step kind in a stable order.
var StepKinds = []StepKind{
	StepConsent, StepIDDocument, StepLiveness, StepProofOfAddress,
	StepProofOfFunds, StepPhone, StepEmail, StepNFC, StepVideoCall,
}

// Level is a named, versioned sequence of steps (the `kyc_level` of a
// session). A session pins the Version it started with.
type Level struct {
	Name    string
	Version string // content hash of the compiled level; changes when the definition changes
	Steps   []LevelStep
}

// LevelStep is one step of a level with its settings.
type LevelStep struct {
	Kind        StepKind
	MaxAttempts int // attempts before the step fails (OTP: wrong codes)
	// Title and Text are shown on the step's screen (screen.parameters
	// title and text); empty means the client's own wording. Consent only
	// today. They are display text, not part of the level's version.
	Title, Text Localized
}

// Localized is a display text by language (primary subtag, e.g. "en",
// "es"); the key "" holds a text given without a language.
type Localized map[string]string

// Pick returns the text for the language tag lang (e.g. es-MX): its primary
// subtag, else the text without a language, else English, else the first
// language in alphabetical order; "" when there is none.
func (l Localized) Pick(lang string) string {
	primary, _, _ := strings.Cut(strings.ToLower(strings.ReplaceAll(lang, "_", "-")), "-")
	for _, k := range []string{primary, "", "en"} {
		if v, ok := l[k]; ok {
			return v
		}
	}
	first := "" // the key "" is not in l here: it marks none found yet
	for k := range l {
		if first == "" || k < first {
			first = k
		}
	}
	return l[first]
}
