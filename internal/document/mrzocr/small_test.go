package mrzocr_test

import (
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
			exact, valid := 0, 0
			for _, z := range zones {
				rd, err := mrzocr.Read(synth.JPEG(synth.Blur(page(t, z, pitch), blur), 80), now)
				if err != nil {
					continue
				}
				ok := strings.Join(rd.Lines, "") == strings.Join(z, "")
				if ok {
					exact++
				}
				if rd.Result.Valid {
					valid++
					if !ok {
						t.Errorf("pitch %.0f blur %.1f: valid but wrong: %q, want %q", pitch, blur, rd.Lines, z)
					}
				}
			}
			t.Logf("pitch %.0f px, blur σ%.1f, JPEG 80: %d/%d exact, %d accepted as valid", pitch, blur, exact, len(zones), valid)
		}
	}
}
