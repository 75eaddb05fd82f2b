package tinyface

import (
	"image"
	"image/color"
	"math"
	"testing"
)

// atOnly hides the concrete type of an image so that preprocess takes its
// generic image.At path.
type atOnly struct{ image.Image }

func TestPreprocessFastPathsMatchGeneric(t *testing.T) {
	src := gradient(61, 37)
	gray := image.NewGray(image.Rect(5, 7, 66, 44)) // non-zero origin
	nrgba := image.NewNRGBA(src.Bounds())
	ycc := image.NewYCbCr(src.Bounds(), image.YCbCrSubsampleRatio420)
	for y := range 37 {
		for x := range 61 {
			c := src.RGBAAt(x, y)
			nrgba.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, 255})
			gray.SetGray(x+5, y+7, color.Gray{c.G})
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)] = yy
			ycc.Cb[ycc.COffset(x, y)] = cb
			ycc.Cr[ycc.COffset(x, y)] = cr
		}
	}
	sub := image.NewRGBA(image.Rect(0, 0, 80, 50))
	for y := range 37 {
		copy(sub.Pix[sub.PixOffset(10, y+3):], src.Pix[src.PixOffset(0, y):src.PixOffset(61, y)])
	}
	tests := []struct {
		name string
		img  image.Image
	}{
		{"RGBA", src},
		{"NRGBA", nrgba},
		{"Gray", gray},
		{"YCbCr", ycc},
		{"RGBA sub-image", sub.SubImage(image.Rect(10, 3, 71, 40))},
	}
	for _, tc := range tests {
		for _, size := range []int{32, 64, 96} {
			got := preprocess(tc.img, size, 2)
			want := preprocess(atOnly{tc.img}, size, 1)
			if d := maxAbsDiff(got.data, want.data); d != 0 {
				t.Errorf("%s at %d: fast path differs from image.At by %g", tc.name, size, d)
			}
		}
	}
	// The sub-image must give the same input as the image it shows.
	if d := maxAbsDiff(preprocess(tests[4].img, 64, 3).data, preprocess(src, 64, 1).data); d != 0 {
		t.Errorf("sub-image input differs from the original by %g", d)
	}
}

func TestPreprocessPadsBottomRight(t *testing.T) {
	// A 64×32 white image at input size 64: no scaling; the top half is
	// (255 - mean)/255 and the bottom half, padding, is (0 - mean)/255.
	img := image.NewGray(image.Rect(0, 0, 64, 32))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	x := preprocess(img, 64, 2)
	mean := [3]float32{meanR, meanG, meanB}
	for _, p := range [][2]int{{0, 0}, {63, 31}, {10, 32}, {63, 63}} {
		for c := range 3 {
			got := x.data[(p[1]*64+p[0])*3+c]
			want := (255 - mean[c]) / 255
			if p[1] >= 32 {
				want = -mean[c] / 255
			}
			if got != want {
				t.Errorf("pixel %v channel %d: got %v, want %v", p, c, got, want)
			}
		}
	}
}

func TestNewAxisTaps(t *testing.T) {
	// TensorFlow's legacy resize of 5 source pixels to 2: positions 0 and
	// 2.5 → (0, 1, 0) and (2, 3, 0.5).
	got := newAxisTaps(5, 2)
	want := axisTaps{lo: []int{0, 2}, hi: []int{1, 3}, frac: []float32{0, 0.5}}
	for i := range 2 {
		if got.lo[i] != want.lo[i] || got.hi[i] != want.hi[i] || got.frac[i] != want.frac[i] {
			t.Errorf("tap %d: got (%d, %d, %v), want (%d, %d, %v)", i, got.lo[i], got.hi[i], got.frac[i], want.lo[i], want.hi[i], want.frac[i])
		}
	}
	// Upsampling clamps the last tap at the border.
	up := newAxisTaps(2, 4)
	if up.lo[3] != 1 || up.hi[3] != 1 || up.frac[3] != 0.5 {
		t.Errorf("last upsampling tap: got (%d, %d, %v), want (1, 1, 0.5)", up.lo[3], up.hi[3], up.frac[3])
	}
}

func maxAbsDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}
