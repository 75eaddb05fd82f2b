package face

import (
	"image"
	"math"
	"slices"

	"github.com/openidv/openidv/internal/face/nn"
)

// Comparison is the outcome of comparing two images.
type Comparison struct {
	// Distance is the Euclidean distance of the two descriptors; NaN when
	// the verdict is unusable (no match was attempted).
	Distance float64
	// Verdict is match, review, no_match or unusable.
	Verdict Verdict
	// Reasons are the failed gates of both images, deduplicated, in order.
	Reasons []Reason
	// A and B are the analyses of the two images.
	A, B *Analysis
}

// Distance returns the Euclidean distance between two descriptors.
func Distance(a, b Descriptor) float64 { return nn.Distance(a, b) }

// Embed describes an aligned 150×150 chip with the recognition model.
func (e *Engine) Embed(chip *image.RGBA) (Descriptor, error) {
	if e.models.DescribeChip == nil {
		return Descriptor{}, ErrNoRecognizer
	}
	return e.models.DescribeChip(chip)
}

// DescribeCrop describes an image that is already an aligned face crop
// (such as face-api's 150×150 gallery crops) without detection.
func (e *Engine) DescribeCrop(img image.Image) (Descriptor, error) {
	if e.models.DescribeImage == nil {
		return Descriptor{}, ErrNoRecognizer
	}
	return e.models.DescribeImage(img)
}

// Compare analyses both images, and when both pass every gate, embeds
// their dominant faces and decides by distance with the Config thresholds.
// Gate failures give the verdict unusable with their reasons, not an error;
// errors are reserved for empty images and model failures.
func (e *Engine) Compare(a image.Image, ka Kind, b image.Image, kb Kind) (*Comparison, error) {
	if e.models.DescribeChip == nil {
		return nil, ErrNoRecognizer
	}
	aa, err := e.Analyze(a, ka)
	if err != nil {
		return nil, err
	}
	ab, err := e.Analyze(b, kb)
	if err != nil {
		return nil, err
	}
	return e.CompareAnalyses(aa, ab)
}

// CompareAnalyses is the second half of Compare: it embeds and decides two
// analyses made by Analyze.
func (e *Engine) CompareAnalyses(aa, ab *Analysis) (*Comparison, error) {
	c := &Comparison{Distance: math.NaN(), A: aa, B: ab, Reasons: mergeReasons(aa.Reasons, ab.Reasons)}
	if !aa.Usable() || !ab.Usable() {
		c.Verdict = VerdictUnusable
		return c, nil
	}
	da, err := e.Embed(aa.Chip)
	if err != nil {
		return nil, err
	}
	db, err := e.Embed(ab.Chip)
	if err != nil {
		return nil, err
	}
	c.Distance = Distance(da, db)
	c.Verdict = e.cfg.Decide(c.Distance)
	return c, nil
}

func mergeReasons(a, b []Reason) []Reason {
	out := append([]Reason{}, a...)
	for _, r := range b {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}
