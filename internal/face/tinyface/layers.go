package tinyface

import (
	"sync"

	"github.com/openidv/openidv/internal/face/nn"
)

// leakyAlpha is face-api's leaky ReLU slope (float32(0.1)).
const leakyAlpha = 0.1

// activation is an HWC feature map.
type activation struct {
	h, w, c int
	data    []float32
}

// layer is one convolution followed by leaky ReLU and a 2×2 max-pool
// ("same" padding): either face-api's first layer (a full 3×3 "valid"
// convolution, depthwise == nil) or a depthwise separable block (one pixel
// of zero padding, 3×3 depthwise filter, 1×1 pointwise convolution).
type layer struct {
	cin, cout int
	depthwise []float32 // 9 taps × cin, tap-major; nil for a full 3×3 conv
	conv      *nn.Conv  // 1×1, no bias: pointwise, or conv0's 3×3×3 filter on its im2col
	bias      []float32
	stride    int // of the max-pool: 2, or 1 for the last block
}

// convSize is the size of the convolution output for an h×w input.
func (l *layer) convSize(h, w int) (int, int) {
	if l.depthwise == nil {
		return h - 2, w - 2
	}
	return h, w
}

// apply runs the layer on x using up to workers goroutines. Each worker
// owns a band of output rows and computes, a few rows at a time, the
// convolution rows that band needs, pools them, adds the bias and applies
// leaky ReLU: max-pooling commutes with a per-channel constant and with
// the monotonic leaky ReLU, so both run on the pooled rows.
func (l *layer) apply(x activation, workers int) activation {
	ch, cw := l.convSize(x.h, x.w)
	oh, ow := (ch+l.stride-1)/l.stride, (cw+l.stride-1)/l.stride
	out := activation{h: oh, w: ow, c: l.cout, data: make([]float32, oh*ow*l.cout)}
	chunk := 2 // pooled rows per step; a stride-1 pool takes its band at once
	if l.stride == 1 {
		chunk = oh
	}
	parallelRows(oh, workers, func(y0, y1 int) {
		var a []float32
		for py := y0; py < y1; py += chunk {
			pe := min(py+chunk, y1)
			r0, r1 := py*l.stride, min((pe-1)*l.stride+2, ch)
			k := l.conv.In // 27 for the im2col of the 3×3×3 conv0, else cin
			if n := (r1 - r0) * cw * k; cap(a) < n {
				a = make([]float32, n)
			}
			a = a[:(r1-r0)*cw*k]
			if l.depthwise == nil {
				im2col3x3(a, x, r0, r1)
			} else {
				depthwise3x3(a, x, l.depthwise, r0, r1)
			}
			c := l.conv.Apply(&nn.Tensor{Shape: []int{r1 - r0, cw, k}, Data: a})
			l.pool(out, c.Data, py, pe, r0, r1, cw)
		}
	})
	return out
}

// pool writes output rows [py, pe) from the convolution rows [r0, r1)
// held in c (each cw pixels wide): max over the 2×2 window (clipped at the
// bottom/right edge, as "same" padding with no leading pad), plus bias,
// then leaky ReLU.
func (l *layer) pool(out activation, c []float32, py, pe, r0, r1, cw int) {
	n, ow, s := l.cout, out.w, l.stride
	for oy := py; oy < pe; oy++ {
		y0 := oy*s - r0
		y1 := min(y0+1, r1-r0-1)
		poolRow(out.data[oy*ow*n:(oy+1)*ow*n], c[y0*cw*n:(y0+1)*cw*n], c[y1*cw*n:(y1+1)*cw*n], l.bias[:n], s)
	}
}

// poolRow writes one pooled row dst (ow pixels of len(bias) channels)
// from the two convolution rows row0 and row1: leaky(max of the 2×2
// window + bias), windows stride pixels apart, clipped at the right edge.
// leaky(v) = max(v, 0.1·v) for the slope 0.1 < 1.
func poolRow(dst, row0, row1, bias []float32, stride int) {
	n := len(bias)
	cw, ow := len(row0)/n, len(dst)/n
	for ox := range ow {
		c0 := ox * stride
		c1 := min(c0+1, cw-1)
		o := dst[ox*n : ox*n+n]
		p, q := row0[c0*n:c0*n+n], row0[c1*n:c1*n+n]
		r, t := row1[c0*n:c0*n+n], row1[c1*n:c1*n+n]
		p, q, r, t, b := p[:len(o)], q[:len(o)], r[:len(o)], t[:len(o)], bias[:len(o)]
		for k := range o {
			// The builtin max compiles to branch-free MAXSS: comparisons
			// of activations are unpredictable branches.
			v := max(p[k], q[k], r[k], t[k]) + b[k]
			o[k] = max(v, v*leakyAlpha)
		}
	}
}

