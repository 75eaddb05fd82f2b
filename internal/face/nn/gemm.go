package nn

import "sync"

// panelWidth is the number of output columns one micro-kernel call
// computes; a packed matrix stores its columns in panels of this width.
const panelWidth = 16

// packedMatrix is a K×N right-hand GEMM operand (typically conv weights
// reshaped from HWIO to [kh*kw*cin, cout]) stored panel by panel: panel p
// holds rows 0..K-1 of columns 16p..16p+15 contiguously, zero-padded past
// N. Packing once at load time keeps each panel contiguous for the kernel.
type packedMatrix struct {
	k, n int
	data []float32
}

// packMatrix packs the row-major K×N matrix b.
func packMatrix(b []float32, k, n int) packedMatrix {
	panels := (n + panelWidth - 1) / panelWidth
	data := make([]float32, panels*k*panelWidth)
	for p := 0; p < panels; p++ {
		dst := data[p*k*panelWidth : (p+1)*k*panelWidth]
		for r := 0; r < k; r++ {
			for j := 0; j < panelWidth; j++ {
				if col := p*panelWidth + j; col < n {
					dst[r*panelWidth+j] = b[r*n+col]
				}
			}
		}
	}
	return packedMatrix{k: k, n: n, data: data}
}

func (b *packedMatrix) panels() int { return (b.n + panelWidth - 1) / panelWidth }

// epilogue is per-channel post-processing applied to GEMM output while
// it is still in cache: v = (v + bias) * scale + offset, then an optional
// ReLU. Nil slices are skipped. Each step rounds to float32 separately,
// as tfjs's separate add, mul and add ops do.
type epilogue struct {
	bias, scale, offset []float32
	relu                bool
}

// apply post-processes rows [r0, r1), columns [c0, c1) of the row-major
// matrix c with n columns.
func (e *epilogue) apply(c []float32, n, r0, r1, c0, c1 int) {
	w := c1 - c0
	full := e.bias != nil && e.scale != nil && e.offset != nil
	for r := r0; r < r1; r++ {
		row := c[r*n+c0 : r*n+c1]
		if !full {
			e.applyParts(row, c0, c1)
			if e.relu {
				relu(row)
			}
			continue
		}
		bias, scale, offset := e.bias[c0:c1], e.scale[c0:c1], e.offset[c0:c1]
		bias, scale, offset = bias[:w], scale[:w], offset[:w]
		if e.relu {
			for j, v := range row {
				row[j] = max(float32((v+bias[j])*scale[j])+offset[j], 0)
			}
			continue
		}
		for j, v := range row {
			row[j] = float32((v+bias[j])*scale[j]) + offset[j]
		}
	}
}

// applyParts is apply for one row when some of the parts are nil.
func (e *epilogue) applyParts(row []float32, c0, c1 int) {
	if e.bias != nil {
		for j, b := range e.bias[c0:c1] {
			row[j] += b
		}
	}
	if e.scale != nil {
		for j, s := range e.scale[c0:c1] {
			row[j] *= s
		}
	}
	if e.offset != nil {
		for j, o := range e.offset[c0:c1] {
			row[j] += o
		}
	}
}

// gemm computes c = a·b for the row-major M×K matrix a and the packed
// K×N matrix b, writing the row-major M×N matrix c (every element is
// overwritten), then applies ep (nil for none). The work is split across
// up to workers goroutines: by rows when there are enough, otherwise by
// column panels. It uses the SIMD micro-kernel when the CPU has one.
func gemm(c, a []float32, m int, b *packedMatrix, ep *epilogue, workers int) {
	gemmWith(c, a, m, b, ep, workers, haveSIMD())
}

func gemmWith(c, a []float32, m int, b *packedMatrix, ep *epilogue, workers int, simd bool) {
	if m == 0 {
		return
	}
	panels := b.panels()
	// Below ~64k MACs a goroutine costs more than it saves.
	if workers < 1 || m*b.k*b.n < 1<<16 {
		workers = 1
	}
	if workers == 1 {
		gemmBlock(c, a, b, ep, 0, m, 0, panels, simd)
		return
	}
	var wg sync.WaitGroup
	byRows := m >= 8*workers
	for w := 0; w < workers; w++ {
		r0, r1, p0, p1 := 0, m, 0, panels
		if byRows {
			r0, r1 = splitRange(m, workers, w, 4)
		} else {
			p0, p1 = splitRange(panels, workers, w, 1)
		}
		if r0 == r1 || p0 == p1 {
			continue
		}
		if w == workers-1 {
			gemmBlock(c, a, b, ep, r0, r1, p0, p1, simd)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			gemmBlock(c, a, b, ep, r0, r1, p0, p1, simd)
		}()
	}
	wg.Wait()
}

