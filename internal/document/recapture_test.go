package document_test

import (
	"image"
	"image/color"
	"math"
	"math/rand"
	"testing"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
)

// TestScreenScorePatterns checks the recapture score on flat cards: blank
// paper and a fine grey print pattern (a halftone at 45°, as on some
// passports' backgrounds) are not a screen; the same card seen through a
// grid of RGB stripe sub-pixels is.
func TestScreenScorePatterns(t *testing.T) {
	paper := func(x, y int) [3]float64 { return [3]float64{225, 222, 215} }
	halftone := func(x, y int) [3]float64 {
		v := 205 + 20*math.Cos(2*math.Pi*float64(x+y)/3.4)*math.Cos(2*math.Pi*float64(x-y)/3.4)
		return [3]float64{v, v, v - 8}
	}
	stripes := func(x, y int) [3]float64 {
		// A screen pixel is 2.6 photo pixels wide; each photo pixel
		// averages the stripe light falling on it.
		var c [3]float64
		const pitch, k = 2.6, 8
		for i := range k {
			sx := (float64(x) + (float64(i)+0.5)/k) / pitch
			ch := int((sx - math.Floor(sx)) * 3)
			c[ch] += 3 * 225 / k
		}
		if math.Mod(float64(y)/pitch, 1) > 0.75 {
			c = [3]float64{c[0] * 0.3, c[1] * 0.3, c[2] * 0.3}
		}
		return c
	}
	tests := []struct {
		name   string
		pixel  func(x, y int) [3]float64
		screen bool
	}{
		{"blank paper", paper, false},
		{"grey halftone", halftone, false},
		{"RGB stripe grid", stripes, true},
	}
	cfg := document.DefaultQualityConfig()
	for _, tt := range tests {
		r := rand.New(rand.NewSource(1))
		img := image.NewRGBA(image.Rect(0, 0, 480, 320))
		for y := range 320 {
			for x := range 480 {
				c := tt.pixel(x, y)
				n := r.NormFloat64() * 2
				img.SetRGBA(x, y, color.RGBA{clamp(c[0] + n), clamp(c[1] + n), clamp(c[2] + n), 255})
			}
		}
		q := document.Assess(img, nil, document.Regions{Document: document.RectQuad(480, 320)})
		t.Logf("%s: screen score %.4f", tt.name, q.Screen)
		if got := q.Screen > cfg.MaxScreen; got != tt.screen {
			t.Errorf("%s: screen score %.4f (limit %.4f), want a screen: %v", tt.name, q.Screen, cfg.MaxScreen, tt.screen)
		}
		// The same pixels in an image whose bounds do not start at the
		// origin score the same.
		moved := image.NewRGBA(img.Rect.Add(image.Pt(7, 5)))
		copy(moved.Pix, img.Pix)
		if got := document.Assess(moved, nil, document.Regions{Document: document.RectQuad(480, 320)}).Screen; got != q.Screen {
			t.Errorf("%s: screen score %.4f with bounds %v, want %.4f", tt.name, got, moved.Rect, q.Screen)
		}
	}
}

func clamp(v float64) uint8 { return uint8(min(max(math.Round(v), 0), 255)) }

// TestScreenRecaptureRates measures the recapture check on the synthetic
// set, with the ground-truth outlines: the true positive rate on the
// screen variant and the false positive rate on every other variant. It
// fails on any false positive or a true positive rate under 0.8.
func TestScreenRecaptureRates(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("renders a synthetic set")
	}
	cfg := document.DefaultQualityConfig()
	var tp, fn, fp, tn int
	var lowest float64 = math.Inf(1)
	highest := 0.0
	for _, s := range fullSet(t) {
		q := document.Assess(s.Image, nil, document.Regions{Document: s.Quad, MRZ: s.MRZQuad})
		got := false
		for _, is := range cfg.Check(q) {
			got = got || is.Code == document.IssueScreenRecapture
		}
		want := s.Variant == docsynth.Screen
		switch {
		case want && got:
			tp++
		case want:
			fn++
			t.Logf("%s: screen score %.4f, not flagged", s.Name, q.Screen)
		case got:
			fp++
			t.Errorf("%s: screen score %.4f, flagged as a screen", s.Name, q.Screen)
		default:
			tn++
		}
		if want {
			lowest = min(lowest, q.Screen)
		} else {
			highest = max(highest, q.Screen)
		}
	}
	tpr := float64(tp) / float64(max(1, tp+fn))
	t.Logf("screen_recapture: TPR %.3f (%d/%d), FPR %.3f (%d/%d); score on screens ≥ %.4f, on the rest ≤ %.4f (limit %.4f)",
		tpr, tp, tp+fn, float64(fp)/float64(max(1, fp+tn)), fp, fp+tn, lowest, highest, cfg.MaxScreen)
	if tpr < 0.8 {
		t.Errorf("screen_recapture TPR %.3f, want ≥ 0.8", tpr)
	}
}
