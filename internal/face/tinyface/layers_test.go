package tinyface

import (
	"math"
	"testing"
)

// testActivation returns an h×w×c map of varied values in [-1, 1].
func testActivation(h, w, c int) activation {
	x := activation{h: h, w: w, c: c, data: make([]float32, h*w*c)}
	for i := range x.data {
		x.data[i] = float32(math.Sin(float64(i)*0.37)) * float32(1+i%3) / 3
	}
	return x
}

func TestDepthwise3x3MatchesNaive(t *testing.T) {
	// c = 16 and 32 take the SIMD path when built in; 12 and 3 never do.
	for _, tc := range []struct{ h, w, c int }{{5, 7, 16}, {4, 3, 32}, {6, 5, 12}, {3, 2, 3}, {1, 1, 16}} {
		x := testActivation(tc.h, tc.w, tc.c)
		filter := make([]float32, 9*tc.c)
		for i := range filter {
			filter[i] = float32(i%7)*0.25 - 0.75
		}
		got := make([]float32, tc.h*tc.w*tc.c)
		depthwise3x3(got, x, filter, 0, tc.h)
		want := make([]float32, len(got))
		for y := range tc.h {
			for xx := range tc.w {
				for ch := range tc.c {
					var s float32
					for ky := range 3 {
						for kx := range 3 {
							iy, ix := y+ky-1, xx+kx-1
							if iy >= 0 && iy < tc.h && ix >= 0 && ix < tc.w {
								s += x.data[(iy*tc.w+ix)*tc.c+ch] * filter[(ky*3+kx)*tc.c+ch]
							}
						}
					}
					want[(y*tc.w+xx)*tc.c+ch] = s
				}
			}
		}
		if d := maxAbsDiff(got, want); d > 1e-5 {
			t.Errorf("%dx%dx%d: max difference %g", tc.h, tc.w, tc.c, d)
		}
		// A band of rows equals the same rows of the whole.
		band := make([]float32, 2*tc.w*tc.c)
		if tc.h >= 3 {
			depthwise3x3(band, x, filter, 1, 3)
			if d := maxAbsDiff(band, got[tc.w*tc.c:3*tc.w*tc.c]); d != 0 {
				t.Errorf("%dx%dx%d: rows 1..2 differ by %g", tc.h, tc.w, tc.c, d)
			}
		}
	}
}

func TestLayerPoolMatchesNaive(t *testing.T) {
	for _, tc := range []struct{ h, w, c, stride int }{{6, 8, 16, 2}, {7, 5, 16, 2}, {5, 5, 24, 1}, {3, 3, 4, 2}} {
		conv := testActivation(tc.h, tc.w, tc.c)
		l := layer{cout: tc.c, stride: tc.stride, bias: make([]float32, tc.c)}
		for i := range l.bias {
			l.bias[i] = float32(i%5)*0.1 - 0.2
		}
		oh, ow := (tc.h+tc.stride-1)/tc.stride, (tc.w+tc.stride-1)/tc.stride
		got := activation{h: oh, w: ow, c: tc.c, data: make([]float32, oh*ow*tc.c)}
		l.pool(got, conv.data, 0, oh, 0, tc.h, tc.w)
		for oy := range oh {
			for ox := range ow {
				for ch := range tc.c {
					v := float32(math.Inf(-1))
					for y := oy * tc.stride; y < min(oy*tc.stride+2, tc.h); y++ {
						for x := ox * tc.stride; x < min(ox*tc.stride+2, tc.w); x++ {
							v = max(v, conv.data[(y*tc.w+x)*tc.c+ch])
						}
					}
					v += l.bias[ch]
					if v < 0 {
						v *= leakyAlpha
					}
					if g := got.data[(oy*ow+ox)*tc.c+ch]; g != v {
						t.Errorf("%+v: output (%d, %d, %d) = %v, want %v", tc, oy, ox, ch, g, v)
					}
				}
			}
		}
	}
}
