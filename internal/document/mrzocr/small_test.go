package mrzocr_test

import (
	"fmt"
	"image"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/document/mrzocr"
	"github.com/openidv/openidv/tools/ocrbtrain/synth"
)

// TestReadSmallNeverLies reads zones printed at 6–9 px per character,
// blurred and JPEG-compressed, down to where reading fails: it logs how
// many are read exactly and requires that none comes back valid with
// wrong characters (the check digits cannot tell F from P or 0 from A, so
// the classifier's confidence must).
func TestReadSmallNeverLies(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	zones := specimens(t, rng, 9)
	pitches := []float64{6, 7, 9}
	if raceEnabled {
		zones, pitches = zones[:4], []float64{7}
	}
	for _, pitch := range pitches {
		for _, blur := range []float64{0, 0.8, 1.2} {
			var c readTally
			for _, z := range zones {
				c.add(t, synth.JPEG(synth.Blur(page(t, z, pitch), blur), 80), z, fmt.Sprintf("pitch %.0f blur %.1f", pitch, blur))
			}
			t.Logf("pitch %.0f px, blur σ%.1f, JPEG 80: %d/%d exact, %d accepted as valid", pitch, blur, c.exact, len(zones), c.valid)
		}
	}
}

// readTally counts exact and valid readings of zones, failing the test on a
// reading whose check digits pass with wrong characters.
type readTally struct{ exact, valid int }

// add reads img, whose zone is want; what names the case in errors.
func (c *readTally) add(t *testing.T, img *image.Gray, want []string, what string) {
	t.Helper()
	rd, err := mrzocr.Read(img, now)
	if err != nil {
		return
	}
	ok := strings.Join(rd.Lines, "") == strings.Join(want, "")
	if ok {
		c.exact++
	}
	if rd.Result.Valid {
		c.valid++
		if !ok {
			t.Errorf("%s: valid but wrong: %q, want %q", what, rd.Lines, want)
		}
	}
}
