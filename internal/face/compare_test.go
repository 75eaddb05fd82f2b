package face

import (
	"encoding/json"
	"flag"
	"image"
	"image/draw"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/imaging"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// portraits returns single-face portrait crops, re-encoded as JPEG:
// Leonard from bbt4 (a selfie-like portrait), Leonard from bbt3 enlarged 2×
// (an ID-portrait-like photo from another day) and Sheldon from bbt4.
func portraits(t testing.TB) (leonard4, leonard3, sheldon4 image.Image) {
	t.Helper()
	dir, _ := readLabels(t)
	bbt4 := decodeFile(t, filepath.Join(dir, "group", "bbt4.jpg"))
	bbt3 := decodeFile(t, filepath.Join(dir, "group", "bbt3.jpg"))
	l3 := imaging.ResizeRGBA(cropRGBA(bbt3, 519, 140, 110, 140), 220, 280)
	return crop(t, bbt4, 106, 320, 190, 250), reencode(t, l3), crop(t, bbt4, 505, 245, 200, 260)
}

func TestCompare(t *testing.T) {
	e := newTestEngine(t, loadModels(t))
	l4, l3, s4 := portraits(t)
	dir, _ := readLabels(t)
	group := decodeFile(t, filepath.Join(dir, "group", "bbt3.jpg"))
	tests := []struct {
		name        string
		a           image.Image
		b           image.Image
		verdict     Verdict
		reasons     []Reason
		maxDistance float64 // checked when the verdict is not unusable
	}{
		{"same person, two photos", l4, l3, VerdictMatch, []Reason{}, 0.45},
		{"different people", s4, l3, VerdictNoMatch, []Reason{}, 2},
		{"different people (same photo)", s4, l4, VerdictNoMatch, []Reason{}, 2},
		{"selfie is a group photo", group, l3, VerdictUnusable, []Reason{ReasonImageNotPortrait, ReasonMultipleFaces}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.Compare(tt.a, Selfie, tt.b, IDPortrait)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("distance %.3f verdict %s reasons %v", c.Distance, c.Verdict, c.Reasons)
			if c.Verdict != tt.verdict {
				t.Errorf("verdict: got %s, want %s", c.Verdict, tt.verdict)
			}
			if diff := cmp.Diff(tt.reasons, c.Reasons); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
			if tt.verdict == VerdictUnusable {
				if !math.IsNaN(c.Distance) {
					t.Errorf("distance: got %.3f, want NaN for unusable", c.Distance)
				}
			} else if c.Distance > tt.maxDistance {
				t.Errorf("distance: got %.3f, want ≤ %.2f", c.Distance, tt.maxDistance)
			}
		})
	}
}

func TestCompareWithoutRecognizer(t *testing.T) {
	e := newTestEngine(t, Models{})
	img := image.NewGray(image.Rect(0, 0, 10, 10))
	if _, err := e.Compare(img, Selfie, img, IDPortrait); err != ErrNoRecognizer {
		t.Errorf("Compare without model: got %v, want ErrNoRecognizer", err)
	}
}

func TestDecide(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		d    float64
		want Verdict
	}{
		{0, VerdictMatch}, {0.5, VerdictMatch}, {0.5001, VerdictReview},
		{0.6, VerdictReview}, {0.61, VerdictNoMatch}, {2, VerdictNoMatch},
	}
	for _, tt := range tests {
		if got := cfg.Decide(tt.d); got != tt.want {
			t.Errorf("Decide(%g): got %s, want %s", tt.d, got, tt.want)
		}
	}
}

// TestCompareReportGolden pins the public JSON of a comparison (the CLI's
// output without timings). Run with -update to rewrite it.
func TestCompareReportGolden(t *testing.T) {
	e := newTestEngine(t, loadModels(t))
	l4, l3, _ := portraits(t)
	dir, _ := readLabels(t)
	group := decodeFile(t, filepath.Join(dir, "group", "bbt3.jpg"))
	for _, tc := range []struct {
		file string
		a, b image.Image
	}{
		{"compare_match.golden.json", l4, l3},
		{"compare_unusable.golden.json", group, l3},
	} {
		c, err := e.Compare(tc.a, Selfie, tc.b, IDPortrait)
		if err != nil {
			t.Fatal(err)
		}
		r := NewCompareReport(c)
		if r.Distance != nil {
			// Descriptor arithmetic may differ in the last digits across
			// CPUs: pin the distance (0.358 here) to 1 decimal.
			d := round(*r.Distance, 1)
			r.Distance = &d
		}
		checkGolden(t, tc.file, r)
	}
}

// idCard renders a synthetic ID card: a light background, the portrait on
// the left and a faded, smaller "ghost" copy of it on the right, as many
// documents print.
func idCard(t testing.TB, portrait image.Image) image.Image {
	t.Helper()
	card := image.NewRGBA(image.Rect(0, 0, 640, 400))
	for i := 0; i < len(card.Pix); i += 4 {
		card.Pix[i], card.Pix[i+1], card.Pix[i+2], card.Pix[i+3] = 225, 232, 240, 255
	}
	p := imaging.ToRGBA(portrait)
	draw.Draw(card, p.Rect.Add(image.Pt(30, 60)), p, image.Point{}, draw.Src)
	ghost := imaging.ResizeRGBA(p, p.Rect.Dx()*2/5, p.Rect.Dy()*2/5)
	for i := 0; i < len(ghost.Pix); i += 4 {
		for c := range 3 {
			ghost.Pix[i+c] = uint8((int(ghost.Pix[i+c]) + 2*230) / 3)
		}
	}
	draw.Draw(card, ghost.Rect.Add(image.Pt(500, 220)), ghost, image.Point{}, draw.Src)
	return reencode(t, card)
}

// TestCompareSelfieWithIDCard compares a selfie with the portrait of a
// synthetic ID card that also carries a ghost image: the ghost is not a
// second dominant face, and the portrait matches.
func TestCompareSelfieWithIDCard(t *testing.T) {
	e := newTestEngine(t, loadModels(t))
	l4, l3, s4 := portraits(t)
	card := idCard(t, l3)
	for _, tt := range []struct {
		name   string
		selfie image.Image
		want   Verdict
	}{
		{"same person", l4, VerdictMatch},
		{"other person", s4, VerdictNoMatch},
	} {
		c, err := e.Compare(tt.selfie, Selfie, card, IDPortrait)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: distance %.3f, %d faces on the card, reasons %v", tt.name, c.Distance, len(c.B.Faces), c.Reasons)
		if c.Verdict != tt.want {
			t.Errorf("%s: verdict got %s, want %s (reasons %v)", tt.name, c.Verdict, tt.want, c.Reasons)
		}
	}
}

// TestDetectReportGolden pins the public JSON of `openidv face detect`
// (without timings) on bbt3 with pigo alone. Run with -update to rewrite.
func TestDetectReportGolden(t *testing.T) {
	dir, _ := readLabels(t)
	e := newTestEngine(t, Models{})
	img := decodeFile(t, filepath.Join(dir, "group", "bbt3.jpg"))
	faces, err := e.Detect(img)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	checkGolden(t, "detect_bbt3.golden.json", NewDetectReport(b.Dx(), b.Dy(), faces))
}

// checkGolden compares v's indented JSON with testdata/name, rewriting the
// file first with -update.
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}