// im2col3x3 writes, for each pixel of convolution rows [r0, r1) of a 3×3
// "valid" convolution of the 3-channel x, its 3×3×3 input window in HWC
// order (27 values, the order of an HWIO filter's rows).
func im2col3x3(dst []float32, x activation, r0, r1 int) {
	cw := x.w - 2
	i := 0
	for y := r0; y < r1; y++ {
		for ox := range cw {
			for ky := range 3 {
				s := x.data[((y+ky)*x.w+ox)*3:]
				s = s[:9:9]
				d := dst[i : i+9 : i+9]
				d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8] = s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8]
				i += 9
			}
		}
	}
}

// depthwise3x3 writes rows [r0, r1) of the depthwise 3×3 convolution of x
// (filter: 9 taps × channels, as tfjs's [3, 3, c, 1]) with one pixel of
// zero padding on every side, as face-api pads and then convolves "valid".
func depthwise3x3(dst []float32, x activation, filter []float32, r0, r1 int) {
	w, c := x.w, x.c
	filter = filter[:9*c]
	for oy := r0; oy < r1; oy++ {
		var rows [3][]float32 // input rows oy-1, oy, oy+1; nil in the padding
		for ky := range rows {
			if iy := oy + ky - 1; iy >= 0 && iy < x.h {
				rows[ky] = x.data[iy*w*c : (iy+1)*w*c]
			}
		}
		depthwiseRow(dst[(oy-r0)*w*c:(oy-r0+1)*w*c], rows, filter, w, c)
	}
}

// depthwiseRow writes one output row of depthwise3x3 (w pixels of c
// channels) from its three input rows, nil where they fall in the padding.
// It runs channel by channel along the row, sliding a 3×3 window of
// inputs through registers, so each output costs 3 loads, not 9.
func depthwiseRow(dst []float32, rows [3][]float32, filter []float32, w, c int) {
	n := w * c
	var zero []float32
	for i := range rows {
		if rows[i] == nil {
			if zero == nil {
				zero = make([]float32, n)
			}
			rows[i] = zero
		}
	}
	r0, r1, r2 := rows[0][:n], rows[1][:n], rows[2][:n]
	dst = dst[:n]
	filter = filter[:9*c]
	for k := range c {
		f00, f01, f02 := filter[k], filter[c+k], filter[2*c+k]
		f10, f11, f12 := filter[3*c+k], filter[4*c+k], filter[5*c+k]
		f20, f21, f22 := filter[6*c+k], filter[7*c+k], filter[8*c+k]
		var a0, b0, c0 float32            // column x-1 of the three rows (padding at x = 0)
		a1, b1, c1 := r0[k], r1[k], r2[k] // column x
		i := k
		for ; i+c < n; i += c {
			a2, b2, c2 := r0[i+c], r1[i+c], r2[i+c]
			dst[i] = a0*f00 + a1*f01 + a2*f02 + b0*f10 + b1*f11 + b2*f12 + c0*f20 + c1*f21 + c2*f22
			a0, a1, b0, b1, c0, c1 = a1, a2, b1, b2, c1, c2
		}
		dst[i] = a0*f00 + a1*f01 + b0*f10 + b1*f11 + c0*f20 + c1*f21 // right padding
	}
}

// parallelRows calls fn(y0, y1) on up to workers contiguous pieces of
// [0, rows) concurrently and waits for them.
func parallelRows(rows, workers int, fn func(y0, y1 int)) {
	workers = min(workers, rows)
	if workers <= 1 {
		fn(0, rows)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(rows*w/workers, rows*(w+1)/workers)
		}()
	}
	fn(0, rows/workers)
	wg.Wait()
}
