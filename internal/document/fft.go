package document

import (
	"math"
	"math/bits"
)

// fft2 replaces the n×n row-major grid a (n a power of two) by its 2-D
// discrete Fourier transform, in place.
func fft2(a []complex128, n int) {
	col := make([]complex128, n)
	tw := twiddles(n)
	for y := range n {
		fft(a[y*n:(y+1)*n], tw)
	}
	for x := range n {
		for y := range n {
			col[y] = a[y*n+x]
		}
		fft(col, tw)
		for y := range n {
			a[y*n+x] = col[y]
		}
	}
}

// twiddles returns e^(−2πik/n) for k < n/2.
func twiddles(n int) []complex128 {
	tw := make([]complex128, n/2)
	for k := range tw {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		tw[k] = complex(c, s)
	}
	return tw
}

// fft replaces a (its length n a power of two) by its discrete Fourier
// transform: iterative radix-2 Cooley–Tukey; tw is twiddles(n).
func fft(a []complex128, tw []complex128) {
	n := len(a)
	if n < 2 {
		return
	}
	shift := 64 - uint(bits.Len(uint(n-1)))
	for i := range n {
		if j := int(bits.Reverse64(uint64(i)) >> shift); j > i {
			a[i], a[j] = a[j], a[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half, stride := size/2, n/size
		for k := range half {
			w := tw[k*stride]
			for start := 0; start < n; start += size {
				i, j := start+k, start+k+half
				t := w * a[j]
				a[i], a[j] = a[i]+t, a[i]-t
			}
		}
	}
}
