package ocrb_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/document/ocrb"
	"github.com/openidv/openidv/tools/ocrbtrain/synth"
)

// TestHeldOutAccuracy classifies augmented renders made with a seed the
// training program never uses (it trains on seed 1 and validates on 1001)
// and reports accuracy per glyph.
func TestHeldOutAccuracy(t *testing.T) {
	clf, err := ocrb.NewClassifier()
	if err != nil {
		t.Fatal(err)
	}
	lines := 400
	if raceEnabled {
		lines = 100
	}
	samples := synth.Samples(rand.New(rand.NewPCG(777, 778)), lines)
	var ok, n [len(ocrb.Alphabet)]int
	top2 := 0
	for _, s := range samples {
		r := clf.Rank(s.X)
		n[s.Label]++
		if r[0].Char == ocrb.Alphabet[s.Label] {
			ok[s.Label]++
		}
		if r[0].Char == ocrb.Alphabet[s.Label] || r[1].Char == ocrb.Alphabet[s.Label] {
			top2++
		}
	}
	var all, cnt int
	var worst []string
	for k := range ok {
		all += ok[k]
		cnt += n[k]
		acc := float64(ok[k]) / float64(max(n[k], 1))
		t.Logf("%c %4d/%4d %.3f", ocrb.Alphabet[k], ok[k], n[k], acc)
		if acc < 0.85 {
			worst = append(worst, string(ocrb.Alphabet[k]))
		}
	}
	acc := float64(all) / float64(cnt)
	t.Logf("all glyphs: %d/%d = %.4f top-1, %.4f top-2", all, cnt, acc, float64(top2)/float64(cnt))
	if acc < 0.95 {
		t.Errorf("held-out top-1 accuracy %.4f, want ≥ 0.95", acc)
	}
	if len(worst) > 0 {
		t.Errorf("glyphs under 85%% accuracy: %s", strings.Join(worst, " "))
	}
}

// TestCleanGlyphs classifies every glyph of a clean render at several
// sizes: all must be right.
func TestCleanGlyphs(t *testing.T) {
	clf, err := ocrb.NewClassifier()
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, ocrb.FeatureLen)
	for _, pitch := range []float64{8, 12, 20, 32} {
		o := ocrb.Options{Pitch: pitch, Margin: pitch}
		img := ocrb.Render(ocrb.Alphabet, o)
		for i := 0; i < len(ocrb.Alphabet); i++ {
			if !ocrb.Features(img, o.CellOf(0, i), x) {
				t.Fatalf("pitch %.0f glyph %c: no features", pitch, ocrb.Alphabet[i])
			}
			if got := clf.Rank(x)[0].Char; got != ocrb.Alphabet[i] {
				t.Errorf("pitch %.0f: got %c, want %c", pitch, got, ocrb.Alphabet[i])
			}
		}
	}
}

func TestLoadClassifierRejectsBadFiles(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("OCRBMLP1"), []byte("NOTAMODEL123456789012"), append([]byte("OCRBMLP1"), make([]byte, 20)...)} {
		if _, err := ocrb.LoadClassifier(b); !errors.Is(err, ocrb.ErrModel) {
			t.Errorf("LoadClassifier(%d bytes) error = %v, want ErrModel", len(b), err)
		}
	}
}

func TestFeaturesBlankAndOffImage(t *testing.T) {
	img := ocrb.Render("", ocrb.Options{Pitch: 10, Margin: 40})
	x := make([]float32, ocrb.FeatureLen)
	for _, c := range []ocrb.Cell{
		{CX: 20, CY: 20, Pitch: 10, CapHeight: 9},
		{CX: -1e9, CY: 1e9, Pitch: 10, CapHeight: 9},
		{CX: 20, CY: 20, Pitch: 0, CapHeight: 9},
	} {
		if ocrb.Features(img, c, x) {
			t.Errorf("Features(%+v) on a blank image = true", c)
		}
	}
}

// TestEnsemble loads a file holding the embedded network twice: the mean
// of two equal networks is the network itself; trailing bytes are errors.
func TestEnsemble(t *testing.T) {
	one, err := ocrb.NewClassifier()
	if err != nil {
		t.Fatal(err)
	}
	b := ocrb.ModelBytes()
	two, err := ocrb.LoadClassifier(append(append([]byte(nil), b...), b...))
	if err != nil {
		t.Fatal(err)
	}
	o := ocrb.Options{Pitch: 20, Margin: 20}
	x := make([]float32, ocrb.FeatureLen)
	ocrb.Features(ocrb.Render("M", o), o.CellOf(0, 0), x)
	p1, p2 := one.Probabilities(x), two.Probabilities(x)
	for k := range p1 {
		if d := p1[k] - p2[k]; d > 1e-5 || d < -1e-5 {
			t.Errorf("glyph %c: %v alone, %v doubled", ocrb.Alphabet[k], p1[k], p2[k])
		}
	}
	if _, err := ocrb.LoadClassifier(append(append([]byte(nil), b...), 'x')); !errors.Is(err, ocrb.ErrModel) {
		t.Errorf("trailing byte: error %v, want ErrModel", err)
	}
}
