// Command ocrbtrain trains the OCR-B glyph classifier of
// internal/document/ocrb on augmented renders of the embedded font and
// writes its model file: one network on OCR-B as rendered, and a second
// one on renders whose glyph shapes were changed (synth.Generalise) so
// that the averaged pair also reads MRZ print that is not exactly OCR-B.
//
//	go run ./tools/ocrbtrain -out internal/document/ocrb/model.bin
//
// Training is deterministic for a given -seed.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"

	"github.com/openidv/openidv/internal/document/ocrb"
	"github.com/openidv/openidv/tools/ocrbtrain/synth"
)

func main() {
	out := flag.String("out", "internal/document/ocrb/model.bin", "model file to write")
	seed := flag.Uint64("seed", 1, "random seed")
	lines := flag.Int("lines", 4000, "augmented training lines (16 glyphs each)")
	epochs := flag.Int("epochs", 14, "epochs")
	hidden := flag.Int("hidden", 96, "hidden units")
	texture := flag.Bool("texture", false, "also augment with background texture")
	rules := flag.Bool("rules", false, "also augment with lines near the text")
	general := flag.Float64("general", 0.6, "if above 0, append a second network trained on lines of which this fraction have generalised glyph shapes (synth.Generalise)")
	onlyGeneral := flag.Bool("only-general", false, "write only the second network")
	flag.Parse()
	test := synth.Samples(rand.New(rand.NewPCG(*seed+1000, 7)), 300)
	var model []byte
	if !*onlyGeneral {
		rng := rand.New(rand.NewPCG(*seed, 0x0cb))
		extra := synth.Extra{Texture: *texture, Rules: *rules}
		model = train(rng, *hidden, *lines, *epochs, extra, test).encode()
	}
	if *general > 0 {
		rng := rand.New(rand.NewPCG(*seed+2000, 0x0cb))
		extra := synth.Extra{Texture: *texture, Rules: *rules, General: *general}
		model = append(model, train(rng, *hidden, *lines, *epochs, extra, test).encode()...)
	}
	if len(model) == 0 {
		log.Fatal("no network to write: -only-general needs -general above 0")
	}
	if err := os.WriteFile(*out, model, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s\n", *out)
}

// train draws lines of augmented samples from rng and trains a network
// on them, logging its accuracy on test after every epoch.
func train(rng *rand.Rand, hidden, lines, epochs int, extra synth.Extra, test []synth.Sample) *mlp {
	net := newMLP(ocrb.FeatureLen, hidden, len(ocrb.Alphabet), rng)
	data := synth.SamplesExtra(rng, lines, extra)
	log.Printf("%d training samples, %d held out", len(data), len(test))
	for e := range epochs {
		lr := float32(0.05 * math.Pow(0.85, float64(e)))
		loss := net.epoch(data, lr, rng)
		log.Printf("epoch %d: %d samples, loss %.4f, held-out accuracy %.4f", e, len(data), loss, net.accuracy(test))
	}
	return net
}

type mlp struct {
	in, hidden, out    int
	w1, b1, w2, b2     []float32
	vw1, vb1, vw2, vb2 []float32 // momentum
}

func newMLP(in, hidden, out int, rng *rand.Rand) *mlp {
	m := &mlp{in: in, hidden: hidden, out: out,
		w1: make([]float32, hidden*in), b1: make([]float32, hidden),
		w2: make([]float32, out*hidden), b2: make([]float32, out),
		vw1: make([]float32, hidden*in), vb1: make([]float32, hidden),
		vw2: make([]float32, out*hidden), vb2: make([]float32, out)}
	for i := range m.w1 {
		m.w1[i] = float32(rng.NormFloat64() * math.Sqrt(2/float64(in)))
	}
	for i := range m.w2 {
		m.w2[i] = float32(rng.NormFloat64() * math.Sqrt(1/float64(hidden)))
	}
	return m
}

func (m *mlp) forward(x []float32, h, p []float32) {
	ocrb.Forward(m.w1, m.b1, m.w2, m.b2, x, h, p)
}

// epoch runs minibatch SGD with momentum over shuffled samples.
func (m *mlp) epoch(data []synth.Sample, lr float32, rng *rand.Rand) float64 {
	rng.Shuffle(len(data), func(i, j int) { data[i], data[j] = data[j], data[i] })
	const batch = 32
	gw1, gb1 := make([]float32, len(m.w1)), make([]float32, len(m.b1))
	gw2, gb2 := make([]float32, len(m.w2)), make([]float32, len(m.b2))
	h, p, dh := make([]float32, m.hidden), make([]float32, m.out), make([]float32, m.hidden)
	var loss float64
	for start := 0; start < len(data); start += batch {
		end := min(start+batch, len(data))
		clear(gw1)
		clear(gb1)
		clear(gw2)
		clear(gb2)
		for _, s := range data[start:end] {
			m.forward(s.X, h, p)
			loss -= math.Log(float64(max(p[s.Label], 1e-9)))
			p[s.Label] -= 1
			clear(dh)
			for k := range m.out {
				g := p[k]
				gb2[k] += g
				row := m.w2[k*m.hidden : (k+1)*m.hidden]
				grow := gw2[k*m.hidden : (k+1)*m.hidden]
				for j, v := range h {
					grow[j] += g * v
					dh[j] += g * row[j]
				}
			}
			for j := range m.hidden {
				if h[j] <= 0 {
					continue
				}
				g := dh[j]
				gb1[j] += g
				grow := gw1[j*m.in : (j+1)*m.in]
				for i, v := range s.X {
					grow[i] += g * v
				}
			}
		}
		scale := lr / float32(end-start)
		step(m.w1, m.vw1, gw1, scale, 1e-4)
		step(m.b1, m.vb1, gb1, scale, 0)
		step(m.w2, m.vw2, gw2, scale, 1e-4)
		step(m.b2, m.vb2, gb2, scale, 0)
	}
	return loss / float64(len(data))
}

func step(w, v, g []float32, lr, decay float32) {
	for i := range w {
		v[i] = 0.9*v[i] - lr*(g[i]+decay*w[i])
		w[i] += v[i]
	}
}

func (m *mlp) accuracy(data []synth.Sample) float64 {
	h, p := make([]float32, m.hidden), make([]float32, m.out)
	ok := 0
	for _, s := range data {
		m.forward(s.X, h, p)
		best := 0
		for k := range p {
			if p[k] > p[best] {
				best = k
			}
		}
		if best == s.Label {
			ok++
		}
	}
	return float64(ok) / float64(len(data))
}

func (m *mlp) encode() []byte {
	var buf bytes.Buffer
	buf.WriteString(ocrb.ModelMagic)
	for _, n := range []int{m.in, m.hidden, m.out} {
		_ = binary.Write(&buf, binary.LittleEndian, uint32(n))
	}
	for _, part := range [][]float32{m.w1, m.b1, m.w2, m.b2} {
		_ = binary.Write(&buf, binary.LittleEndian, part)
	}
	return buf.Bytes()
}
