package docsynth

import (
	"bytes"
	"math/rand"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/document/mrz"
)

// TestMRZValid checks that every kind's specimen and random identities
// give MRZ lines the parser accepts with every check digit valid.
func TestMRZValid(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, k := range Kinds {
		for i := range 50 {
			id := RandomIdentity(k, r)
			if i == 0 {
				id = Specimen(k)
			}
			lines := MRZ(k, id)
			if k == CardNoMRZ {
				if lines != nil {
					t.Errorf("%s: got MRZ %q, want none", k, lines)
				}
				continue
			}
			res, err := mrz.Parse(lines, now)
			if err != nil || !res.ChecksValid || string(res.Format) != string(k) {
				t.Fatalf("%s %+v: lines %q: err %v, result %+v", k, id, lines, err, res)
			}
		}
	}
}

// TestPhotoGroundTruth renders one sample per variant and checks that the
// photo has the expected size, the quads lie inside it and the same seed
// gives the same pixels.
func TestPhotoGroundTruth(t *testing.T) {
	rd, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	gen := func() []*Sample {
		var out []*Sample
		err := rd.Set(3, SetOptions{PerKind: 1, Kinds: []Kind{TD3}, Variants: []Variant{Clean, Half, Perspective, Screen}}, func(s *Sample) error {
			out = append(out, s)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := gen(), gen()
	for i, s := range a {
		w, h := SceneW, SceneH
		if s.Variant == Half {
			w, h = w/2, h/2
		}
		if got := s.Image.Rect.Size(); got.X != w || got.Y != h {
			t.Errorf("%s: size %v, want %dx%d", s.Name, got, w, h)
		}
		for _, p := range append(s.Quad[:], s.MRZQuad[:]...) {
			if p.X < 0 || p.Y < 0 || p.X > float64(w) || p.Y > float64(h) {
				t.Errorf("%s: corner %v outside the photo", s.Name, p)
			}
		}
		if !bytes.Equal(s.Image.Pix, b[i].Image.Pix) {
			t.Errorf("%s: not reproducible from the seed", s.Name)
		}
	}
}
