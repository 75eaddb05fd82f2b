//go:build !amd64 || purego

package nn

// haveSIMD reports whether kernel4x16SIMD may be used: never in this
// build.
func haveSIMD() bool { return false }

// kernel4x16SIMD is not available in this build.
func kernel4x16SIMD(k int, rows, panel, c []float32, ldc int) {
	panic("nn: no SIMD kernel in this build")
}

// kernel1x16SIMD is not available in this build.
func kernel1x16SIMD(row, panel, c []float32) {
	panic("nn: no SIMD kernel in this build")
}