// splitRange returns the w-th of parts contiguous pieces of [0, n), with
// piece boundaries rounded to multiples of align.
func splitRange(n, parts, w, align int) (int, int) {
	bound := func(i int) int {
		v := (n*i/parts + align - 1) / align * align
		return min(v, n)
	}
	return bound(w), bound(w + 1)
}

// gemmBlock computes rows [r0, r1) and column panels [p0, p1) of c. Rows
// are taken in blocks whose slice of a stays in L1/L2 while every panel
// of b streams past it; the epilogue runs on each finished block.
func gemmBlock(c, a []float32, b *packedMatrix, ep *epilogue, r0, r1, p0, p1 int, simd bool) {
	k, n := b.k, b.n
	rowsPerBlock := max(4, (16384/max(k, 1))&^3) // ≈64 KB of a
	var tmp [4 * panelWidth]float32
	for i0 := r0; i0 < r1; i0 += rowsPerBlock {
		i1 := min(i0+rowsPerBlock, r1)
		for p := p0; p < p1; p++ {
			panel := b.data[p*k*panelWidth : (p+1)*k*panelWidth]
			col := p * panelWidth
			width := min(panelWidth, n-col)
			i := i0
			for ; i+4 <= i1; i += 4 {
				rows := a[i*k : (i+4)*k]
				if width == panelWidth && col+panelWidth <= n {
					kernel4x16(k, rows, panel, c[i*n+col:(i+3)*n+col+panelWidth], n, simd)
					continue
				}
				kernel4x16(k, rows, panel, tmp[:], panelWidth, simd)
				for r := 0; r < 4; r++ {
					copy(c[(i+r)*n+col:(i+r)*n+col+width], tmp[r*panelWidth:])
				}
			}
			for ; i < i1; i++ {
				if simd {
					kernel1x16SIMD(a[i*k:(i+1)*k], panel, tmp[:panelWidth])
				} else {
					kernel1x16(a[i*k:(i+1)*k], panel, tmp[:panelWidth])
				}
				copy(c[i*n+col:i*n+col+width], tmp[:width])
			}
		}
		if ep != nil {
			ep.apply(c, n, i0, i1, p0*panelWidth, min(p1*panelWidth, n))
		}
	}
}

// kernel4x16 stores the product of the 4×K row-major rows and a packed
// K×16 panel into c, whose rows are ldc apart (c holds 3*ldc+16 values).
func kernel4x16(k int, rows, panel, c []float32, ldc int, simd bool) {
	if simd {
		kernel4x16SIMD(k, rows, panel, c, ldc)
		return
	}
	for r := 0; r < 4; r += 2 {
		a0, a1 := rows[r*k:(r+1)*k], rows[(r+1)*k:(r+2)*k]
		for q := 0; q < panelWidth; q += 4 {
			kernel2x4(a0, a1, panel[q:], c[r*ldc+q:], c[(r+1)*ldc+q:])
		}
	}
}

// kernel2x4 stores the 2×4 product of rows a0, a1 and columns 0..3 of a
// packed panel (starting at the first of those columns, rows 16 apart)
// into c0[:4] and c1[:4]. Two rows by four columns is what the Go
// compiler keeps in registers without spilling much.
func kernel2x4(a0, a1, panel, c0, c1 []float32) {
	k := len(a0)
	a1 = a1[:k]
	var s00, s01, s02, s03, s10, s11, s12, s13 float32
	for i, x0 := range a0 {
		x1 := a1[i]
		b := panel[i*panelWidth : i*panelWidth+4 : i*panelWidth+4]
		b0 := b[0]
		s00 += x0 * b0
		s10 += x1 * b0
		b1 := b[1]
		s01 += x0 * b1
		s11 += x1 * b1
		b2 := b[2]
		s02 += x0 * b2
		s12 += x1 * b2
		b3 := b[3]
		s03 += x0 * b3
		s13 += x1 * b3
	}
	c0 = c0[:4]
	c0[0], c0[1], c0[2], c0[3] = s00, s01, s02, s03
	c1 = c1[:4]
	c1[0], c1[1], c1[2], c1[3] = s10, s11, s12, s13
}

// kernel1x16 stores the 1×16 product of row a and a packed K×16 panel in
// c[:16].
func kernel1x16(a, panel, c []float32) {
	c = c[:panelWidth]
	for q := 0; q < panelWidth; q += 8 {
		var s0, s1, s2, s3, s4, s5, s6, s7 float32
		for i, x := range a {
			b := panel[i*panelWidth+q : i*panelWidth+q+8 : i*panelWidth+q+8]
			s0, s1, s2, s3 = s0+x*b[0], s1+x*b[1], s2+x*b[2], s3+x*b[3]
			s4, s5, s6, s7 = s4+x*b[4], s5+x*b[5], s6+x*b[6], s7+x*b[7]
		}
		c[q], c[q+1], c[q+2], c[q+3], c[q+4], c[q+5], c[q+6], c[q+7] = s0, s1, s2, s3, s4, s5, s6, s7
	}
}
