package face

import (
	"errors"
	"fmt"
)

// FallbackMode says when the box detector (TinyFaceDetector) runs.
type FallbackMode int

// The fallback modes.
const (
	// FallbackAuto runs the box detector only where pigo finds no face.
	FallbackAuto FallbackMode = iota
	// FallbackNever uses pigo alone.
	FallbackNever
	// FallbackAlways runs the box detector instead of pigo's face cascade
	// (pigo's pupil localiser still places the eyes).
	FallbackAlways
	// FallbackMerge runs both and adds the box detector's faces that no
	// pigo face overlaps (best recall, for group photos).
	FallbackMerge
)

// Config holds the decision thresholds, the quality gate limits and the
// detector parameters. Start from DefaultConfig.
type Config struct {
	// MatchThreshold: a distance ≤ this is a match.
	MatchThreshold float64
	// ReviewThreshold: a distance in (MatchThreshold, ReviewThreshold] goes
	// to review; above it is no match.
	ReviewThreshold float64

	// MinInterPupil is the smallest inter-pupil distance, in source pixels,
	// of a usable face (smaller: tooFar).
	MinInterPupil float64
	// MinSharpness is the smallest variance of the Laplacian over the face
	// region of the grey chip (smaller: lowSharpness).
	MinSharpness float64
	// MaxGlare is the largest fraction of clipped-white pixels in the face
	// region of the chip (larger: glareDetected).
	MaxGlare float64
	// MaxOutside is the largest fraction of the chip's face region, or of
	// the face box, that may fall outside the image (larger: cropTooSmall,
	// the face is cut by the border).
	MaxOutside float64
	// DominanceRatio: a second face whose box side is at least this
	// fraction of the largest face's makes the image ambiguous
	// (multipleFacesDetected).
	DominanceRatio float64

	// MaxDetectSide is the longest side detection runs on; larger images
	// are downscaled first and boxes mapped back.
	MaxDetectSide int
	// MinFaceSize is the smallest face side, in detection pixels.
	MinFaceSize int
	// MinScore is the smallest pigo cascade score kept.
	MinScore float64
	// NMSIoU: of two boxes overlapping more than this, the weaker is dropped.
	NMSIoU float64
	// Fallback says when the box detector runs.
	Fallback FallbackMode
}

// DefaultConfig returns the defaults: match ≤ 0.50, review ≤ 0.60, an
// inter-pupil distance of at least 28 px, and detection on ≤ 800 px.
func DefaultConfig() Config {
	return Config{
		MatchThreshold:  0.50,
		ReviewThreshold: 0.60,
		MinInterPupil:   28,
		MinSharpness:    25,
		MaxGlare:        0.10,
		MaxOutside:      0.05,
		DominanceRatio:  0.6,
		MaxDetectSide:   800,
		MinFaceSize:     40,
		MinScore:        12,
		NMSIoU:          0.3,
		Fallback:        FallbackAuto,
	}
}

// ErrConfig is wrapped by Validate's errors.
var ErrConfig = errors.New("face: invalid config")

// Validate reports the first inconsistent setting.
func (c Config) Validate() error {
	switch {
	case !(c.MatchThreshold > 0 && c.MatchThreshold <= c.ReviewThreshold):
		return fmt.Errorf("%w: need 0 < MatchThreshold (%g) <= ReviewThreshold (%g)", ErrConfig, c.MatchThreshold, c.ReviewThreshold)
	case c.MinInterPupil < 0 || c.MinSharpness < 0:
		return fmt.Errorf("%w: MinInterPupil and MinSharpness must be >= 0", ErrConfig)
	case c.MaxGlare < 0 || c.MaxGlare > 1 || c.MaxOutside < 0 || c.MaxOutside > 1:
		return fmt.Errorf("%w: MaxGlare and MaxOutside must be fractions", ErrConfig)
	case c.DominanceRatio <= 0 || c.DominanceRatio > 1:
		return fmt.Errorf("%w: DominanceRatio must be in (0, 1]", ErrConfig)
	case c.MaxDetectSide < 64 || c.MinFaceSize < 20 || c.MinFaceSize > c.MaxDetectSide:
		return fmt.Errorf("%w: need 64 <= MaxDetectSide and 20 <= MinFaceSize <= MaxDetectSide", ErrConfig)
	case c.NMSIoU <= 0 || c.NMSIoU > 1:
		return fmt.Errorf("%w: NMSIoU must be in (0, 1]", ErrConfig)
	}
	return nil
}

// Reason is a machine-readable gate failure. Its values are event names of
// the web SDK's event list (docs/contracts.md), so they can be recorded
// in a session's timeline as they are.
type Reason string

// The gate reasons.
const (
	// ReasonFaceNotDetected: no face found.
	ReasonFaceNotDetected Reason = "faceNotDetected"
	// ReasonMultipleFaces: more than one face of similar size.
	ReasonMultipleFaces Reason = "multipleFacesDetected"
	// ReasonCropTooSmall: the face is cut by the image border.
	ReasonCropTooSmall Reason = "cropTooSmall"
	// ReasonImageNotPortrait: a selfie wider than high.
	ReasonImageNotPortrait Reason = "imageNotPortrait"
	// ReasonTooFar: the face is too small (inter-pupil distance).
	ReasonTooFar Reason = "tooFar"
	// ReasonLowSharpness: the face chip is blurred (an attemptFailed reason).
	ReasonLowSharpness Reason = "lowSharpness"
	// ReasonGlare: clipped white on the face (an attemptFailed reason).
	ReasonGlare Reason = "glareDetected"
)

// Verdict is the outcome of a comparison.
type Verdict string

// The verdicts.
const (
	VerdictMatch    Verdict = "match"
	VerdictReview   Verdict = "review"
	VerdictNoMatch  Verdict = "no_match"
	VerdictUnusable Verdict = "unusable"
)

// Decide maps a distance to a verdict with c's thresholds.
func (c Config) Decide(distance float64) Verdict {
	switch {
	case distance <= c.MatchThreshold:
		return VerdictMatch
	case distance <= c.ReviewThreshold:
		return VerdictReview
	}
	return VerdictNoMatch
}
