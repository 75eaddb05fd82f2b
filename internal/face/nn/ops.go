package nn

import (
	"fmt"
	"math"
)

// MaxPool returns the size×size max pooling of the HWC tensor x with the
// given stride on both axes. With Same padding, positions outside the
// input are ignored (as in TensorFlow).
func MaxPool(x *Tensor, size, stride int, pad Padding) *Tensor {
	return pool(x, size, stride, pad, true)
}

// AvgPool returns the size×size average pooling of the HWC tensor x with
// the given stride on both axes. With Same padding, the average is over
// the positions inside the input only (as in TensorFlow).
func AvgPool(x *Tensor, size, stride int, pad Padding) *Tensor {
	return pool(x, size, stride, pad, false)
}

func pool(x *Tensor, size, stride int, pad Padding, isMax bool) *Tensor {
	if len(x.Shape) != 3 || size < 1 || stride < 1 {
		panic(fmt.Sprintf("nn: pool of %v with size %d, stride %d", x.Shape, size, stride))
	}
	h, w, ch := x.Shape[0], x.Shape[1], x.Shape[2]
	oh, padTop := outputSize(h, size, stride, pad)
	ow, padLeft := outputSize(w, size, stride, pad)
	out := NewTensor(oh, ow, ch)
	for oy := 0; oy < oh; oy++ {
		y0, y1 := max(oy*stride-padTop, 0), min(oy*stride-padTop+size, h)
		for ox := 0; ox < ow; ox++ {
			x0, x1 := max(ox*stride-padLeft, 0), min(ox*stride-padLeft+size, w)
			acc := out.Data[(oy*ow+ox)*ch : (oy*ow+ox+1)*ch]
			poolWindow(acc, x.Data, w, ch, y0, y1, x0, x1, isMax)
		}
	}
	return out
}

// poolWindow reduces the window [y0,y1)×[x0,x1) of the width-w HWC data
// into acc.
func poolWindow(acc, data []float32, w, ch, y0, y1, x0, x1 int, isMax bool) {
	if isMax {
		for c := range acc {
			acc[c] = float32(math.Inf(-1))
		}
	}
	for y := y0; y < y1; y++ {
		for xx := x0; xx < x1; xx++ {
			in := data[(y*w+xx)*ch : (y*w+xx+1)*ch]
			for c, v := range in {
				if isMax {
					acc[c] = max(acc[c], v)
				} else {
					acc[c] += v
				}
			}
		}
	}
	if !isMax {
		n := float32((y1 - y0) * (x1 - x0))
		for c := range acc {
			acc[c] /= n
		}
	}
}

// ReLU replaces every negative value of x by zero, in place.
func ReLU(x *Tensor) {
	relu(x.Data)
}

func relu(d []float32) {
	for i, v := range d {
		d[i] = max(v, 0) // branch-free: signs are unpredictable
	}
}

// LeakyReLU replaces every negative value v of x by alpha*v, in place.
func LeakyReLU(x *Tensor, alpha float32) {
	for i, v := range x.Data {
		if v < 0 {
			x.Data[i] = alpha * v
		}
	}
}

// Add adds y to x element by element, in place. The shapes must match.
func Add(x, y *Tensor) error {
	if len(x.Data) != len(y.Data) || fmt.Sprint(x.Shape) != fmt.Sprint(y.Shape) {
		return fmt.Errorf("nn: add of shapes %v and %v", x.Shape, y.Shape)
	}
	for i, v := range y.Data {
		x.Data[i] += v
	}
	return nil
}
