package mrzocr_test

import (
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/document/mrzocr"
)

// warp returns g resampled through inverse, which maps a pixel centre of
// the result to a point of g (bilinear; grey 90 outside g).
func warp(g *image.Gray, w, h int, inverse func(x, y float64) (float64, float64)) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	b := g.Bounds()
	at := func(x, y int) float64 {
		if x < b.Min.X || y < b.Min.Y || x >= b.Max.X || y >= b.Max.Y {
			return 90
		}
		return float64(g.Pix[(y-b.Min.Y)*g.Stride+x-b.Min.X])
	}
	for y := range h {
		for x := range w {
			sx, sy := inverse(float64(x)+0.5, float64(y)+0.5)
			sx, sy = sx-0.5, sy-0.5
			x0, y0 := math.Floor(sx), math.Floor(sy)
			fx, fy := sx-x0, sy-y0
			ix, iy := int(x0), int(y0)
			top := at(ix, iy)*(1-fx) + at(ix+1, iy)*fx
			bot := at(ix, iy+1)*(1-fx) + at(ix+1, iy+1)*fx
			out.Pix[y*out.Stride+x] = uint8(math.Round(top*(1-fy) + bot*fy))
		}
	}
	return out
}

// slanted shears g so that strokes lean by s (x moves by -s per pixel
// down: s > 0 leans them right), about its middle row.
func slanted(g *image.Gray, s float64) *image.Gray {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	m := int(math.Abs(s)*float64(h)/2) + 1
	mid := float64(h) / 2
	return warp(g, w+2*m, h, func(x, y float64) (float64, float64) {
		return x - float64(m) + s*(y-mid), y
	})
}

// bowed bends g's rows into arcs that sag by depth·height at the middle
// column relative to the edges (a page curling towards the camera).
func bowed(g *image.Gray, depth float64) *image.Gray {
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	m := int(math.Abs(depth)*float64(h)) + 1
	return warp(g, w, h+2*m, func(x, y float64) (float64, float64) {
		t := 2*x/float64(w) - 1
		return x, y - float64(m) - depth*float64(h)*(1-t*t)
	})
}

// TestReadSlantedAndBowed reads zones whose glyphs lean (a document
// photographed from one side, or slanted print) and whose lines bow (a
// curled page): the cells must follow the slant and the curve.
func TestReadSlantedAndBowed(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	zones := specimens(t, rng, 3)
	if raceEnabled {
		zones = zones[:3]
	}
	tests := []struct {
		name string
		fn   func(*image.Gray) *image.Gray
	}{
		{"slant 0.2", func(g *image.Gray) *image.Gray { return slanted(g, 0.2) }},
		{"slant -0.2", func(g *image.Gray) *image.Gray { return slanted(g, -0.2) }},
		{"bow 0.02", func(g *image.Gray) *image.Gray { return bowed(g, 0.02) }},
		{"bow -0.02", func(g *image.Gray) *image.Gray { return bowed(g, -0.02) }},
		{"slant 0.15 and bow 0.02", func(g *image.Gray) *image.Gray { return bowed(slanted(g, 0.15), 0.02) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for zi, z := range zones {
				rd, err := mrzocr.Read(tt.fn(page(t, z, 22)), now)
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
