package check

import (
	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/idv"
)

// issueReasons maps every issue code of the document engine to the SDK
// reason of the attemptFailed event it causes. The code itself travels
// with the reason as the finer cause. A test checks that every code the
// engine declares is here and agrees with the engine's own reason.
var issueReasons = map[document.IssueCode]string{
	document.IssueNoDocument:        idv.ReasonClassificationFailed,
	document.IssueMultipleDocuments: idv.ReasonClassificationFailed,
	document.IssueBlankDocument:     idv.ReasonClassificationFailed,
	document.IssueUnknownDocument:   idv.ReasonClassificationFailed,
	document.IssueMRZInvalid:        idv.ReasonClassificationFailed,
	document.IssueMRZUnclear:        idv.ReasonClassificationFailed,
	document.IssueScreenRecapture:   idv.ReasonClassificationFailed,
	document.IssueBlurred:           idv.ReasonLowSharpness,
	document.IssueMRZBlurred:        idv.ReasonLowSharpness,
	document.IssueLowResolution:     idv.ReasonLowSharpness,
	document.IssueTooDark:           idv.ReasonLowSharpness,
	document.IssueGlare:             idv.ReasonGlareDetected,
	document.IssueGlareOnMRZ:        idv.ReasonGlareDetected,
	document.IssueTooBright:         idv.ReasonGlareDetected,
}

// Codes of the checks the adapter adds to the engine's: they judge the
// document read, not the photo, and all fail as classificationFailed.
const (
	// CodeExpired: the expiry date is before the request's Now.
	CodeExpired = "document_expired"
	// CodeUnderAge: the holder is younger than the request's MinAge (or
	// the birth date is unreadable).
	CodeUnderAge = "under_age"
	// CodeUnknownState: the issuing state is no ISO 3166 or ICAO code.
	CodeUnknownState = "issuing_state_unknown"
	// CodeMRZFieldsInvalid: the check digits pass but a field is malformed
	// (nationality, dates, sex, names, document code).
	CodeMRZFieldsInvalid = "mrz_fields_invalid"
	// CodeNotIdentityDocument: a visa, which proves no identity alone.
	CodeNotIdentityDocument = "not_identity_document"
)

// reasonOf returns the SDK reason of an engine issue code, or of one of the
// adapter's own codes (classificationFailed).
func reasonOf(code string) string {
	if r, ok := issueReasons[document.IssueCode(code)]; ok {
		return r
	}
	return idv.ReasonClassificationFailed
}
