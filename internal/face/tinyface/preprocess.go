package tinyface

import (
	"image"

	"github.com/openidv/openidv/internal/face/nn"
)

// face-api's TinyFaceDetector mean colour (MEAN_RGB of its const.ts).
const (
	meanR = 117.001
	meanG = 114.697
	meanB = 97.404
)

// axisTaps is TensorFlow's legacy bilinear sampling along one axis
// (align_corners=false, half_pixel_centers=false): output position i reads
// source positions lo[i] and hi[i] with weight frac[i] on hi.
type axisTaps struct {
	lo, hi []int
	frac   []float32
}

// newAxisTaps samples a source axis of length src (the padded square side)
// at n output positions.
func newAxisTaps(src, n int) axisTaps {
	t := axisTaps{lo: make([]int, n), hi: make([]int, n), frac: make([]float32, n)}
	scale := float64(src) / float64(n)
	for i := range n {
		in := float64(i) * scale
		lo := int(in)
		t.lo[i] = lo
		t.hi[i] = min(lo+1, src-1)
		t.frac[i] = float32(in - float64(lo))
	}
	return t
}

// preprocess returns face-api's network input for img: the image padded
// with zeros at the bottom/right to a square, resized bilinearly to
// size×size, minus the mean colour, divided by 255, as a [size, size, 3]
// tensor. Bands of output rows are computed on up to workers goroutines.
func preprocess(img image.Image, size, workers int) activation {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	taps := newAxisTaps(max(w, h), size)
	// Source columns actually read, in order; outside the image they are 0.
	cols := make([]int, 0, 2*size)
	for i := range size {
		cols = append(cols, taps.lo[i], taps.hi[i])
	}
	read := rowReader(img)
	out := activation{h: size, w: size, c: 3, data: make([]float32, size*size*3)}
	parallelRows(size, workers, func(y0, y1 int) {
		lo := make([]float32, 3*len(cols)) // source row taps.lo[y] at cols
		hi := make([]float32, 3*len(cols)) // source row taps.hi[y] at cols
		loadedLo, loadedHi := -1, -1
		for y := y0; y < y1; y++ {
			if ry := taps.lo[y]; ry != loadedLo {
				if ry == loadedHi {
					copy(lo, hi)
				} else {
					sampleRow(read, ry, h, cols, w, lo)
				}
				loadedLo = ry
			}
			if ry := taps.hi[y]; ry != loadedHi {
				sampleRow(read, ry, h, cols, w, hi)
				loadedHi = ry
			}
			blendRow(out.data[y*size*3:(y+1)*size*3], lo, hi, taps.frac, taps.frac[y])
		}
	})
	return out
}

// sampleRow fills dst with the RGB values of source row y at the given
// columns (relative to the bounds' origin), zero outside the w×h image.
func sampleRow(read func(y int, cols []int, w int, dst []float32), y, h int, cols []int, w int, dst []float32) {
	if y >= h {
		clear(dst)
		return
	}
	read(y, cols, w, dst)
}

// blendRow writes one normalised output row: bilinear interpolation of the
// sampled source rows lo and hi (pairs of columns per output pixel, as
// tfjs computes it: top + (bottom-top)*fy with top/bottom interpolated
// along x), minus the mean, divided by 255.
func blendRow(dst, lo, hi, fx []float32, fy float32) {
	mean := [3]float32{meanR, meanG, meanB}
	for x, f := range fx {
		a := lo[6*x : 6*x+6 : 6*x+6]
		c := hi[6*x : 6*x+6 : 6*x+6]
		o := dst[3*x : 3*x+3 : 3*x+3]
		for k := range 3 {
			top := a[k] + (a[3+k]-a[k])*f
			bottom := c[k] + (c[3+k]-c[k])*f
			o[k] = (top + (bottom-top)*fy - mean[k]) / 255
		}
	}
}

// rowReader returns a function that writes the RGB values (0..255) of the
// pixels (cols[i], y), relative to the image's bounds, into dst[3i:3i+3],
// or zeros for cols[i] >= w.
func rowReader(img image.Image) func(y int, cols []int, w int, dst []float32) {
	at := nn.PixelReader(img)
	return func(y int, cols []int, w int, dst []float32) {
		for i, c := range cols {
			d := dst[3*i : 3*i+3 : 3*i+3]
			if c >= w {
				d[0], d[1], d[2] = 0, 0, 0
				continue
			}
			d[0], d[1], d[2] = at(c, y)
		}
	}
}
