package idv

import (
	"context"
	"time"
)

// DocumentReader reads one photo of an identity document: the checker port
// of the ID document step. The application layer calls it outside any store
// transaction; the adapter (internal/check) runs the pure document engine.
//
// ReadDocument returns a DocumentReading for every image it could decode,
// whatever the verdict (a blurred photo is an answer, not an error). An
// error means the bytes are not a usable image (CodeInvalid,
// CodePayloadTooLarge, CodeUnsupportedMediaType), the context ended, or the
// engine failed (CodeInternal).
type DocumentReader interface {
	ReadDocument(ctx context.Context, req DocumentRequest) (DocumentReading, error)
}

// DocumentSide is the side of a document a photo shows.
type DocumentSide string

// The document sides.
const (
	DocumentFront DocumentSide = "front"
	DocumentBack  DocumentSide = "back"
)

// DocumentRequest is one photo to read, with what the verdict depends on:
// the time (the engines read no clock) and the level's minimum age.
type DocumentRequest struct {
	Side DocumentSide
	// Image is the encoded photo (JPEG, PNG or WebP) as uploaded.
	Image []byte
	// Now decides expiry and the holder's age.
	Now time.Time
	// MinAge is the level's minimum age in years; 0 checks none.
	MinAge int
}

// DocumentType is the kind of identity document, spelled as the preflight's
// entity_id_document_type.
type DocumentType string

// The document types.
const (
	DocumentPassport       DocumentType = "passport"
	DocumentIDCard         DocumentType = "id_card"
	DocumentDrivingLicense DocumentType = "driving_license"
	DocumentUnknown        DocumentType = "unknown"
)

// The attemptFailed reasons of a DocumentReading that is not accepted,
// spelled as the SDK event's reason.
const (
	ReasonClassificationFailed = "classificationFailed"
	ReasonLowSharpness         = "lowSharpness"
	ReasonGlareDetected        = "glareDetected"
)

// DocumentReading is the verdict on one photo.
type DocumentReading struct {
	// Accepted: the photo is good and the document valid for the level.
	Accepted bool
	// Reason is one of the Reason* constants when not accepted, else "".
	Reason string
	// Code is the finer cause when not accepted (e.g. "screen_recapture",
	// "mrz_unclear", "document_expired"), else "".
	Code string
	// Codes are every cause found, Code first (empty when accepted).
	Codes []string
	// DocumentType is what the zone says; the engine reads no driving
	// licence yet, so a card without a zone is DocumentUnknown.
	DocumentType DocumentType
	// NeedsBack: the other side must be photographed too (TD1 cards, cards
	// without a machine-readable zone on this side; never passports).
	NeedsBack bool
	// Fields are what the machine-readable zone says; nil when none was
	// read. Only an accepted reading's fields are trustworthy: on a refused
	// one, characters the check digits do not protect (names) may be wrong.
	Fields *DocumentFields
	// Portrait is the holder's photo cut from the document, PNG-encoded;
	// nil when none was found.
	Portrait []byte
	Quality  DocumentQuality
}

// DocumentFields are the machine-readable zone's contents (dates as
// YYYY-MM-DD; as printed when not a valid date).
type DocumentFields struct {
	Format         string
	DocumentCode   string
	DocumentNumber string
	Surname        string
	GivenNames     string
	Nationality    string
	IssuingState   string
	BirthDate      string
	ExpiryDate     string
	Sex            string
	OptionalData   string
	OptionalData2  string
	MRZLines       []string
	// Checks is each check digit's result by name.
	Checks map[string]bool
	// ChecksValid: every check digit passed.
	ChecksValid bool
	Expired     bool
	// Age is the holder's age at the request's Now, -1 when unknown.
	Age int
}

// DocumentQuality are the photo's quality measures (higher sharpness is
// sharper; glare and screen are shares in [0, 1]).
type DocumentQuality struct {
	Sharpness    float64
	MRZSharpness float64
	Brightness   float64
	Glare        float64
	Screen       float64
	Width        int
	Height       int
}
