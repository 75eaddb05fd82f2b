package nn

import (
	"fmt"
	"image"
	"math"
	"runtime"
	"strings"
)

// ChipSize is the side of the square input of the face descriptor net.
const ChipSize = 150

// Descriptor is the 128-d face descriptor of the dlib ResNet as face-api
// computes it. Two faces of one person lie within about 0.6 of each
// other in Euclidean distance.
type Descriptor [128]float32

// Distance returns the Euclidean distance between two descriptors.
func Distance(a, b Descriptor) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s)
}

// scaledConv is face-api's convLayer: conv, + bias, * scale + offset,
// optional ReLU (the epilogue).
type scaledConv struct {
	conv *Conv
	ep   epilogue
}

// residualBlock is face-api's residual (down=false) or residualDown layer.
type residualBlock struct {
	conv1, conv2 scaledConv
	down         bool
}

// Recognizer computes face descriptors with the embedded dlib ResNet-29
// weights of face-api. Build one with NewRecognizer and share it: it is
// safe for concurrent use and reuses its working buffers.
type Recognizer struct {
	first   scaledConv
	blocks  []residualBlock
	fc      packedMatrix
	actSize int // largest activation, in float32s
	colSize int // largest im2col matrix, in float32s
	// free keeps idle workspaces (about 5 MB each) across garbage
	// collections, unlike a sync.Pool; its capacity bounds what is kept.
	free chan *workspace
}

// workspace holds the buffers of one forward pass.
type workspace struct {
	input      []float32
	a, b, c    []float32
	col        []float32
	descriptor []float32
}

// blockNames lists face-api's residual layers in order; "down" layers
// halve the resolution.
func blockNames() []string {
	return []string{
		"conv32_1", "conv32_2", "conv32_3",
		"conv64_down", "conv64_1", "conv64_2", "conv64_3",
		"conv128_down", "conv128_1", "conv128_2",
		"conv256_down", "conv256_1", "conv256_2", "conv256_down_out",
	}
}

// NewRecognizer decodes the embedded face recognition weights and
// prepares the network. Call it once and share the result.
func NewRecognizer() (*Recognizer, error) {
	w, err := LoadWeights(RecognitionModel())
	if err != nil {
		return nil, err
	}
	r := &Recognizer{}
	if r.first, err = loadScaledConv(w, "conv32_down", 2, Valid, true); err != nil {
		return nil, err
	}
	for _, name := range blockNames() {
		down := strings.Contains(name, "_down")
		b := residualBlock{down: down}
		stride, pad := 1, Same
		if down {
			stride, pad = 2, Valid
		}
		if b.conv1, err = loadScaledConv(w, name+"/conv1", stride, pad, true); err != nil {
			return nil, err
		}
		if b.conv2, err = loadScaledConv(w, name+"/conv2", 1, Same, false); err != nil {
			return nil, err
		}
		r.blocks = append(r.blocks, b)
	}
	fc := w["fc"]
	if fc == nil || !equalShape(fc.Shape, 256, 128) {
		return nil, fmt.Errorf("nn: recognition model: fc weights missing or misshapen")
	}
	r.fc = packMatrix(fc.Data, 256, 128)
	r.planBuffers()
	r.free = make(chan *workspace, max(2, runtime.GOMAXPROCS(0)))
	return r, nil
}

func loadScaledConv(w map[string]*Tensor, prefix string, stride int, pad Padding, withReLU bool) (scaledConv, error) {
	get := func(name string) (*Tensor, error) {
		t := w[prefix+"/"+name]
		if t == nil {
			return nil, fmt.Errorf("nn: recognition model: %s/%s missing", prefix, name)
		}
		return t, nil
	}
	var ts [4]*Tensor
	for i, name := range []string{"conv/filters", "conv/bias", "scale/weights", "scale/biases"} {
		t, err := get(name)
		if err != nil {
			return scaledConv{}, err
		}
		ts[i] = t
	}
	conv, err := NewConv(ts[0], nil, stride, pad)
	if err != nil {
		return scaledConv{}, fmt.Errorf("nn: recognition model: %s: %w", prefix, err)
	}
	for _, t := range ts[1:] {
		if len(t.Data) != conv.Out {
			return scaledConv{}, fmt.Errorf("nn: recognition model: %s: %d channel values, want %d", prefix, len(t.Data), conv.Out)
		}
	}
	ep := epilogue{bias: ts[1].Data, scale: ts[2].Data, offset: ts[3].Data, relu: withReLU}
	return scaledConv{conv: conv, ep: ep}, nil
}

func equalShape(s []int, want ...int) bool {
	return len(s) == len(want) && fmt.Sprint(s) == fmt.Sprint(want)
}

// planBuffers walks the network once to size the workspace buffers.
func (r *Recognizer) planBuffers() {
	track := func(c *Conv, h, w int) (int, int) {
		oh, ow := c.OutputSize(h, w)
		r.actSize = max(r.actSize, oh*ow*c.Out, h*w*c.In)
		r.colSize = max(r.colSize, oh*ow*c.KH*c.KW*c.In)
		return oh, ow
	}
	h, w := track(r.first.conv, ChipSize, ChipSize)
	h, w = (h-3)/2+1, (w-3)/2+1
	for _, b := range r.blocks {
		h1, w1 := track(b.conv1.conv, h, w)
		track(b.conv2.conv, h1, w1)
		if b.down {
			h, w = h/2, w/2
			r.actSize = max(r.actSize, h*w*b.conv2.conv.Out)
		}
	}
}

// getWorkspace returns an idle workspace or a new one.
func (r *Recognizer) getWorkspace() *workspace {
	select {
	case ws := <-r.free:
		return ws
	default:
		return r.newWorkspace()
	}
}

