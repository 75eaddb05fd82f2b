package nn

import (
	"fmt"
	"runtime"
)

// Padding is a tfjs/TensorFlow padding mode.
type Padding int

const (
	// Valid uses only windows that fit inside the input.
	Valid Padding = iota
	// Same pads so that the output has ceil(in/stride) positions, with
	// the odd pixel of padding at the bottom/right as TensorFlow does.
	Same
)

// outputSize returns the output length and the leading padding of one
// spatial axis of a window op.
func outputSize(in, k, stride int, pad Padding) (out, before int) {
	if pad == Same {
		out = (in + stride - 1) / stride
		total := max((out-1)*stride+k-in, 0)
		return out, total / 2
	}
	if in < k {
		return 0, 0
	}
	return (in-k)/stride + 1, 0
}

// Conv is a 2-D convolution (cross-correlation, as tfjs conv2d) with an
// optional per-channel bias, its filter packed once for the GEMM. A Conv
// is safe for concurrent use; treat its fields as read-only.
type Conv struct {
	KH, KW, In, Out int
	Stride          int
	Pad             Padding
	Bias            []float32 // nil or Out values added to every output
	w               packedMatrix
}

// NewConv prepares a convolution with an HWIO filter [kh, kw, in, out],
// a bias of out values (or nil), a stride used on both axes and a
// padding mode.
func NewConv(filter *Tensor, bias []float32, stride int, pad Padding) (*Conv, error) {
	if len(filter.Shape) != 4 {
		return nil, fmt.Errorf("nn: conv filter shape %v is not HWIO", filter.Shape)
	}
	kh, kw, in, out := filter.Shape[0], filter.Shape[1], filter.Shape[2], filter.Shape[3]
	if len(filter.Data) != kh*kw*in*out || kh < 1 || kw < 1 || in < 1 || out < 1 {
		return nil, fmt.Errorf("nn: conv filter shape %v does not match its %d values", filter.Shape, len(filter.Data))
	}
	if bias != nil && len(bias) != out {
		return nil, fmt.Errorf("nn: conv bias has %d values, filter has %d outputs", len(bias), out)
	}
	if stride < 1 {
		return nil, fmt.Errorf("nn: conv stride %d < 1", stride)
	}
	return &Conv{KH: kh, KW: kw, In: in, Out: out, Stride: stride, Pad: pad, Bias: bias,
		w: packMatrix(filter.Data, kh*kw*in, out)}, nil
}

// OutputSize returns the output height and width for an h×w input.
func (c *Conv) OutputSize(h, w int) (oh, ow int) {
	oh, _ = outputSize(h, c.KH, c.Stride, c.Pad)
	ow, _ = outputSize(w, c.KW, c.Stride, c.Pad)
	return oh, ow
}

// Apply convolves the HWC tensor x (x.Shape[2] must equal c.In) and
// returns a new HWC tensor, using all GOMAXPROCS cores.
func (c *Conv) Apply(x *Tensor) *Tensor {
	h, w := c.checkInput(x)
	oh, ow := c.OutputSize(h, w)
	out := NewTensor(oh, ow, c.Out)
	var scratch []float32
	if !c.direct() {
		scratch = make([]float32, oh*ow*c.KH*c.KW*c.In)
	}
	var ep *epilogue
	if c.Bias != nil {
		ep = &epilogue{bias: c.Bias}
	}
	c.apply(out.Data, x.Data, h, w, scratch, ep, runtime.GOMAXPROCS(0))
	return out
}

func (c *Conv) checkInput(x *Tensor) (h, w int) {
	if len(x.Shape) != 3 || x.Shape[2] != c.In || len(x.Data) != x.Shape[0]*x.Shape[1]*c.In {
		panic(fmt.Sprintf("nn: conv input shape %v, want [h w %d]", x.Shape, c.In))
	}
	return x.Shape[0], x.Shape[1]
}

// direct reports whether the input itself is the im2col matrix (1×1
// kernel, stride 1).
func (c *Conv) direct() bool { return c.KH == 1 && c.KW == 1 && c.Stride == 1 }

// apply writes the convolution of the h×w×In input x, post-processed by
// ep (nil for none; c.Bias is not applied), into dst (oh*ow*Out values).
// scratch holds at least oh*ow*KH*KW*In values unless the kernel is 1×1
// with stride 1.
func (c *Conv) apply(dst, x []float32, h, w int, scratch []float32, ep *epilogue, workers int) {
	oh, ow := c.OutputSize(h, w)
	m := oh * ow
	if m == 0 {
		return
	}
	a := x
	if !c.direct() {
		a = scratch[:m*c.KH*c.KW*c.In]
		c.im2col(a, x, h, w)
	}
	gemm(dst[:m*c.Out], a, m, &c.w, ep, workers)
}

