package mrzocr_test

import (
	"fmt"
	"image"
	"math/rand/v2"
	"testing"
)

// smear averages n pixels along x (n odd), clamping at the edges: a
// camera moving sideways during the exposure.
func smear(g *image.Gray, n int) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	r := n / 2
	for y := range h {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		s := 0
		for i := -r; i <= r; i++ {
			s += int(row[min(max(i, 0), w-1)])
		}
		for x := range w {
			out.Pix[y*out.Stride+x] = uint8((s + n/2) / n)
			s += int(row[min(x+r+1, w-1)]) - int(row[max(x-r, 0)])
		}
	}
	return out
}

// TestReadMotionNeverLies smears zones sideways by 0.3 to 0.9 of a
// character (docsynth's 15 px motion is 0.5 to 0.9 of one, by format):
// the reader may fail or flag the reading, but must never accept wrong
// characters (a smeared I reads as a Z, and names have no check digit).
// It logs how many are read.
func TestReadMotionNeverLies(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	zones := specimens(t, rng, 9)
	if raceEnabled {
		zones = zones[:4]
	}
	cases := []struct{ pitch, frac float64 }{{18, 0.3}, {18, 0.4}, {18, 0.5}, {18, 0.9}, {24, 0.45}}
	if raceEnabled {
		cases = cases[2:4]
	}
	for _, c := range cases {
		pitch, frac := c.pitch, c.frac
		n := int(frac*pitch) | 1
		var c readTally
		for zi, z := range zones {
			c.add(t, smear(page(t, z, pitch), n), z, fmt.Sprintf("smear %d px, zone %d", n, zi))
		}
		t.Logf("smear %2d px (pitch %.0f): %d/%d exact, %d accepted as valid", n, pitch, c.exact, len(zones), c.valid)
	}
}
