package synth

import (
	"image"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/openidv/openidv/internal/document/ocrb"
)

// Sample is one augmented glyph: its features and its index in
// ocrb.Alphabet.
type Sample struct {
	X     []float32
	Label int
}

// RandomText returns n random MRZ characters, with fillers as common as
// in real zones.
func RandomText(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		if rng.Float64() < 0.15 {
			b[i] = '<'
			continue
		}
		b[i] = ocrb.Alphabet[rng.IntN(len(ocrb.Alphabet))]
	}
	return string(b)
}

// Degrade applies a random mix of what cameras and scanners do to an
// image whose character pitch is pitch pixels.
func Degrade(g *image.Gray, pitch float64, rng *rand.Rand) *image.Gray {
	if rng.Float64() < 0.3 { // stroke weight: blur then re-threshold
		g = Contrast(Blur(g, 0.04*pitch+0.3), 128+rng.NormFloat64()*40, 1.5+rng.Float64()*2)
	}
	if rng.Float64() < 0.8 {
		g = Blur(g, rng.Float64()*rng.Float64()*0.12*pitch+rng.Float64()*0.6)
	}
	if rng.Float64() < 0.7 {
		g = Levels(g, rng.Float64()*110, 150+rng.Float64()*105)
	}
	if rng.Float64() < 0.3 {
		g = Gradient(g, 0.5+rng.Float64()*0.5, rng.IntN(2) == 0)
	}
	if rng.Float64() < 0.6 {
		g = Noise(g, rng.Float64()*16, rng)
	}
	if rng.Float64() < 0.5 {
		g = JPEG(g, 25+rng.IntN(70))
	}
	return g
}

// Extra switches on augmentations beyond the ones the committed model was
// trained with (they change the random stream, so the default keeps the
// model reproducible).
type Extra struct {
	Texture bool // wavy security-print background
	Rules   bool // box edges and underlines near the line
	// General is the fraction of lines whose glyph shapes Generalise
	// changes (0 for none).
	General float64
}

// Samples renders lines of random text with random geometry, degrades
// them, and cuts every character of the middle line with a jittered cell,
// as a reader that has located the line only roughly would.
func Samples(rng *rand.Rand, lines int) []Sample {
	return SamplesExtra(rng, lines, Extra{})
}

// SamplesExtra is Samples with extra augmentations.
func SamplesExtra(rng *rand.Rand, lines int, extra Extra) []Sample {
	var out []Sample
	for range lines {
		out = append(out, lineSamples(rng, extra)...)
	}
	return out
}

func lineSamples(rng *rand.Rand, extra Extra) []Sample {
	pitch := math.Exp(math.Log(6) + rng.Float64()*math.Log(42.0/6))
	up := 1.0
	general := extra.General > 0 && rng.Float64() < extra.General
	if pitch < 20 && (general || rng.Float64() < 0.6) {
		up = 2 + rng.Float64()*2 // render big and shrink: camera-like smoothing
	}
	o := ocrb.Options{Pitch: pitch * up, Margin: 2 * pitch * up}
	o.CapHeight = o.Pitch * (0.8 + rng.Float64()*0.14)
	o.LineHeight = o.Pitch * (1.45 + rng.Float64()*0.4)
	const n = 16
	middle := RandomText(rng, n)
	text := RandomText(rng, n) + "\n" + middle + "\n" + RandomText(rng, n)
	if rng.Float64() < 0.3 {
		text = "\n" + middle + "\n" // no neighbours
	}
	g := ocrb.Render(text, o)
	if general {
		g = Generalise(g, o.Pitch, rng)
	}
	if extra.Texture && rng.Float64() < 0.25 {
		Texture(g, rng)
	}
	if extra.Rules && rng.Float64() < 0.2 {
		_, top, base := o.Cell(1, 0)
		y := top - (0.3+0.6*rng.Float64())*o.CapHeight
		if rng.IntN(2) == 0 {
			y = base + (0.3+0.6*rng.Float64())*o.CapHeight
		}
		Rule(g, y, rng.NormFloat64()*0.02, 1+rng.Float64()*0.12*o.Pitch, uint8(rng.IntN(140)))
	}
	if up != 1 {
		g = Scale(g, 1/up)
	}
	g = Degrade(g, pitch, rng)
	line := []byte(middle)
	var out []Sample
	for col, ch := range line {
		c := o.CellOf(1, col)
		c.CX, c.CY, c.Pitch, c.CapHeight = c.CX/up, c.CY/up, c.Pitch/up, c.CapHeight/up
		c.CX += rng.NormFloat64() * 0.07 * c.Pitch
		c.CY += rng.NormFloat64() * 0.05 * c.CapHeight
		c.Pitch *= 0.92 + rng.Float64()*0.16
		c.CapHeight *= 0.9 + rng.Float64()*0.22
		c.Angle = rng.NormFloat64() * 0.015
		x := make([]float32, ocrb.FeatureLen)
		if !ocrb.Features(g, c, x) {
			continue
		}
		out = append(out, Sample{X: x, Label: strings.IndexByte(ocrb.Alphabet, ch)})
	}
	return out
}

// Texture darkens g with a faint wavy pattern, like the security print
// behind a zone.
func Texture(g *image.Gray, rng *rand.Rand) {
	amp := 8 + rng.Float64()*35
	fx, fy := 0.02+rng.Float64()*0.3, 0.02+rng.Float64()*0.3
	ph := rng.Float64() * 6
	b := g.Bounds()
	for y := range b.Dy() {
		for x := range b.Dx() {
			d := amp * (0.5 + 0.5*math.Sin(float64(x)*fx+math.Sin(float64(y)*fy)*2+ph))
			i := y*g.Stride + x
			g.Pix[i] = clamp(float64(g.Pix[i]) - d)
		}
	}
}

// Rule draws a straight dark line across g at height y (slope dy/dx),
// thick pixels wide, of grey level v: a box or underline near the text.
func Rule(g *image.Gray, y, slope, thick float64, v uint8) {
	b := g.Bounds()
	for x := range b.Dx() {
		yc := y + slope*float64(x)
		for yy := int(yc - thick/2); yy <= int(yc+thick/2); yy++ {
			if yy >= 0 && yy < b.Dy() {
				g.Pix[yy*g.Stride+x] = min(g.Pix[yy*g.Stride+x], v)
			}
		}
	}
}