// im2col writes one row per output position holding the KH×KW×In input
// window (zeros outside the input) in HWIO order.
func (c *Conv) im2col(dst, x []float32, h, w int) {
	oh, padTop := outputSize(h, c.KH, c.Stride, c.Pad)
	ow, padLeft := outputSize(w, c.KW, c.Stride, c.Pad)
	cin, rowLen := c.In, c.KW*c.In
	i := 0
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			x0 := ox*c.Stride - padLeft
			for ky := 0; ky < c.KH; ky++ {
				row := dst[i : i+rowLen]
				i += rowLen
				y := oy*c.Stride - padTop + ky
				if y < 0 || y >= h {
					clear(row)
					continue
				}
				if x0 >= 0 && x0+c.KW <= w {
					copy(row, x[(y*w+x0)*cin:(y*w+x0+c.KW)*cin])
					continue
				}
				for kx := 0; kx < c.KW; kx++ {
					seg := row[kx*cin : (kx+1)*cin]
					if xx := x0 + kx; xx >= 0 && xx < w {
						copy(seg, x[(y*w+xx)*cin:(y*w+xx+1)*cin])
					} else {
						clear(seg)
					}
				}
			}
		}
	}
}

// addBias adds bias[c] to channel c of the HWC data.
func addBias(data, bias []float32) {
	n := len(bias)
	for i := 0; i+n <= len(data); i += n {
		row := data[i : i+n]
		for c, b := range bias {
			row[c] += b
		}
	}
}

// Conv2D convolves the HWC tensor x with the HWIO filter, adds bias (nil
// for none) and returns the HWC result; stride applies to both axes. It
// packs the filter on every call: hold a Conv to reuse it.
func Conv2D(x, filter *Tensor, bias []float32, stride int, pad Padding) (*Tensor, error) {
	c, err := NewConv(filter, bias, stride, pad)
	if err != nil {
		return nil, err
	}
	if len(x.Shape) != 3 || x.Shape[2] != c.In {
		return nil, fmt.Errorf("nn: conv input shape %v, want [h w %d]", x.Shape, c.In)
	}
	return c.Apply(x), nil
}

// DepthwiseConv2D convolves each channel of the HWC tensor x with its own
// kernel from the filter [kh, kw, channels, 1] (tfjs depthwiseConv2d with
// multiplier 1), adds bias (nil for none) and returns the HWC result.
func DepthwiseConv2D(x, filter *Tensor, bias []float32, stride int, pad Padding) (*Tensor, error) {
	if len(x.Shape) != 3 || len(filter.Shape) != 4 || filter.Shape[3] != 1 || filter.Shape[2] != x.Shape[2] ||
		len(filter.Data) != filter.Shape[0]*filter.Shape[1]*filter.Shape[2] || stride < 1 ||
		(bias != nil && len(bias) != x.Shape[2]) {
		return nil, fmt.Errorf("nn: depthwise conv of %v with filter %v, bias %d, stride %d", x.Shape, filter.Shape, len(bias), stride)
	}
	h, w, ch := x.Shape[0], x.Shape[1], x.Shape[2]
	kh, kw := filter.Shape[0], filter.Shape[1]
	oh, padTop := outputSize(h, kh, stride, pad)
	ow, padLeft := outputSize(w, kw, stride, pad)
	out := NewTensor(oh, ow, ch)
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			acc := out.Data[(oy*ow+ox)*ch : (oy*ow+ox+1)*ch]
			for ky := 0; ky < kh; ky++ {
				y := oy*stride - padTop + ky
				if y < 0 || y >= h {
					continue
				}
				for kx := 0; kx < kw; kx++ {
					xx := ox*stride - padLeft + kx
					if xx < 0 || xx >= w {
						continue
					}
					in := x.Data[(y*w+xx)*ch : (y*w+xx+1)*ch]
					f := filter.Data[(ky*kw+kx)*ch : (ky*kw+kx+1)*ch]
					for c := range acc {
						acc[c] += in[c] * f[c]
					}
				}
			}
		}
	}
	if bias != nil {
		addBias(out.Data, bias)
	}
	return out, nil
}
