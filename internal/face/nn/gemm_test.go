package nn

import (
	"fmt"
	"math"
	"testing"
)

// naiveMatMul is the reference row-major product of a (m×k) and b (k×n)
// in float64, with the sums of the absolute products (to scale the
// rounding tolerance of a float32 result).
func naiveMatMul(a, b []float32, m, k, n int) (c, abs []float64) {
	c, abs = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			for l := 0; l < k; l++ {
				p := float64(a[i*k+l]) * float64(b[l*n+j])
				c[i*n+j] += p
				abs[i*n+j] += math.Abs(p)
			}
		}
	}
	return c, abs
}

func TestGEMM(t *testing.T) {
	shapes := []struct{ m, k, n int }{
		{1, 1, 1}, {1, 256, 128}, {3, 5, 16}, {4, 7, 16}, {5, 9, 17},
		{7, 33, 25}, {9, 2304, 256}, {64, 100, 48}, {131, 147, 32}, {300, 64, 8},
	}
	variants := []struct {
		name    string
		simd    bool
		workers int
	}{
		{"generic/1", false, 1}, {"generic/2", false, 2}, {"generic/3", false, 3},
		{"simd/1", true, 1}, {"simd/2", true, 2},
	}
	for _, s := range shapes {
		a := patterned(3, s.m, s.k).Data
		bm := patterned(5, s.k, s.n).Data
		want, abs := naiveMatMul(a, bm, s.m, s.k, s.n)
		packed := packMatrix(bm, s.k, s.n)
		for _, v := range variants {
			if v.simd && !haveSIMD() {
				continue
			}
			t.Run(fmt.Sprintf("%dx%dx%d/%s", s.m, s.k, s.n, v.name), func(t *testing.T) {
				got := make([]float32, s.m*s.n)
				for i := range got {
					got[i] = 99 // every element must be overwritten
				}
				gemmWith(got, a, s.m, &packed, nil, v.workers, v.simd)
				for i, w := range want {
					// float32 sums of k terms drift by a few ulps of the total.
					if d := math.Abs(float64(got[i]) - w); d > 5e-6*abs[i]+1e-6 {
						t.Fatalf("c[%d] = %g, want %g (|diff| %g)", i, got[i], w, d)
					}
				}
			})
		}
	}
}

func TestSplitRange(t *testing.T) {
	tests := []struct {
		n, parts, align int
		want            [][2]int
	}{
		{10, 2, 4, [][2]int{{0, 8}, {8, 10}}},
		{16, 2, 4, [][2]int{{0, 8}, {8, 16}}},
		{5, 3, 1, [][2]int{{0, 1}, {1, 3}, {3, 5}}},
		{1, 2, 1, [][2]int{{0, 0}, {0, 1}}},
	}
	for _, tt := range tests {
		for w, want := range tt.want {
			if a, b := splitRange(tt.n, tt.parts, w, tt.align); a != want[0] || b != want[1] {
				t.Errorf("splitRange(%d, %d, %d, %d) = [%d, %d), want [%d, %d)", tt.n, tt.parts, w, tt.align, a, b, want[0], want[1])
			}
		}
	}
}
