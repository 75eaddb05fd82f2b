package nn

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// ErrManifest is the error every failure of LoadWeights wraps: test for it
// with errors.Is, and use errors.As with *ManifestError for the details.
var ErrManifest = errors.New("nn: malformed tfjs weights manifest")

// ManifestError describes why a tfjs weights manifest or its weight bytes
// could not be decoded. Weight is the name of the offending entry, empty
// when the manifest as a whole is at fault.
type ManifestError struct {
	Weight string
	Reason string
}

// Error implements error.
func (e *ManifestError) Error() string {
	if e.Weight == "" {
		return ErrManifest.Error() + ": " + e.Reason
	}
	return fmt.Sprintf("%s: weight %q: %s", ErrManifest.Error(), e.Weight, e.Reason)
}

// Unwrap returns ErrManifest.
func (e *ManifestError) Unwrap() error { return ErrManifest }

// Tensor is a dense float32 tensor in row-major order: activations are
// HWC (tfjs NHWC with one image), convolution filters HWIO.
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor returns a zero tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, n)}
}

// manifestGroup is one entry of a tfjs weights manifest.
type manifestGroup struct {
	Paths   []string         `json:"paths"`
	Weights []manifestWeight `json:"weights"`
}

type manifestWeight struct {
	Name         string        `json:"name"`
	Shape        []int         `json:"shape"`
	Dtype        string        `json:"dtype"`
	Quantization *quantization `json:"quantization"`
}

type quantization struct {
	Dtype string   `json:"dtype"`
	Scale *float64 `json:"scale"`
	Min   *float64 `json:"min"`
}

// LoadWeights decodes a tfjs weights manifest (the
// "*-weights_manifest.json" format) and the concatenation of its shard
// files, in manifest order, into named tensors. It supports float32 and
// int32 weights, uint8/uint16 affine quantisation (value = q*scale + min)
// and float16 quantisation. Malformed input yields a *ManifestError.
func LoadWeights(manifestJSON, bin []byte) (map[string]*Tensor, error) {
	var groups []manifestGroup
	if err := json.Unmarshal(manifestJSON, &groups); err != nil {
		return nil, &ManifestError{Reason: "not a JSON array of weight groups: " + err.Error()}
	}
	out := make(map[string]*Tensor)
	off := 0
	for _, g := range groups {
		for _, w := range g.Weights {
			t, n, err := decodeWeight(w, bin[off:])
			if err != nil {
				return nil, err
			}
			if _, dup := out[w.Name]; dup {
				return nil, &ManifestError{Weight: w.Name, Reason: "duplicate name"}
			}
			out[w.Name] = t
			off += n
		}
	}
	if off != len(bin) {
		return nil, &ManifestError{Reason: fmt.Sprintf("manifest describes %d bytes, weights hold %d", off, len(bin))}
	}
	return out, nil
}

// decodeWeight decodes one manifest entry from the start of data and
// returns the tensor and the number of bytes it used.
func decodeWeight(w manifestWeight, data []byte) (*Tensor, int, error) {
	fail := func(format string, a ...any) (*Tensor, int, error) {
		return nil, 0, &ManifestError{Weight: w.Name, Reason: fmt.Sprintf(format, a...)}
	}
	if w.Name == "" {
		return fail("missing name")
	}
	n := 1
	for _, d := range w.Shape {
		if d < 0 || (d > 0 && n > len(data)/d) {
			// Every element takes at least one byte, so a count larger
			// than the remaining bytes is short data (and no overflow).
			return fail("shape %v is negative or larger than the %d bytes left", w.Shape, len(data))
		}
		n *= d
	}
	if w.Dtype != "float32" && w.Dtype != "int32" {
		return fail("unsupported dtype %q", w.Dtype)
	}
	vals := make([]float32, n)
	var size int
	switch {
	case w.Quantization == nil:
		size = 4
		if len(data) < n*size {
			return fail("needs %d bytes, %d left", n*size, len(data))
		}
		for i := range vals {
			u := binary.LittleEndian.Uint32(data[4*i:])
			if w.Dtype == "int32" {
				vals[i] = float32(int32(u))
			} else {
				vals[i] = math.Float32frombits(u)
			}
		}
	default:
		var err error
		size, err = dequantize(w, data, vals)
		if err != nil {
			return nil, 0, err
		}
	}
	return &Tensor{Shape: append([]int{}, w.Shape...), Data: vals}, n * size, nil
}

// dequantize fills vals from quantised data and returns the byte size of
// one element.
func dequantize(w manifestWeight, data []byte, vals []float32) (int, error) {
	q := w.Quantization
	fail := func(format string, a ...any) (int, error) {
		return 0, &ManifestError{Weight: w.Name, Reason: fmt.Sprintf(format, a...)}
	}
	size := map[string]int{"uint8": 1, "uint16": 2, "float16": 2}[q.Dtype]
	if size == 0 {
		return fail("unsupported quantization dtype %q", q.Dtype)
	}
	if len(data) < len(vals)*size {
		return fail("needs %d bytes, %d left", len(vals)*size, len(data))
	}
	if q.Dtype == "float16" {
		for i := range vals {
			vals[i] = Float16ToFloat32(binary.LittleEndian.Uint16(data[2*i:]))
		}
		return size, nil
	}
	if q.Scale == nil || q.Min == nil {
		return fail("affine quantization without scale and min")
	}
	// tfjs computes q*scale+min in float64 and rounds once to float32.
	scale, lo := *q.Scale, *q.Min
	for i := range vals {
		var v uint16
		if size == 1 {
			v = uint16(data[i])
		} else {
			v = binary.LittleEndian.Uint16(data[2*i:])
		}
		vals[i] = float32(float64(v)*scale + lo)
	}
	return size, nil
}

// Float16ToFloat32 converts an IEEE 754 half-precision value (as stored
// by tfjs float16 quantisation) to float32, including subnormals,
// infinities and NaN.
func Float16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
	case mant == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal half: normalise into a float32 normal.
	e := uint32(113)
	for mant&0x400 == 0 {
		mant <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
}
