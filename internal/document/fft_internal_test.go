package document

import (
	"math"
	"math/cmplx"
	"math/rand"
	"testing"
)

// TestFFT2 compares fft2 with the 2-D DFT computed from its definition.
func TestFFT2(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, n := range []int{1, 2, 8, 16} {
		a := make([]complex128, n*n)
		for i := range a {
			a[i] = complex(r.Float64()*255, 0)
		}
		want := make([]complex128, n*n)
		for v := range n {
			for u := range n {
				var s complex128
				for y := range n {
					for x := range n {
						s += a[y*n+x] * cmplx.Exp(complex(0, -2*math.Pi*float64(u*x+v*y)/float64(n)))
					}
				}
				want[v*n+u] = s
			}
		}
		fft2(a, n)
		for i := range a {
			if cmplx.Abs(a[i]-want[i]) > 1e-6*float64(n*n) {
				t.Fatalf("n=%d: bin %d = %v, want %v", n, i, a[i], want[i])
			}
		}
	}
}
