package imaging

import (
	"image"
	"image/color"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// gradient is a w×h colour test pattern.
func gradient(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) * 7), 255})
		}
	}
	return m
}

// TestToGrayFastPaths checks every fast path against image/color's
// conversion of the same pixels (within 1 level: rounding differs).
func TestToGrayFastPaths(t *testing.T) {
	src := gradient(37, 23)
	ycc := image.NewYCbCr(src.Rect, image.YCbCrSubsampleRatio444)
	nrgba := image.NewNRGBA(src.Rect)
	gray := image.NewGray(src.Rect)
	for y := 0; y < 23; y++ {
		for x := 0; x < 37; x++ {
			c := src.RGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)], ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = yy, cb, cr
			nrgba.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, 255})
			gray.SetGray(x, y, color.GrayModel.Convert(c).(color.Gray))
		}
	}
	sub := src.SubImage(image.Rect(5, 3, 30, 20))
	for name, img := range map[string]image.Image{
		"rgba": src, "ycbcr": ycc, "nrgba": nrgba, "gray": gray, "rgba sub-image": sub,
		"rgba64 (generic)": toRGBA64(src), "ycbcr sub-image": ycc.SubImage(image.Rect(2, 2, 20, 21)),
	} {
		g := ToGray(img)
		b := img.Bounds()
		if g.Rect != image.Rect(0, 0, b.Dx(), b.Dy()) {
			t.Fatalf("%s: bounds got %v, want %dx%d at origin", name, g.Rect, b.Dx(), b.Dy())
		}
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				want := int(color.GrayModel.Convert(src.At(b.Min.X+x, b.Min.Y+y)).(color.Gray).Y)
				if got := int(g.GrayAt(x, y).Y); got < want-1 || got > want+1 {
					t.Fatalf("%s (%d,%d): got %d, want %d±1", name, x, y, got, want)
				}
			}
		}
	}
}

func toRGBA64(m *image.RGBA) *image.RGBA64 {
	out := image.NewRGBA64(m.Rect)
	for y := m.Rect.Min.Y; y < m.Rect.Max.Y; y++ {
		for x := m.Rect.Min.X; x < m.Rect.Max.X; x++ {
			out.Set(x, y, m.At(x, y))
		}
	}
	return out
}

func TestToRGBAKeepsOriginImage(t *testing.T) {
	m := gradient(4, 4)
	if got := ToRGBA(m); got != m {
		t.Errorf("ToRGBA of an origin *image.RGBA: got a copy, want the same image")
	}
	sub := m.SubImage(image.Rect(1, 1, 3, 3))
	got := ToRGBA(sub)
	if got.Rect != image.Rect(0, 0, 2, 2) || got.RGBAAt(0, 0) != m.RGBAAt(1, 1) {
		t.Errorf("ToRGBA of a sub-image: got %v %v, want 2x2 starting at %v", got.Rect, got.RGBAAt(0, 0), m.RGBAAt(1, 1))
	}
}

func TestResizeGray(t *testing.T) {
	// 4×2 blocks of 2×2: shrinking to 2×1 averages each block exactly.
	src := image.NewGray(image.Rect(0, 0, 4, 2))
	copy(src.Pix, []uint8{0, 10, 100, 200, 20, 30, 100, 0})
	tests := []struct {
		name string
		w, h int
		want []uint8
	}{
		{"halve", 2, 1, []uint8{15, 100}},
		{"same size", 4, 2, []uint8{0, 10, 100, 200, 20, 30, 100, 0}},
		{"to 1x1", 1, 1, []uint8{58}},
		{"non-integer 3x1", 3, 1, []uint8{13, 60, 100}}, // column means 10, 20, 100, 100 over 4/3-wide cells
	}
	for _, tt := range tests {
		got := ResizeGray(src, tt.w, tt.h)
		if diff := cmp.Diff(tt.want, got.Pix); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	// Enlarging a flat image keeps it flat.
	flat := image.NewGray(image.Rect(0, 0, 3, 3))
	for i := range flat.Pix {
		flat.Pix[i] = 77
	}
	for i, v := range ResizeGray(flat, 10, 7).Pix {
		if v != 77 {
			t.Fatalf("enlarged flat image: pixel %d got %d, want 77", i, v)
		}
	}
}

func TestFitSize(t *testing.T) {
	tests := []struct {
		w, h, max int
		ww, wh    int
		wscale    float64
	}{
		{640, 480, 800, 640, 480, 1},
		{1600, 1200, 800, 800, 600, 0.5},
		{768, 1366, 800, 450, 800, 800.0 / 1366},
		{1, 100000, 800, 1, 800, 0.008},
	}
	for _, tt := range tests {
		w, h, s := FitSize(tt.w, tt.h, tt.max)
		if w != tt.ww || h != tt.wh || s != tt.wscale {
			t.Errorf("FitSize(%d, %d, %d): got %d, %d, %g, want %d, %d, %g", tt.w, tt.h, tt.max, w, h, s, tt.ww, tt.wh, tt.wscale)
		}
	}
}
