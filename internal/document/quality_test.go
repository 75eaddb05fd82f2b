package document_test

import (
	"testing"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
)

// TestQualityRatesOnVariants measures the sharpness, glare and exposure
// gates on the synthetic variants, with the ground-truth document and MRZ
// outlines (detection is tested separately), and reports true and false
// positive rates. It fails when a rate misses its floor.
func TestQualityRatesOnVariants(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("renders a synthetic set")
	}
	samples := fullSet(t)
	cfg := document.DefaultQualityConfig()
	type rate struct{ tp, fn, fp, tn int }
	var sharp, gl rate
	count := func(r *rate, want, got bool) {
		switch {
		case want && got:
			r.tp++
		case want:
			r.fn++
		case got:
			r.fp++
		default:
			r.tn++
		}
	}
	for _, s := range samples {
		q := document.Assess(s.Image, nil, document.Regions{Document: s.Quad, MRZ: s.MRZQuad})
		var gotSharp, gotGlare bool
		for _, is := range cfg.Check(q) {
			gotSharp = gotSharp || is.Code == document.IssueBlurred || is.Code == document.IssueMRZBlurred
			gotGlare = gotGlare || is.Reason == document.ReasonGlareDetected
		}
		t.Logf("%-28s sharp=%7.1f iso=%.2f mrz=%7.1f glare=%.4f onMRZ=%v bright=%5.1f w=%4.0f issues=%v",
			s.Name, q.Sharpness, q.Isotropy, q.MRZSharpness, q.Glare, q.GlareOnMRZ, q.Brightness, q.Width, cfg.Check(q))
		// A screen's stripes make its second derivative anisotropic
		// (it is rejected as a recapture anyway).
		if s.Variant != docsynth.LowLight && s.Variant != docsynth.Half && s.Variant != docsynth.Screen {
			count(&sharp, s.Variant.Blurred(), gotSharp)
		}
		count(&gl, s.Variant.Glared(), gotGlare)
	}
	report := func(name string, r rate) {
		tpr := float64(r.tp) / float64(max(1, r.tp+r.fn))
		fpr := float64(r.fp) / float64(max(1, r.fp+r.tn))
		t.Logf("%s: TPR %.3f (%d/%d), FPR %.3f (%d/%d)", name, tpr, r.tp, r.tp+r.fn, fpr, r.fp, r.fp+r.tn)
		if tpr < 0.9 || fpr > 0.1 {
			t.Errorf("%s: TPR %.3f FPR %.3f, want TPR ≥ 0.9 and FPR ≤ 0.1", name, tpr, fpr)
		}
	}
	report("lowSharpness", sharp)
	report("glareDetected", gl)
}
