package ocrb

import (
	"math/rand/v2"
	"testing"
)

// TestForwardTMatchesForward checks that the reader's transposed hidden
// layer gives bit for bit the numbers of Forward, which training uses, on
// the embedded networks and on inputs with and without blank (0) values.
func TestForwardTMatchesForward(t *testing.T) {
	c, err := NewClassifier()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name  string
		zeros float64 // fraction of inputs that are exactly 0
	}{
		{"dense", 0}, {"half blank", 0.5}, {"all blank", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := make([]float32, FeatureLen)
			for i := range x {
				if rng.Float64() >= tc.zeros {
					x[i] = rng.Float32()
				}
			}
			for n, m := range c.nets {
				hWant, want := make([]float32, m.hidden), make([]float32, m.out)
				hGot, got := make([]float32, m.hidden), make([]float32, m.out)
				Forward(m.w1, m.b1, m.w2, m.b2, x, hWant, want)
				forwardT(m.w1t, m.b1, m.w2, m.b2, x, hGot, got)
				for k := range want {
					if got[k] != want[k] {
						t.Fatalf("net %d output %d: got %v, want %v", n, k, got[k], want[k])
					}
				}
				for j := range hWant {
					if hGot[j] != hWant[j] {
						t.Fatalf("net %d hidden %d: got %v, want %v", n, j, hGot[j], hWant[j])
					}
				}
			}
		})
	}
}

// BenchmarkProbabilities times one classification with the embedded
// model.
func BenchmarkProbabilities(b *testing.B) {
	c, err := NewClassifier()
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float32, FeatureLen)
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	for b.Loop() {
		c.Probabilities(x)
	}
}
