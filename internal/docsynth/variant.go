package docsynth

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand"

	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/imaging"
)

// Variant names a degradation applied to a photo.
type Variant string

// The variants.
const (
	Clean          Variant = "clean"
	Blur           Variant = "blur"        // Gaussian σ = 1.2 px: still readable
	BlurStrong     Variant = "blur_strong" // Gaussian σ = 3.5 px: must be lowSharpness
	Motion         Variant = "motion"      // 15 px horizontal motion blur: must be lowSharpness
	JPEG60         Variant = "jpeg60"
	Half           Variant = "half"        // 640×480
	Perspective    Variant = "perspective" // corners moved by up to 8 %
	Rotation       Variant = "rotation"    // 5–10° either way
	GlareMRZ       Variant = "glare_mrz"   // a clipped-white blob over the MRZ
	GlareElsewhere Variant = "glare_elsewhere"
	Noise          Variant = "noise" // Gaussian σ = 12 grey levels
	LowLight       Variant = "low_light"
	// Screen is the clean photo shown on a screen and photographed again
	// (a recapture): must be classificationFailed / screen_recapture.
	Screen Variant = "screen"
)

// Variants lists every Variant in report order.
var Variants = [...]Variant{Clean, Blur, BlurStrong, Motion, JPEG60, Half, Perspective, Rotation,
	GlareMRZ, GlareElsewhere, Noise, LowLight, Screen}

// Blurred reports whether v should be flagged lowSharpness.
func (v Variant) Blurred() bool { return v == BlurStrong || v == Motion }

// Glared reports whether v carries a glare blob on the document.
func (v Variant) Glared() bool { return v == GlareMRZ || v == GlareElsewhere }

// MustRead reports whether the target requires every MRZ of v to
// be read with valid check digits.
func (v Variant) MustRead() bool {
	return v == Clean || v == Blur || v == Half || v == Perspective
}

// placement adapts a base placement to the geometric variants.
func (v Variant) placement(pl Placement, r *rand.Rand) Placement {
	switch v {
	case Perspective:
		pl.Perspective = 0.08
		pl.Fill *= 0.9
	case Rotation:
		sign := 1.0
		if r.Intn(2) == 0 {
			sign = -1
		}
		pl.Rotation = sign * (5 + 5*r.Float64())
		pl.Fill *= 0.88
	}
	return pl
}

// degrade applies the photometric part of v to img (in place or as a new
// image) and returns the result with the factor its geometry was scaled by.
func (v Variant) degrade(img *image.RGBA, s *Sample, r *rand.Rand) (*image.RGBA, float64) {
	switch v {
	case Blur:
		return gaussian(img, 1.2), 1
	case BlurStrong:
		return gaussian(img, 3.5), 1
	case Motion:
		return motion(img, 15), 1
	case JPEG60:
		return jpegRoundTrip(img, 60), 1
	case Half:
		return imaging.ResizeRGBA(img, img.Rect.Dx()/2, img.Rect.Dy()/2), 0.5
	case GlareMRZ:
		band := s.MRZQuad
		if band == (document.Quad{}) { // no MRZ: the bottom fifth of the document
			q := s.Quad
			lerp := func(a, b document.Point, t float64) document.Point {
				return document.Point{X: a.X + (b.X-a.X)*t, Y: a.Y + (b.Y-a.Y)*t}
			}
			band = document.Quad{lerp(q[0], q[3], 0.8), lerp(q[1], q[2], 0.8), q[2], q[3]}
		}
		glare(img, band.Centre(), 0.45*quadHeight(band)+0.08*quadWidth(band))
	case GlareElsewhere:
		// Upper right of the document, away from the portrait and the MRZ.
		q := s.Quad
		c := document.Point{X: q[0].X + 0.72*(q[1].X-q[0].X) + 0.3*(q[3].X-q[0].X), Y: q[0].Y + 0.72*(q[1].Y-q[0].Y) + 0.3*(q[3].Y-q[0].Y)}
		glare(img, c, 0.08*quadWidth(q))
	case Noise:
		addNoise(img, 12, r)
	case Screen:
		return recapture(img, s, r), 1
	case LowLight:
		for i := 0; i < len(img.Pix); i += 4 {
			for c := range 3 {
				img.Pix[i+c] = uint8(float64(img.Pix[i+c]) * 0.22)
			}
		}
		addNoise(img, 3, r)
	}
	return img, 1
}

func quadWidth(q document.Quad) float64  { w, _ := q.Sides(); return w }
func quadHeight(q document.Quad) float64 { _, h := q.Sides(); return h }

// glare paints a clipped-white disc of radius rad with a soft halo.
func glare(img *image.RGBA, c document.Point, rad float64) {
	halo := rad * 1.6
	box := image.Rect(int(c.X-halo), int(c.Y-halo), int(c.X+halo)+1, int(c.Y+halo)+1).Intersect(img.Rect)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			d := math.Hypot(float64(x)-c.X, float64(y)-c.Y)
			a := 1.0
			if d > rad {
				a = math.Max(0, 1-(d-rad)/(halo-rad))
				a *= a
			}
			o := img.PixOffset(x, y)
			for i := range 3 {
				img.Pix[o+i] = clamp8(255*a + float64(img.Pix[o+i])*(1-a))
			}
		}
	}
}

func addNoise(img *image.RGBA, sigma float64, r *rand.Rand) {
	for i := 0; i < len(img.Pix); i += 4 {
		n := r.NormFloat64() * sigma
		for c := range 3 {
			img.Pix[i+c] = clamp8(float64(img.Pix[i+c]) + n + r.NormFloat64()*sigma*0.3)
		}
	}
}

func jpegRoundTrip(img *image.RGBA, q int) *image.RGBA {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return img
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		return img
	}
	out := image.NewRGBA(dec.Bounds())
	draw.Draw(out, out.Rect, dec, dec.Bounds().Min, draw.Src)
	return out
}

// gaussian blurs img with a separable Gaussian kernel of the given sigma.
func gaussian(img *image.RGBA, sigma float64) *image.RGBA {
	rad := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*rad+1)
	sum := 0.0
	for i := range k {
		d := float64(i - rad)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return convolve(convolve(img, k, 1, 0), k, 0, 1)
}

// motion averages n pixels horizontally.
func motion(img *image.RGBA, n int) *image.RGBA {
	k := make([]float64, n|1)
	for i := range k {
		k[i] = 1 / float64(len(k))
	}
	return convolve(img, k, 1, 0)
}

// convolve applies the 1-D kernel k along (dx, dy), clamping at the edges.
func convolve(img *image.RGBA, k []float64, dx, dy int) *image.RGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	rad := len(k) / 2
	for y := range h {
		for x := range w {
			var acc [3]float64
			for i, kv := range k {
				sx := min(max(x+(i-rad)*dx, 0), w-1)
				sy := min(max(y+(i-rad)*dy, 0), h-1)
				o := sy*img.Stride + 4*sx
				acc[0] += kv * float64(img.Pix[o])
				acc[1] += kv * float64(img.Pix[o+1])
				acc[2] += kv * float64(img.Pix[o+2])
			}
			o := y*out.Stride + 4*x
			out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = clamp8(acc[0]), clamp8(acc[1]), clamp8(acc[2]), 255
		}
	}
	return out
}
