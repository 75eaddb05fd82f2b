package document

import (
	"image"
	"math"

	"github.com/openidv/openidv/internal/imaging"
)

// SharpnessWidth is the width a region is resampled to before its
// Laplacian variance is measured, so the score does not depend on the
// photo's resolution.
const SharpnessWidth = 640

// QualityConfig holds the quality gates. Start from DefaultQualityConfig.
type QualityConfig struct {
	// MinSharpness is the smallest Laplacian variance of the document
	// region; MinMRZSharpness that of the MRZ band.
	MinSharpness, MinMRZSharpness float64
	// MinIsotropy: below it the document is smeared by motion.
	MinIsotropy float64
	// MaxGlare is the largest fraction of the document covered by one
	// clipped-white blob; MinGlarePixels the smallest blob that counts.
	MaxGlare       float64
	MinGlarePixels int
	// MaxPaperWhite: a blob covering more than this fraction of the
	// document is white paper (a scan), not glare.
	MaxPaperWhite float64
	// MinWidth is the smallest document width, in photo pixels.
	MinWidth float64
	// MinBrightness and MaxBrightness bound the document's mean luma.
	MinBrightness, MaxBrightness float64
	// MaxScreen is the largest recapture score (Quality.Screen) of a
	// document photographed directly; above it the photo is of a screen.
	// Zero turns the check off.
	MaxScreen float64
}

// DefaultQualityConfig returns gates calibrated on the docsynth variants
// (see quality_test.go and recapture_test.go for the rates they reach).
func DefaultQualityConfig() QualityConfig {
	return QualityConfig{
		MinSharpness: 60, MinMRZSharpness: 100, MinIsotropy: 0.12,
		MaxGlare: 0.004, MinGlarePixels: 40, MaxPaperWhite: 0.5,
		MinWidth: 300, MinBrightness: 70, MaxBrightness: 240,
		// The 25 specimen scans reach 0.009 and the other synthetic
		// variants 0.002; synthetic screen recaptures 0.007–0.12, 26 of
		// 30 above this limit (see recapture_test.go).
		MaxScreen: 0.015,
	}
}

