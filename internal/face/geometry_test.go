package face

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/openidv/openidv/internal/face/cascade"
)

func TestBoxIoU(t *testing.T) {
	tests := []struct {
		a, b Box
		want float64
	}{
		{Box{0, 0, 10, 10}, Box{0, 0, 10, 10}, 1},
		{Box{0, 0, 10, 10}, Box{5, 0, 10, 10}, 50.0 / 150},
		{Box{0, 0, 10, 10}, Box{10, 10, 10, 10}, 0},
		{Box{0, 0, 10, 10}, Box{2, 2, 5, 5}, 25.0 / 100},
		{Box{0, 0, 0, 0}, Box{0, 0, 0, 0}, 0},
	}
	for _, tt := range tests {
		if got := tt.a.IoU(tt.b); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%v.IoU(%v): got %g, want %g", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSuppress(t *testing.T) {
	in := []Face{
		{Box: Box{0, 0, 100, 100}, Score: 50},
		{Box: Box{10, 5, 100, 100}, Score: 80},    // overlaps the first: keeps the stronger
		{Box: Box{300, 0, 100, 100}, Score: 20},   // separate face
		{Box: Box{320, 20, 50, 50}, Score: 30},    // inside the separate face, stronger
		{Box: Box{600, 600, 40, 40}, Score: 10.5}, // separate
	}
	got := suppress(in, 0.3)
	want := []Face{
		{Box: Box{10, 5, 100, 100}, Score: 80},
		{Box: Box{320, 20, 50, 50}, Score: 30},
		{Box: Box{600, 600, 40, 40}, Score: 10.5},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suppress (-want +got):\n%s", diff)
	}
}

func TestSimilarityPutsPupilsOnCanonicalPoints(t *testing.T) {
	tests := []Pupils{
		{Left: Point{100, 100}, Right: Point{157, 100}},     // chip scale
		{Left: Point{200, 300}, Right: Point{320, 330}},     // larger, tilted
		{Left: Point{10.5, 40.25}, Right: Point{30, 35.75}}, // small, tilted the other way
	}
	for _, p := range tests {
		s := newSimilarity(p)
		var got Pupils
		got.Left.X, got.Left.Y = s.apply(chipLeftEye.X, chipLeftEye.Y)
		got.Right.X, got.Right.Y = s.apply(chipRightEye.X, chipRightEye.Y)
		if diff := cmp.Diff(p, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
			t.Errorf("transform of canonical eyes (-want +got):\n%s", diff)
		}
	}
}

// TestAlignMarksPupils draws two dots, aligns on them, and checks that they
// land on the chip's canonical eye points; the chip of a point fully off
// the image is all outside.
func TestAlignMarksPupils(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 400, 400))
	p := Pupils{Left: Point{150, 140}, Right: Point{250, 160}}
	for _, q := range []Point{p.Left, p.Right} {
		for dy := -2; dy <= 2; dy++ {
			for dx := -2; dx <= 2; dx++ {
				img.Set(int(q.X)+dx, int(q.Y)+dy, color.White)
			}
		}
	}
	chip, outside := Align(img, p)
	if outside != 0 {
		t.Errorf("outside: got %g, want 0", outside)
	}
	for _, q := range []Point{chipLeftEye, chipRightEye} {
		if v := chip.RGBAAt(int(q.X), int(q.Y)).R; v < 128 {
			t.Errorf("chip at canonical eye %v: got %d, want a bright dot", q, v)
		}
	}
	if v := chip.RGBAAt(75, 100).R; v != 0 {
		t.Errorf("chip between the eyes and below: got %d, want 0", v)
	}
	_, outside = Align(img, Pupils{Left: Point{-1000, -1000}, Right: Point{-950, -1000}})
	if outside != 1 {
		t.Errorf("outside for a face off the image: got %g, want 1", outside)
	}
	_, outside = Align(img, Pupils{Left: Point{5, 150}, Right: Point{60, 150}})
	// The face region starts (45.2-30)×55/57 ≈ 14.7 px left of the left
	// pupil: about 10 of its 87 px width are off the image.
	if outside < 0.08 || outside > 0.15 {
		t.Errorf("outside for a face cut by the left border: got %g, want about 0.11", outside)
	}
}

func TestParsePuplocRejectsMalformed(t *testing.T) {
	good := cascade.Puploc()
	if _, err := parsePuploc(good); err != nil {
		t.Fatalf("embedded cascade: %v", err)
	}
	for name, b := range map[string][]byte{
		"empty":       nil,
		"truncated":   good[:len(good)-1],
		"header only": good[:16],
		"huge depth":  append([]byte{1, 0, 0, 0, 0, 0, 128, 63, 1, 0, 0, 0, 99, 0, 0, 0}, good[16:]...),
	} {
		if _, err := parsePuploc(b); err == nil {
			t.Errorf("%s: got nil error, want one", name)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	bad := map[string]func(*Config){
		"match above review": func(c *Config) { c.MatchThreshold = 0.7 },
		"zero match":         func(c *Config) { c.MatchThreshold = 0 },
		"glare above 1":      func(c *Config) { c.MaxGlare = 2 },
		"tiny detect side":   func(c *Config) { c.MaxDetectSide = 10 },
		"zero NMS":           func(c *Config) { c.NMSIoU = 0 },
		"dominance 0":        func(c *Config) { c.DominanceRatio = 0 },
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	for name, mod := range bad {
		c := DefaultConfig()
		mod(&c)
		if _, err := NewEngine(c, Models{}); err == nil {
			t.Errorf("%s: NewEngine accepted it", name)
		}
	}
}
