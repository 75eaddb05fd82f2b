package synth

import (
	"image"
	"math"
	"math/rand/v2"

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

// Samples renders lines of random text with random geometry, degrades
// them, and cuts every character of the middle line with a jittered cell,
// as a reader that has located the line only roughly would.
func Samples(rng *rand.Rand, lines int) []Sample {
	var out []Sample
	for range lines {
		out = append(out, lineSamples(rng)...)
	}
	return out
}

func lineSamples(rng *rand.Rand) []Sample {
	pitch := math.Exp(math.Log(6) + rng.Float64()*math.Log(42.0/6))
	up := 1.0
	if pitch < 20 && rng.Float64() < 0.6 {
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
		out = append(out, Sample{X: x, Label: indexOf(ch)})
	}
	return out
}

func indexOf(c byte) int {
	for i := 0; i < len(ocrb.Alphabet); i++ {
		if ocrb.Alphabet[i] == c {
			return i
		}
	}
	return -1
}
