// Package face detects faces and pupils, aligns each face to a 150×150 chip,
// checks its quality, describes it with a 128-d embedding and compares two
// descriptors. It does no I/O and reads no clock or randomness: callers pass
// decoded images (see internal/imaging) and measure time themselves.
//
// Detection is pigo's frontal cascade with its pupil localiser (cascades in
// internal/face/cascade), followed by IoU non-maximum suppression; an
// optional box detector (the TinyFaceDetector) is used where pigo finds
// nothing, or always when configured. The embedding network is plugged in
// through Models so the detection, alignment and gates work on their own.
package face

import (
	"image"

	"github.com/openidv/openidv/internal/face/nn"
)

// Point is a position in source-image pixels.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Box is an axis-aligned rectangle in source-image pixels.
type Box struct {
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

// Area returns the box's area.
func (b Box) Area() float64 { return max(b.Width, 0) * max(b.Height, 0) }

// Center returns the box's centre.
func (b Box) Center() Point { return Point{b.X + b.Width/2, b.Y + b.Height/2} }

// IoU returns the intersection over union of two boxes (0 when disjoint).
func (b Box) IoU(o Box) float64 {
	iw := min(b.X+b.Width, o.X+o.Width) - max(b.X, o.X)
	ih := min(b.Y+b.Height, o.Y+o.Height) - max(b.Y, o.Y)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	return inter / (b.Area() + o.Area() - inter)
}

// Pupils are the two eye centres: Left is the one further left in the
// image (the subject's right eye).
type Pupils struct {
	Left  Point `json:"left"`
	Right Point `json:"right"`
	// Estimated is true when the pupil localiser failed and the points were
	// placed from the box geometry.
	Estimated bool `json:"estimated,omitempty"`
}

// Distance returns the inter-pupil distance.
func (p Pupils) Distance() float64 {
	return hypot(p.Right.X-p.Left.X, p.Right.Y-p.Left.Y)
}

// Detector names the detector that found a face.
type Detector string

// The detectors.
const (
	DetectorPigo     Detector = "pigo"
	DetectorTinyFace Detector = "tinyface"
)

// Face is one detected face.
type Face struct {
	// Box is the face rectangle in source pixels.
	Box Box `json:"box"`
	// Score is the detector's confidence: pigo's cascade sum (about 5–100),
	// or the TinyFaceDetector's probability (0–1).
	Score float64 `json:"score"`
	// Pupils are the eye centres in source pixels.
	Pupils Pupils `json:"pupils"`
	// Detector is the detector that found the face.
	Detector Detector `json:"detector"`
	// Scale is the factor from source pixels to the pixels detection ran on
	// (≤ 1; 1 when the image was not downscaled).
	Scale float64 `json:"scale"`
}

// Kind says what an image is, which decides the gates that apply.
type Kind int

// The kinds of image.
const (
	// IDPortrait is a document photo or a portrait cut from one.
	IDPortrait Kind = iota
	// Selfie is a camera capture of the applicant: it must be portrait
	// (not wider than high).
	Selfie
)

// String returns "id_portrait" or "selfie".
func (k Kind) String() string {
	if k == Selfie {
		return "selfie"
	}
	return "id_portrait"
}

// MarshalText encodes a Kind as its String, for JSON.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Descriptor is a 128-d face embedding (the recognition network's).
type Descriptor = nn.Descriptor

// Models are the networks the Engine calls. They must be safe for
// concurrent use; they are loaded once per process and shared.
type Models struct {
	// DescribeChip embeds an aligned 150×150 chip. Required by Embed.
	DescribeChip func(chip *image.RGBA) (Descriptor, error)
	// DescribeImage embeds a whole image that is already an aligned face
	// crop, padded to a square and resized (face-api's preprocessing).
	// Optional: used by DescribeCrop.
	DescribeImage func(img image.Image) (Descriptor, error)
	// DetectBoxes finds face boxes (in source pixels) with the
	// TinyFaceDetector. Optional: nil disables the fallback.
	DetectBoxes func(img image.Image) ([]ScoredBox, error)
}

// ScoredBox is a detector box with its confidence.
type ScoredBox struct {
	Box   Box
	Score float64
}
