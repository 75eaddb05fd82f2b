package idv

import (
	"context"
	"time"
)

// Media is one uploaded piece of evidence (a photo of a document side, a
// selfie, a PDF), as recorded when its bytes were accepted for checking.
// The bytes themselves are an encrypted object in the BlobStore under
// BlobKey; the row holds no personal data in clear.
type Media struct {
	ID        string
	SessionID string
	Step      StepKind // the step the upload belongs to, e.g. "id_document"
	AppScreen Screen   // the screen it was uploaded for
	Side      string   // MediaFront, MediaBack or "" when the step has no sides
	// ContentType is the kind sniffed from the bytes ("image/jpeg",
	// "image/png", "image/webp", "application/pdf"), never a client's claim.
	ContentType string
	Size        int64  // bytes of the original upload
	SHA256      []byte // digest of the original bytes (32 bytes)
	BlobKey     string // where the encrypted original is (see CheckBlobKey)
	Status      MediaStatus
	Attempt     int // the step's attempt this upload is, from 1
	CreatedAt   time.Time
	CheckedAt   time.Time // when Status became final; zero until then
}

// The sides of a two-sided document.
const (
	MediaFront = "front"
	MediaBack  = "back"
)

// MediaStatus is where a media is in its check.
type MediaStatus string

// The media statuses. Received and processing are unfinished; the others
// are final and match a CheckOutcome.
const (
	MediaReceived   MediaStatus = "received"   // stored, check not begun
	MediaProcessing MediaStatus = "processing" // a check is running
	MediaAccepted   MediaStatus = "accepted"   // the check passed it
	MediaRejected   MediaStatus = "rejected"   // the check refused it (the applicant may retry)
	MediaFailed     MediaStatus = "failed"     // the check could not run (internal error)
)

// Final reports whether no check will change the status any more.
func (s MediaStatus) Final() bool {
	return s == MediaAccepted || s == MediaRejected || s == MediaFailed
}

// CheckOutcome is a check's verdict on one media.
type CheckOutcome string

// The check outcomes.
const (
	CheckAccepted CheckOutcome = "accepted"
	CheckRejected CheckOutcome = "rejected"
	CheckFailed   CheckOutcome = "failed"
)

// CheckResult is the one verdict recorded for a media (PutCheckResult
// accepts exactly one). What the check extracted (names, dates, document
// number, MRZ lines) is personal data: the caller seals it with the
// session's data key into SealedData, so erasing the key makes it
// unreadable.
type CheckResult struct {
	MediaID string
	Outcome CheckOutcome
	// Reason is the timeline's reason when the outcome is not accepted, in
	// the SDK's spelling (classificationFailed, lowSharpness,
	// glareDetected, …); Code is the finer engine code behind it.
	Reason string
	Code   string
	// SealedData is the extracted data, sealed by the caller; nil if none.
	SealedData []byte
	// Scores are the engine's measures (sharpness, glare, confidence);
	// numbers only, never personal data.
	Scores map[string]float64
	// BlobKeys are objects derived from the media (the portrait's crop), so
	// that erasure deletes them with it.
	BlobKeys  []string
	CreatedAt time.Time
}

// EvidenceStore reads evidence records outside transactions.
type EvidenceStore interface {
	// MediaByID reads a media; ErrNotFound if there is none.
	MediaByID(ctx context.Context, id string) (Media, error)
	// MediaOfSession lists a session's media in upload order (CreatedAt,
	// then insertion). An unknown session has none.
	MediaOfSession(ctx context.Context, sessionID string) ([]Media, error)
	// CheckResultOf reads a media's check result; ErrNotFound until there
	// is one.
	CheckResultOf(ctx context.Context, mediaID string) (CheckResult, error)
}

// EvidenceTx is the part of Tx that writes evidence records.
type EvidenceTx interface {
	// PutMedia inserts m; an existing id is a CodeConflict, an unknown
	// session CodeNotFound. The object under m.BlobKey must already be
	// durable.
	PutMedia(ctx context.Context, m Media) error
	// SetMediaStatus moves media id from status from to status to; at
	// becomes CheckedAt when to is final. It is a CodeConflict (and nothing
	// changes) when the stored status is not from, ErrNotFound when there is
	// no such media.
	SetMediaStatus(ctx context.Context, id string, from, to MediaStatus, at time.Time) error
	// PutCheckResult records a media's check result, once: a second result
	// for the same media is a CodeConflict, an unknown media CodeNotFound.
	PutCheckResult(ctx context.Context, r CheckResult) error
	// DeleteEvidenceOfSession deletes a session's media and check results
	// (erasure) and returns the blob keys they pointed to, which the caller
	// deletes from the BlobStore after commit.
	DeleteEvidenceOfSession(ctx context.Context, sessionID string) ([]string, error)
}