// Quality is what was measured on a photo.
type Quality struct {
	// Sharpness is the Laplacian variance over the document region at
	// SharpnessWidth; MRZSharpness the same over the MRZ band (0: none).
	Sharpness    float64 `json:"sharpness"`
	MRZSharpness float64 `json:"mrz_sharpness,omitempty"`
	// Isotropy is the weakest over the strongest directional energy of
	// the second derivative on the document (near 0: motion blur).
	Isotropy float64 `json:"isotropy"`
	// Glare is the fraction of the document covered by its largest
	// clipped-white (min(R,G,B) ≥ 250) blob; GlareOnMRZ says whether that
	// blob reaches the MRZ band.
	Glare      float64 `json:"glare"`
	GlareOnMRZ bool    `json:"glare_on_mrz"`
	// Brightness is the document's mean luma (0–255).
	Brightness float64 `json:"brightness"`
	// Screen is the recapture score: how far a photographed screen's
	// pixel grid (or its moiré) stands out of the document's spectrum
	// (see screenScore; 0 when the document is too small to tell).
	Screen float64 `json:"screen"`
	// Width and Height are the document's size in photo pixels.
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

// Regions says where the document and its MRZ band lie in a photo. A zero
// Document quad means the whole image; a zero MRZ quad means no band.
type Regions struct {
	Document Quad
	MRZ      Quad
	// PresumedMRZ says MRZ is where a zone would be, not one that was
	// read: it is checked for glare but not for sharpness.
	PresumedMRZ bool
}

// Assess measures the quality of img inside reg. g is img's luma (nil: it
// is computed).
func Assess(img image.Image, g *image.Gray, reg Regions) Quality {
	if g == nil {
		g = imaging.ToGray(img)
	}
	b := g.Rect
	doc := reg.Document
	if doc == (Quad{}) {
		doc = RectQuad(float64(b.Dx()), float64(b.Dy()))
	}
	var q Quality
	q.Width, q.Height = doc.Sides()
	q.Sharpness, q.Brightness, q.Isotropy = sharpness(g, doc, 0.04)
	if reg.MRZ != (Quad{}) && !reg.PresumedMRZ {
		q.MRZSharpness, _, _ = sharpness(g, reg.MRZ, 0)
	}
	q.Glare, q.GlareOnMRZ = glare(img, doc, reg.MRZ)
	q.Screen = screenScore(img, g, doc)
	return q
}

// sharpness returns the variance of the 4-neighbour Laplacian, the mean
// luma and the isotropy (the weakest over the strongest of the second
// derivative's energies along x, y and the two diagonals: near 0 when
// motion smeared the region along one direction) inside region (shrunk by inset of its size, to leave out the
// document's own outline), after resampling its bounds to SharpnessWidth.
func sharpness(g *image.Gray, region Quad, inset float64) (variance, mean, isotropy float64) {
	origin := g.Rect.Min
	box := region.Bounds().Add(origin).Intersect(g.Rect)
	if box.Dx() < 3 || box.Dy() < 3 {
		return 0, 0, 0
	}
	scale := float64(SharpnessWidth) / float64(box.Dx())
	// Cap the height: a thin, tall region would otherwise be resampled to
	// an enormous image.
	h := min(max(3, int(math.Round(float64(box.Dy())*scale))), 2*SharpnessWidth)
	small := imaging.ResizeGray(g.SubImage(box).(*image.Gray), SharpnessWidth, h)
	sy := float64(box.Dy()) / float64(h)
	sx := float64(box.Dx()) / SharpnessWidth
	shrunk := shrink(region, inset)
	off := Point{float64(box.Min.X - origin.X), float64(box.Min.Y - origin.Y)}
	var sum, sum2, lum float64
	var dir [4]float64 // energy of the second derivative along x, y and both diagonals
	n := 0
	for y := 1; y < h-1; y++ {
		row := small.Pix[y*small.Stride:]
		up, down := small.Pix[(y-1)*small.Stride:], small.Pix[(y+1)*small.Stride:]
		lo, hi := rowSpan(shrunk, off.Y+(float64(y)+0.5)*sy, off.X, sx, SharpnessWidth)
		for x := max(lo, 1); x < min(hi, SharpnessWidth-1); x++ {
			c2 := 2 * int(row[x])
			dxx := c2 - int(row[x-1]) - int(row[x+1])
			dyy := c2 - int(up[x]) - int(down[x])
			d1 := c2 - int(up[x-1]) - int(down[x+1])
			d2 := c2 - int(up[x+1]) - int(down[x-1])
			dir[0] += float64(dxx * dxx)
			dir[1] += float64(dyy * dyy)
			dir[2] += float64(d1 * d1)
			dir[3] += float64(d2 * d2)
			v := float64(dxx + dyy)
			sum += v
			sum2 += v * v
			lum += float64(row[x])
			n++
		}
	}
	if n == 0 {
		return 0, 0, 0
	}
	m := sum / float64(n)
	lo, hi := min(dir[0], dir[1], dir[2], dir[3]), max(dir[0], dir[1], dir[2], dir[3])
	if hi > 0 {
		isotropy = lo / hi
	}
	return sum2/float64(n) - m*m, lum / float64(n), isotropy
}

// rowSpan returns the columns [lo, hi) of a resampled row (source y, source
// x = offX + (col+0.5)·sx) whose centres lie inside the convex quad q.
func rowSpan(q Quad, y, offX, sx float64, w int) (lo, hi int) {
	minX, maxX := math.Inf(1), math.Inf(-1)
	for i := range q {
		a, b := q[i], q[(i+1)%4]
		if (a.Y <= y) == (b.Y <= y) {
			continue
		}
		x := a.X + (y-a.Y)*(b.X-a.X)/(b.Y-a.Y)
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
	}
	if minX > maxX {
		return 0, 0
	}
	lo = int(math.Ceil((minX-offX)/sx - 0.5))
	hi = int(math.Floor((maxX-offX)/sx-0.5)) + 1
	return max(lo, 0), min(hi, w)
}

// shrink moves each corner of q towards its centre by f of the distance.
func shrink(q Quad, f float64) Quad {
	c := q.Centre()
	for i := range q {
		q[i].X += (c.X - q[i].X) * f
		q[i].Y += (c.Y - q[i].Y) * f
	}
	return q
}
