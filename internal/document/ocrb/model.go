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

// ModelMagic starts each network in a model file. A file is one or more
// networks back to back (an ensemble whose probabilities are averaged);
// each is the magic, then little-endian uint32 input, hidden and output
// sizes, then float32 W1 (hidden × input, row-major), b1, W2 (output ×
// hidden), b2.
const ModelMagic = "OCRBMLP1"

// ErrModel is returned for a malformed model file.
var ErrModel = errors.New("ocrb: malformed model")

// Classifier is an ensemble of one-hidden-layer perceptrons over Features.
type Classifier struct {
	nets []mlp
}

type mlp struct {
	in, hidden, out int
	w1, b1, w2, b2  []float32
	w1t             []float32 // w1 transposed (input × hidden), for forwardT
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
	c := &Classifier{}
	for len(b) > 0 || len(c.nets) == 0 {
		net, rest, err := parseNet(b)
		if err != nil {
			return nil, err
		}
		c.nets = append(c.nets, net)
		b = rest
	}
	return c, nil
}

func parseNet(b []byte) (mlp, []byte, error) {
	if len(b) < len(ModelMagic)+12 || string(b[:len(ModelMagic)]) != ModelMagic {
		return mlp{}, nil, fmt.Errorf("%w: bad header", ErrModel)
	}
	b = b[len(ModelMagic):]
	m := mlp{
		in:     int(binary.LittleEndian.Uint32(b)),
		hidden: int(binary.LittleEndian.Uint32(b[4:])),
		out:    int(binary.LittleEndian.Uint32(b[8:])),
	}
	b = b[12:]
	if m.in != FeatureLen || m.out != len(Alphabet) || m.hidden <= 0 || m.hidden > 4096 {
		return mlp{}, nil, fmt.Errorf("%w: sizes %d/%d/%d", ErrModel, m.in, m.hidden, m.out)
	}
	n := m.hidden*m.in + m.hidden + m.out*m.hidden + m.out
	if len(b) < 4*n {
		return mlp{}, nil, fmt.Errorf("%w: %d bytes of weights, want %d", ErrModel, len(b), 4*n)
	}
	all := make([]float32, n)
	for i := range all {
		all[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	m.w1, all = all[:m.hidden*m.in], all[m.hidden*m.in:]
	m.b1, all = all[:m.hidden], all[m.hidden:]
	m.w2, m.b2 = all[:m.out*m.hidden], all[m.out*m.hidden:]
	m.w1t = transpose(m.w1, m.hidden, m.in)
	return m, b[4*n:], nil
}

// Probabilities returns the ensemble's mean softmax output for a feature
// vector, in Alphabet order.
func (c *Classifier) Probabilities(x []float32) []float32 {
	out := make([]float32, len(Alphabet))
	for _, m := range c.nets {
		for k, v := range m.probabilities(x) {
			out[k] += v / float32(len(c.nets))
		}
	}
	return out
}

func (m *mlp) probabilities(x []float32) []float32 {
	h := make([]float32, m.hidden)
	out := make([]float32, m.out)
	forwardT(m.w1t, m.b1, m.w2, m.b2, x[:m.in], h, out)
	return out
}

// transpose returns the rows × cols row-major matrix a as cols × rows.
func transpose(a []float32, rows, cols int) []float32 {
	t := make([]float32, len(a))
	for r := range rows {
		for c := range cols {
			t[c*rows+r] = a[r*cols+c]
		}
	}
	return t
}

// forwardT is Forward with the hidden layer's weights transposed (w1t,
// len(x) × len(h)). Every hidden unit gets the same products added in the
// same order as in Forward, so the results are bit for bit Forward's
// (inputs that are exactly 0, the blank margin, add nothing and are
// skipped). It is faster because it takes four inputs per pass over the
// hidden units, whose sums are independent of each other.
func forwardT(w1t, b1, w2, b2, x, h, p []float32) {
	nh := len(h)
	copy(h, b1)
	var nzBuf [FeatureLen]int
	nz := nzBuf[:0]
	for i, v := range x {
		if v != 0 {
			nz = append(nz, i)
		}
	}
	col := func(i int) []float32 { return w1t[i*nh : (i+1)*nh][:nh:nh] }
	k := 0
	for ; k+4 <= len(nz); k += 4 {
		c0, c1, c2, c3 := col(nz[k]), col(nz[k+1]), col(nz[k+2]), col(nz[k+3])
		v0, v1, v2, v3 := x[nz[k]], x[nz[k+1]], x[nz[k+2]], x[nz[k+3]]
		for j := range h[:nh] {
			h[j] = h[j] + c0[j]*v0 + c1[j]*v1 + c2[j]*v2 + c3[j]*v3
		}
	}
	for ; k < len(nz); k++ {
		c, v := col(nz[k]), x[nz[k]]
		for j := range h[:nh] {
			h[j] += c[j] * v
		}
	}
	for j := range h {
		h[j] = max(h[j], 0)
	}
	output(w2, b2, h, p)
}

// Forward runs one network of the classifier's shape on input x: a ReLU
// hidden layer (weights w1, row-major hidden×len(x), biases b1) and a
// softmax output layer (w2, out×hidden, b2). It writes the hidden
// activations to h (len(b1)) and the probabilities to p (len(b2)). The
// training program (tools/ocrbtrain) uses it too, so training and reading
// compute the same numbers.
func Forward(w1, b1, w2, b2, x, h, p []float32) {
	in := len(x)
	for j := range h {
		s := b1[j]
		row := w1[j*in : (j+1)*in]
		for i, v := range x {
			s += row[i] * v
		}
		h[j] = max(s, 0)
	}
	output(w2, b2, h, p)
}

// output computes the softmax layer of Forward from the hidden
// activations h.
func output(w2, b2, h, p []float32) {
	top := float32(math.Inf(-1))
	for k := range p {
		s := b2[k]
		row := w2[k*len(h) : (k+1)*len(h)]
		for j, v := range h {
			s += row[j] * v
		}
		p[k] = s
		top = max(top, s)
	}
	var sum float32
	for k := range p {
		p[k] = float32(math.Exp(float64(p[k] - top)))
		sum += p[k]
	}
	for k := range p {
		p[k] /= sum
	}
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

// ModelBytes returns a copy of the embedded model file.
func ModelBytes() []byte { return append([]byte(nil), modelBin...) }
