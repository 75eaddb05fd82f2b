//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// haveSIMD reports whether the CPU runs the AVX2+FMA micro-kernel.
func haveSIMD() bool { return cpu.X86.HasAVX2 && cpu.X86.HasFMA }

// kernel4x16SIMD stores the product of the 4×K row-major rows and a
// packed K×16 panel into c, rows ldc apart, with AVX2 FMA.
func kernel4x16SIMD(k int, rows, panel, c []float32, ldc int) {
	if k < 1 || len(rows) < 4*k || len(panel) < k*panelWidth || len(c) < 3*ldc+panelWidth {
		panic("nn: kernel4x16SIMD operands too short")
	}
	kernel4x16AVX2(k, rows, panel, c, ldc)
}

// kernel4x16AVX2 is implemented in gemm_amd64.s. It reads 4 rows of k
// values from rows (k apart), k×16 values from panel and writes 16
// values to each of 4 rows of c, ldc apart. k must be at least 1.
//
//go:noescape
func kernel4x16AVX2(k int, rows, panel, c []float32, ldc int)

// kernel1x16SIMD stores the product of one row of k values and a packed
// K×16 panel into c[:16] with AVX2 FMA.
func kernel1x16SIMD(row, panel, c []float32) {
	k := len(row)
	if len(panel) < k*panelWidth || len(c) < panelWidth {
		panic("nn: kernel1x16SIMD operands too short")
	}
	kernel1x16AVX2(k, row, panel, c)
}

// kernel1x16AVX2 is implemented in gemm_amd64.s.
//
//go:noescape
func kernel1x16AVX2(k int, row, panel, c []float32)
