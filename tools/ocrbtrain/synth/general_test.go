package synth

import (
	"image"
	"math/rand/v2"
	"testing"

	"github.com/openidv/openidv/internal/document/ocrb"
)

func inkCount(g *image.Gray) int {
	n := 0
	for _, v := range g.Pix {
		if v < 128 {
			n++
		}
	}
	return n
}

// TestGeneraliseSteps checks what each shape change does to the ink of a
// rendered line: thinning removes ink, thickening adds it, gaps only
// whiten, and blockifying leaves pure black and white of about the same
// amount of ink.
func TestGeneraliseSteps(t *testing.T) {
	o := ocrb.Options{Pitch: 40, Margin: 10}
	src := ocrb.Render("ABEB08<", o)
	before := inkCount(src)
	gapped := Clone(src)
	Gaps(gapped, o.Pitch, 3, rand.New(rand.NewPCG(1, 2)))
	for _, tc := range []struct {
		name     string
		g        *image.Gray
		min, max float64 // bounds on ink relative to before
	}{
		{"erode", Erode(src, 1), 0.2, 0.9},
		{"dilate", Dilate(src, 2), 1.1, 3},
		{"gaps", gapped, 0.5, 0.999},
		{"blockify", Blockify(src, o.Pitch/9, 0.35), 0.7, 1.4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := float64(inkCount(tc.g)) / float64(before)
			if got < tc.min || got > tc.max {
				t.Errorf("ink ratio %.2f, want in [%.2f, %.2f]", got, tc.min, tc.max)
			}
		})
	}
	for i, v := range gapped.Pix {
		if v < src.Pix[i] {
			t.Fatalf("Gaps darkened pixel %d: %d < %d", i, v, src.Pix[i])
		}
	}
	for i, v := range Blockify(src, o.Pitch/9, 0.35).Pix {
		if v != 0 && v != 255 {
			t.Fatalf("Blockify pixel %d is %d, want 0 or 255", i, v)
		}
	}
}
