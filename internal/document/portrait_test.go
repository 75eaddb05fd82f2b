package document_test

import (
	"testing"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/face"
)

// TestPortraitSynthetic finds the holder's face on synthetic documents
// carrying the shared face crops: the face box's centre must lie inside
// the printed photo and the crop must hold it.
func TestPortraitSynthetic(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("renders a synthetic set")
	}
	if len(portraits(t)) == 0 {
		t.Skip("shared face crops absent")
	}
	// pigo alone, as the CLI runs it: the TinyFaceDetector fallback finds
	// "faces" in the printed text when pigo misses the photo.
	fe, err := face.NewEngine(face.DefaultConfig(), face.Models{})
	if err != nil {
		t.Fatal(err)
	}
	samples := only(fullSet(t), nil, docsynth.Clean, docsynth.Perspective, docsynth.Rotation)
	found := 0
	for _, s := range samples {
		rep, err := document.Inspect(s.Image, document.Options{Now: now, Faces: fe})
		if err != nil {
			t.Fatal(err)
		}
		p := rep.Portrait
		if p == nil {
			t.Logf("%s: no portrait", s.Name)
			continue
		}
		c := p.Box.Center()
		if !s.Portrait.Contains(document.Point{X: c.X, Y: c.Y}) {
			t.Errorf("%s: face centre %v outside the printed photo %v", s.Name, c, s.Portrait)
			continue
		}
		if p.Crop == nil {
			t.Errorf("%s: no crop", s.Name)
		} else if p.Crop.Rect.Dx() < int(p.Box.Width*0.8) {
			t.Errorf("%s: crop %v smaller than the face %v", s.Name, p.Crop.Rect, p.Box)
		}
		found++
	}
	t.Logf("portrait found on %d/%d", found, len(samples))
	if found < len(samples)*8/10 {
		t.Errorf("portrait found on %d/%d, want ≥ 80 %%", found, len(samples))
	}
}
