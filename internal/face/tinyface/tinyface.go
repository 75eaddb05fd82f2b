// Package tinyface is a pure-Go forward pass of face-api's TinyFaceDetector
// (a Tiny-YOLOv2-style network with depthwise separable convolutions, 13×13
// cells × 5 anchors at the default input size), giving the same boxes as
// @vladmandic/face-api 1.7.15 on tfjs.
//
// The pipeline follows face-api exactly: the image is zero-padded at the
// bottom or right to a square, resized bilinearly to InputSize (TensorFlow's
// legacy sampling: no half-pixel centres, no corner alignment), the mean
// RGB (117.001, 114.697, 97.404) is subtracted and the result divided by
// 255. Then conv 3×3 valid + leaky ReLU (0.1), five blocks of max-pool 2×2
// and depthwise 3×3 + pointwise 1×1 + bias + leaky ReLU (the last pool has
// stride 1), and a 1×1 convolution to 5 × (x, y, w, h, score). Boxes are
// decoded YOLO-style with the model's anchors, thresholded on the sigmoid
// score and reduced by non-maximum suppression at IoU 0.4.
//
// Weights are embedded (package nn); the package does no I/O, and reads no
// clock or randomness. Detect uses up to GOMAXPROCS goroutines: each layer
// is one parallel pass over bands of output rows that computes a few
// convolution rows at a time (depthwise here, the 1×1 products with
// package nn's GEMM and its AVX2 kernel), then pools them with the bias
// and activation, so the full-resolution maps are never stored.
package tinyface

import (
	"errors"
	"fmt"
	"image"
	"runtime"

	"github.com/openidv/openidv/internal/face/nn"
)

// Defaults of Options, as in face-api's TinyFaceDetectorOptions.
const (
	DefaultInputSize      = 416
	DefaultScoreThreshold = 0.5
)

// maxInputSize bounds Options.InputSize (face-api accepts any multiple of
// 32; beyond this the network only costs time and memory).
const maxInputSize = 1024

// ErrInvalidOptions is returned (wrapped) for options face-api would reject.
var ErrInvalidOptions = errors.New("tinyface: invalid options")

// ErrEmptyImage is returned (wrapped) for an image without pixels.
var ErrEmptyImage = errors.New("tinyface: empty image")

// Options are the detection parameters. The zero value means the defaults.
type Options struct {
	// InputSize is the side of the square network input, a multiple of 32
	// (typical: 128, 160, 224, 320, 416, 512, 608). Zero means 416.
	InputSize int
	// ScoreThreshold keeps boxes whose score is above it, in (0, 1). Zero
	// means 0.5.
	ScoreThreshold float32
}

// Box is one detected face in the image's coordinates (so a sub-image's
// boxes include its bounds' origin; it may extend past the image border,
// as face-api's boxes do), with its score in (0, 1).
type Box struct {
	X, Y, Width, Height float64
	Score               float64
}

// Detector runs the TinyFaceDetector. It is immutable after New and safe
// for concurrent use.
type Detector struct {
	layers [6]layer // conv0, then the separable blocks conv1..conv5
	head   *nn.Conv // conv8: 1×1, 512 → 5 anchors × 5 values, with bias
}

// New loads the embedded TinyFaceDetector weights.
func New() (*Detector, error) {
	manifest, bin := nn.TinyFaceDetectorModel()
	w, err := nn.LoadWeights(manifest, bin)
	if err != nil {
		return nil, fmt.Errorf("tinyface: %w", err)
	}
	return newDetector(w)
}

// weightSet looks up weights by name and shape, collecting the errors.
type weightSet struct {
	w    map[string]*nn.Tensor
	errs []error
}

func (ws *weightSet) get(name string, shape ...int) *nn.Tensor {
	t, ok := ws.w[name]
	switch {
	case !ok:
		ws.errs = append(ws.errs, fmt.Errorf("tinyface: weight %q missing", name))
	case fmt.Sprint(t.Shape) != fmt.Sprint(shape):
		ws.errs = append(ws.errs, fmt.Errorf("tinyface: weight %q has shape %v, want %v", name, t.Shape, shape))
	default:
		return t
	}
	return nn.NewTensor(shape...)
}

