package nn

import (
	"fmt"
	"testing"
)

// BenchmarkDescribeChip times one descriptor of an aligned 150×150 chip.
func BenchmarkDescribeChip(b *testing.B) {
	r := newTestRecognizer(b)
	chip := gradientImage(ChipSize, ChipSize)
	if _, err := r.DescribeChip(chip); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.DescribeChip(chip); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDescribe640x480 times a whole-frame descriptor, including
// face-api's padding and resizing of a 640×480 image.
func BenchmarkDescribe640x480(b *testing.B) {
	r := newTestRecognizer(b)
	img := gradientImage(640, 480)
	if _, err := r.Describe(img); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Describe(img); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGEMM times the matrix products of the network's conv shapes
// (M = output positions, K = kernel window, N = output channels) with the
// portable Go kernel and the SIMD one; "MB/s" reads as MFLOP/s.
func BenchmarkGEMM(b *testing.B) {
	shapes := []struct{ m, k, n int }{
		{5184, 147, 32}, // conv32_down
		{1225, 288, 32}, // conv32_x
		{289, 576, 64},  // conv64_x
		{64, 1152, 128}, // conv128_x
		{16, 2304, 256}, // conv256_x
	}
	for _, s := range shapes {
		for _, simd := range []bool{false, true} {
			if simd && !haveSIMD() {
				continue
			}
			for _, workers := range []int{1, 2} {
				name := fmt.Sprintf("%dx%dx%d/simd=%v/workers=%d", s.m, s.k, s.n, simd, workers)
				b.Run(name, func(b *testing.B) {
					a := patterned(3, s.m, s.k).Data
					w := packMatrix(patterned(5, s.k, s.n).Data, s.k, s.n)
					c := make([]float32, s.m*s.n)
					b.SetBytes(int64(2 * s.m * s.k * s.n))
					b.ReportAllocs()
					for b.Loop() {
						gemmWith(c, a, s.m, &w, nil, workers, simd)
					}
				})
			}
		}
	}
}
