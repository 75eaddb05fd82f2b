package document_test

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/openidv/openidv/internal/document"
)

// TestGlareShapes checks which clipped-white shapes on a grey document
// count as glare: a reflection is a compact, roundish blob; a thin white
// strip (a page margin along an edge, white framed by a line), straight
// or slanted, is not.
func TestGlareShapes(t *testing.T) {
	disc := func(x, y float64) bool { return math.Hypot(x-100, y-80) < 14 }
	ellipse := func(x, y float64) bool { return math.Hypot((x-100)/2.5, y-80) < 10 }
	strip := func(x, y float64) bool { return x > 20 && x < 180 && y > 20 && y < 28 }
	slanted := func(x, y float64) bool { return x > 30 && x < 170 && math.Abs(y-0.5*x-20) < 5 }
	frame := func(x, y float64) bool { return x > 150 && x < 165 && y > 20 && y < 140 }
	tests := []struct {
		name  string
		shape func(x, y float64) bool
		glare bool
	}{
		{"disc", disc, true},
		{"ellipse 2.5:1", ellipse, true},
		{"horizontal strip", strip, false},
		{"slanted strip", slanted, false},
		{"tall framed white", frame, false},
	}
	for _, tt := range tests {
		img := image.NewRGBA(image.Rect(0, 0, 200, 160))
		for y := range 160 {
			for x := range 200 {
				c := color.RGBA{150, 150, 140, 255}
				if tt.shape(float64(x)+0.5, float64(y)+0.5) {
					c = color.RGBA{255, 255, 255, 255}
				}
				img.SetRGBA(x, y, c)
			}
		}
		q := document.Assess(img, nil, document.Regions{Document: document.RectQuad(200, 160)})
		if got := q.Glare > 0; got != tt.glare {
			t.Errorf("%s: glare %.4f, want glare %v", tt.name, q.Glare, tt.glare)
		}
	}
}
