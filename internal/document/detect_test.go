package document_test

import (
	"math"
	"testing"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/imaging"
)

// cornerError is the largest distance between matching corners, as a
// fraction of the true document's width.
func cornerError(got, want document.Quad) float64 {
	w, _ := want.Sides()
	worst := 0.0
	for i := range got {
		worst = math.Max(worst, math.Hypot(got[i].X-want[i].X, got[i].Y-want[i].Y))
	}
	return worst / w
}

// TestDetectSynthetic finds the document of every geometric and
// photometric variant within 3 % of its width (4 % with noise) at each
// corner (not required of a screen recapture).
func TestDetectSynthetic(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("renders a synthetic set")
	}
	samples := fullSet(t)
	found := 0
	for _, s := range samples {
		d := document.Detect(imaging.ToGray(s.Image))
		e := cornerError(d.Quad, s.Quad)
		t.Logf("%-30s found=%v err=%.3f cov=%.2f fill=%.2f content=%.3f others=%d", s.Name, d.Found, e, d.Coverage, d.Fill, d.Content, d.Others)
		tol := 0.03
		if s.Variant == docsynth.Noise {
			tol = 0.04
		}
		if d.Found && e <= tol && d.Others == 0 {
			found++
		} else if s.Variant != docsynth.BlurStrong && s.Variant != docsynth.LowLight && s.Variant != docsynth.Screen {
			// On a recapture the lit screen is as much the "document"
			// as the one shown on it; the recapture check rejects both.
			t.Errorf("%s: found %v, corner error %.3f, others %d", s.Name, d.Found, e, d.Others)
		}
	}
	t.Logf("detected %d/%d within 3 %%", found, len(samples))
}
