package ocrb

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Alphabet is the 37 MRZ glyphs in the classifier's output order.
const Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"

// modelBin is the trained classifier, written by tools/ocrbtrain.
//
//go:embed model.bin
var modelBin []byte

// ModelMagic starts a model file; the format is magic, then little-endian
// uint32 input, hidden and output sizes, then float32 W1 (hidden × input,
// row-major), b1, W2 (output × hidden), b2.
const ModelMagic = "OCRBMLP1"

// ErrModel is returned for a malformed model file.
var ErrModel = errors.New("ocrb: malformed model")

// Classifier is a one-hidden-layer perceptron over Features.
type Classifier struct {
	in, hidden, out int
	w1, b1, w2, b2  []float32
}

// Candidate is one glyph and its probability.
type Candidate struct {
	Char  byte
	Score float32
}

// NewClassifier loads the embedded model.
func NewClassifier() (*Classifier, error) { return LoadClassifier(modelBin) }

// LoadClassifier parses a model file.
func LoadClassifier(b []byte) (*Classifier, error) {
	if len(b) < len(ModelMagic)+12 || string(b[:len(ModelMagic)]) != ModelMagic {
		return nil, fmt.Errorf("%w: bad header", ErrModel)
	}
	b = b[len(ModelMagic):]
	c := &Classifier{
		in:     int(binary.LittleEndian.Uint32(b)),
		hidden: int(binary.LittleEndian.Uint32(b[4:])),
		out:    int(binary.LittleEndian.Uint32(b[8:])),
	}
	b = b[12:]
	if c.in != FeatureLen || c.out != len(Alphabet) || c.hidden <= 0 || c.hidden > 4096 {
		return nil, fmt.Errorf("%w: sizes %d/%d/%d", ErrModel, c.in, c.hidden, c.out)
	}
	n := c.hidden*c.in + c.hidden + c.out*c.hidden + c.out
	if len(b) != 4*n {
		return nil, fmt.Errorf("%w: %d bytes of weights, want %d", ErrModel, len(b), 4*n)
	}
	all := make([]float32, n)
	for i := range all {
		all[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	c.w1, all = all[:c.hidden*c.in], all[c.hidden*c.in:]
	c.b1, all = all[:c.hidden], all[c.hidden:]
	c.w2, c.b2 = all[:c.out*c.hidden], all[c.out*c.hidden:]
	return c, nil
}

// Probabilities returns the softmax output for a feature vector, in
// Alphabet order.
func (c *Classifier) Probabilities(x []float32) []float32 {
	h := make([]float32, c.hidden)
	for j := range c.hidden {
		s := c.b1[j]
		row := c.w1[j*c.in : (j+1)*c.in]
		for i, v := range x[:c.in] {
			s += row[i] * v
		}
		h[j] = max(s, 0)
	}
	out := make([]float32, c.out)
	top := float32(math.Inf(-1))
	for k := range c.out {
		s := c.b2[k]
		row := c.w2[k*c.hidden : (k+1)*c.hidden]
		for j, v := range h {
			s += row[j] * v
		}
		out[k] = s
		top = max(top, s)
	}
	var sum float32
	for k := range out {
		out[k] = float32(math.Exp(float64(out[k] - top)))
		sum += out[k]
	}
	for k := range out {
		out[k] /= sum
	}
	return out
}

// Rank returns the glyphs by falling probability.
func (c *Classifier) Rank(x []float32) []Candidate {
	p := c.Probabilities(x)
	cands := make([]Candidate, len(p))
	for k, v := range p {
		cands[k] = Candidate{Char: Alphabet[k], Score: v}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Score > cands[j].Score })
	return cands
}
