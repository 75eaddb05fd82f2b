//go:build amd64 && !purego

#include "textflag.h"

// func kernel4x16AVX2(k int, rows, panel, c []float32, ldc int)
// Accumulators: Y0..Y7 = rows 0..3 × (cols 0-7, cols 8-15).
TEXT ·kernel4x16AVX2(SB), NOSPLIT, $0-88
	MOVQ k+0(FP), CX
	MOVQ rows_base+8(FP), SI
	MOVQ panel_base+32(FP), DI
	MOVQ c_base+56(FP), DX
	MOVQ ldc+80(FP), R9
	MOVQ CX, R8
	SHLQ $2, R8           // R8 = k*4 bytes between A rows
	SHLQ $2, R9           // R9 = ldc*4 bytes between C rows
	LEAQ (SI)(R8*2), R10  // R10 = row 2
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

loop:
	VMOVUPS      (DI), Y8
	VMOVUPS      32(DI), Y9
	VBROADCASTSS (SI), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VBROADCASTSS (SI)(R8*1), Y11
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VBROADCASTSS (R10), Y12
	VFMADD231PS  Y8, Y12, Y4
	VFMADD231PS  Y9, Y12, Y5
	VBROADCASTSS (R10)(R8*1), Y13
	VFMADD231PS  Y8, Y13, Y6
	VFMADD231PS  Y9, Y13, Y7
	ADDQ         $4, SI
	ADDQ         $4, R10
	ADDQ         $64, DI
	DECQ         CX
	JNZ          loop

	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ    R9, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ    R9, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ    R9, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET

// func kernel1x16AVX2(k int, row, panel, c []float32)
// Two accumulator pairs (even and odd k) hide the FMA latency.
TEXT ·kernel1x16AVX2(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), CX
	MOVQ row_base+8(FP), SI
	MOVQ panel_base+32(FP), DI
	MOVQ c_base+56(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   CX, BX
	SHRQ   $1, BX
	JZ     tail

pairs:
	VBROADCASTSS (SI), Y4
	VFMADD231PS  (DI), Y4, Y0
	VFMADD231PS  32(DI), Y4, Y1
	VBROADCASTSS 4(SI), Y5
	VFMADD231PS  64(DI), Y5, Y2
	VFMADD231PS  96(DI), Y5, Y3
	ADDQ         $8, SI
	ADDQ         $128, DI
	DECQ         BX
	JNZ          pairs

tail:
	ANDQ         $1, CX
	JZ           done
	VBROADCASTSS (SI), Y4
	VFMADD231PS  (DI), Y4, Y0
	VFMADD231PS  32(DI), Y4, Y1

done:
	VADDPS  Y2, Y0, Y0
	VADDPS  Y3, Y1, Y1
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VZEROUPPER
	RET