// conv prepares a stride-1 "valid" convolution, recording any error.
func (ws *weightSet) conv(filter *nn.Tensor, bias []float32) *nn.Conv {
	c, err := nn.NewConv(filter, bias, 1, nn.Valid)
	ws.errs = append(ws.errs, err)
	return c
}

func newDetector(w map[string]*nn.Tensor) (*Detector, error) {
	ws := &weightSet{w: w}
	d := &Detector{}
	// conv0 runs as a 1×1 convolution of its im2col (27 values per pixel):
	// the HWIO filter [3, 3, 3, 16] is already the [27, 16] matrix.
	f0 := ws.get("conv0/filters", 3, 3, 3, 16)
	d.layers[0] = layer{cin: 3, cout: 16, stride: 2,
		conv: ws.conv(&nn.Tensor{Shape: []int{1, 1, 27, 16}, Data: f0.Data}, nil), bias: ws.get("conv0/bias", 16).Data}
	for i := 1; i < len(d.layers); i++ {
		in, out := 8<<i, 16<<i
		p := fmt.Sprintf("conv%d/", i)
		d.layers[i] = layer{cin: in, cout: out, stride: 2,
			depthwise: ws.get(p+"depthwise_filter", 3, 3, in, 1).Data,
			conv:      ws.conv(ws.get(p+"pointwise_filter", 1, 1, in, out), nil),
			bias:      ws.get(p+"bias", out).Data}
	}
	d.layers[len(d.layers)-1].stride = 1
	const outputs = numAnchors * boxEncoding
	d.head = ws.conv(ws.get("conv8/filters", 1, 1, 512, outputs), ws.get("conv8/bias", outputs).Data)
	if err := errors.Join(ws.errs...); err != nil {
		return nil, err
	}
	return d, nil
}

// resolve applies the defaults and validates opt as face-api does.
func (opt Options) resolve() (Options, error) {
	if opt.InputSize == 0 {
		opt.InputSize = DefaultInputSize
	}
	if opt.ScoreThreshold == 0 {
		opt.ScoreThreshold = DefaultScoreThreshold
	}
	if opt.InputSize < 32 || opt.InputSize%32 != 0 || opt.InputSize > maxInputSize {
		return opt, fmt.Errorf("%w: input size %d is not a multiple of 32 in [32, %d]", ErrInvalidOptions, opt.InputSize, maxInputSize)
	}
	if !(opt.ScoreThreshold > 0 && opt.ScoreThreshold < 1) {
		return opt, fmt.Errorf("%w: score threshold %v is not in (0, 1)", ErrInvalidOptions, opt.ScoreThreshold)
	}
	return opt, nil
}

// Detect finds the faces in img and returns them in face-api's order
// (by decreasing score after non-maximum suppression). A nil slice means
// no face.
func (d *Detector) Detect(img image.Image, opt Options) ([]Box, error) {
	opt, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return nil, fmt.Errorf("%w: %v", ErrEmptyImage, b)
	}
	workers := runtime.GOMAXPROCS(0)
	out := d.forward(preprocess(img, opt.InputSize, workers), workers)
	boxes := decode(out, b.Dx(), b.Dy(), opt)
	for i := range boxes {
		boxes[i].X += float64(b.Min.X)
		boxes[i].Y += float64(b.Min.Y)
	}
	return boxes, nil
}

// forward runs the network on the preprocessed input and returns the
// [s/32, s/32, 25] output grid.
func (d *Detector) forward(x activation, workers int) activation {
	for i := range d.layers {
		x = d.layers[i].apply(x, workers)
	}
	out := d.head.Apply(&nn.Tensor{Shape: []int{x.h, x.w, x.c}, Data: x.data})
	return activation{h: x.h, w: x.w, c: d.head.Out, data: out.Data}
}
