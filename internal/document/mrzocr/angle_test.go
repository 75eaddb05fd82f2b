package mrzocr_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/document/mrzocr"
	"github.com/openidv/openidv/tools/ocrbtrain/synth"
)

// TestReadAnyAngle reads pages turned by angles between those the upright
// and quarter-turned searches reach (each about ±20°): the text's
// direction, measured from neighbouring glyphs, turns the search.
func TestReadAnyAngle(t *testing.T) {
	zones := specimens(t, nil, 0) // TD3, TD2 and TD1
	angles := []float64{25, 35, 45, 55, 65, -30, -50, 140, 230}
	if raceEnabled {
		angles = []float64{35, -50}
	}
	for _, deg := range angles {
		t.Run(fmt.Sprint(deg), func(t *testing.T) {
			for zi, z := range zones {
				rd, err := mrzocr.Read(synth.Rotate(pad(page(t, z, 20)), deg, 90), now)
				if err != nil {
					t.Errorf("zone %d: %v", zi, err)
					continue
				}
				if got, want := strings.Join(rd.Lines, "\n"), strings.Join(z, "\n"); got != want || !rd.Result.Valid {
					t.Errorf("zone %d: got\n%s\nwant\n%s\nvalid %v, problems %v", zi, got, want, rd.Result.Valid, rd.Result.Problems)
				}
			}
		})
	}
}