// putWorkspace keeps ws for reuse unless enough are kept already.
func (r *Recognizer) putWorkspace(ws *workspace) {
	select {
	case r.free <- ws:
	default:
	}
}

func (r *Recognizer) newWorkspace() *workspace {
	return &workspace{
		input:      make([]float32, ChipSize*ChipSize*3),
		a:          make([]float32, r.actSize),
		b:          make([]float32, r.actSize),
		c:          make([]float32, r.actSize),
		col:        make([]float32, r.colSize),
		descriptor: make([]float32, 128),
	}
}

// Describe computes the descriptor of a whole image the way face-api's
// computeFaceDescriptor does: pad to a square (zero fill, centred),
// bilinear resize to 150×150, subtract the mean RGB, divide by 255, run
// the network. Grayscale images count as RGB with equal channels.
func (r *Recognizer) Describe(img image.Image) (Descriptor, error) {
	b := img.Bounds()
	if b.Dx() < 1 || b.Dy() < 1 {
		return Descriptor{}, fmt.Errorf("nn: describe: empty image %v", b)
	}
	ws := r.getWorkspace()
	defer r.putWorkspace(ws)
	preprocess(ws.input, img)
	return r.forward(ws), nil
}

// DescribeChip computes the descriptor of an already aligned 150×150
// face chip (no resizing; the chip's own pixels are normalised).
func (r *Recognizer) DescribeChip(chip *image.RGBA) (Descriptor, error) {
	if b := chip.Bounds(); b.Dx() != ChipSize || b.Dy() != ChipSize {
		return Descriptor{}, fmt.Errorf("nn: describe chip: size %dx%d, want %dx%d", b.Dx(), b.Dy(), ChipSize, ChipSize)
	}
	ws := r.getWorkspace()
	defer r.putWorkspace(ws)
	preprocess(ws.input, chip)
	return r.forward(ws), nil
}

// forward runs the network on ws.input.
func (r *Recognizer) forward(ws *workspace) Descriptor {
	workers := runtime.GOMAXPROCS(0)
	x, t1, t2 := ws.a, ws.b, ws.c
	h, w := r.first.apply(t1, ws.input, ChipSize, ChipSize, ws.col, workers)
	h, w = maxPool3x3s2(x, t1, h, w, r.first.conv.Out)
	ch := r.first.conv.Out
	for i := range r.blocks {
		b := &r.blocks[i]
		h1, w1 := b.conv1.apply(t1, x, h, w, ws.col, workers)
		b.conv2.apply(t2, t1, h1, w1, ws.col, workers)
		if !b.down {
			addReLU(x[:h*w*ch], t2[:h*w*ch])
			continue
		}
		out := b.conv2.conv.Out
		h, w = downShortcut(t1, x, t2, h, w, ch, h1, w1, out)
		ch = out
		x, t1 = t1, x
	}
	// Global average over the spatial positions, then the fc layer.
	mean := t1[:ch]
	clear(mean)
	for p := 0; p < h*w; p++ {
		for c, v := range x[p*ch : (p+1)*ch] {
			mean[c] += v
		}
	}
	for c := range mean {
		mean[c] /= float32(h * w)
	}
	gemm(ws.descriptor, mean, 1, &r.fc, nil, 1)
	var d Descriptor
	copy(d[:], ws.descriptor)
	return d
}

// apply runs the conv on the h×w input x into dst and applies face-api's
// bias, scale layer and optional ReLU. It returns the output size.
func (l *scaledConv) apply(dst, x []float32, h, w int, col []float32, workers int) (int, int) {
	l.conv.apply(dst, x, h, w, col, &l.ep, workers)
	return l.conv.OutputSize(h, w)
}

// addReLU sets x = relu(x + y).
func addReLU(x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		x[i] = max(v+y[i], 0)
	}
}

// maxPool3x3s2 writes the 3×3 stride-2 valid max pooling of the h×w×ch
// src into dst and returns the output size.
func maxPool3x3s2(dst, src []float32, h, w, ch int) (int, int) {
	oh, ow := (h-3)/2+1, (w-3)/2+1
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			acc := dst[(oy*ow+ox)*ch : (oy*ow+ox+1)*ch]
			poolWindow(acc, src, w, ch, 2*oy, 2*oy+3, 2*ox, 2*ox+3, true)
		}
	}
	return oh, ow
}

// downShortcut finishes face-api's residualDown: dst = relu(avgpool2(x)
// zero-padded to out channels + conv, the h1×w1 conv output zero-padded
// at the bottom/right to the pooled size). It returns the pooled size.
func downShortcut(dst, x, conv []float32, h, w, ch, h1, w1, out int) (int, int) {
	ph, pw := h/2, w/2
	for y := 0; y < ph; y++ {
		for xx := 0; xx < pw; xx++ {
			o := dst[(y*pw+xx)*out : (y*pw+xx+1)*out]
			clear(o)
			p00 := x[((2*y)*w+2*xx)*ch:]
			p01 := x[((2*y)*w+2*xx+1)*ch:]
			p10 := x[((2*y+1)*w+2*xx)*ch:]
			p11 := x[((2*y+1)*w+2*xx+1)*ch:]
			for c := 0; c < ch; c++ {
				o[c] = (p00[c] + p01[c] + p10[c] + p11[c]) / 4
			}
			if y < h1 && xx < w1 {
				for c, v := range conv[(y*w1+xx)*out : (y*w1+xx+1)*out] {
					o[c] += v
				}
			}
			relu(o)
		}
	}
	return ph, pw
}
