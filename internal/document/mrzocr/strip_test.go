package mrzocr_test

import (
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/document/mrzocr"
	"github.com/openidv/openidv/internal/document/ocrb"
	"github.com/openidv/openidv/internal/imaging"
)

// inkBox returns the bounding box of the ink inside r: pixels darker than
// halfway between r's 5th and 95th percentiles, in rows and columns that
// hold at least two of them.
func inkBox(g *image.Gray, r image.Rectangle) image.Rectangle {
	var vals []int
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			vals = append(vals, int(g.GrayAt(x, y).Y))
		}
	}
	sort.Ints(vals)
	thr := (vals[len(vals)/20] + vals[len(vals)*19/20]) / 2
	rows := make([]int, r.Dy())
	cols := make([]int, r.Dx())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if int(g.GrayAt(x, y).Y) < thr {
				rows[y-r.Min.Y]++
				cols[x-r.Min.X]++
			}
		}
	}
	first := func(c []int) int {
		for i, n := range c {
			if n >= 2 {
				return i
			}
		}
		return 0
	}
	last := func(c []int) int {
		for i := len(c) - 1; i >= 0; i-- {
			if c[i] >= 2 {
				return i + 1
			}
		}
		return len(c)
	}
	return image.Rect(r.Min.X+first(cols), r.Min.Y+first(rows), r.Min.X+last(cols), r.Min.Y+last(rows))
}

// TestReadTightStrips crops every real scan that Read reads exactly to
// its zone, with little or no margin, and reads the strip alone.
func TestReadTightStrips(t *testing.T) {
	dir, gt, names := loadGroundTruth(t)
	read := 0
	for _, name := range names {
		entry := gt.Images[name]
		want := entry.MRZSource
		if want == nil {
			want = entry.MRZEye
		}
		if want == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := imaging.DecodeBytes(data, imaging.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		g := imaging.ToGray(img)
		rd, err := mrzocr.Read(g, now)
		if err != nil || strings.Join(rd.Lines, "\n") != strings.Join(want, "\n") {
			continue
		}
		if a := math.Mod(rd.Angle+360, 90); a > 3 && a < 87 {
			continue // the box around a skewed zone is no strip
		}
		ink := inkBox(g, rd.Band)
		for _, margin := range []float64{0.1, 0} {
			m := int(margin * float64(min(ink.Dx(), ink.Dy())))
			strip := g.SubImage(ink.Inset(-m)).(*image.Gray)
			got, err := mrzocr.Read(strip, now)
			switch {
			case err != nil:
				t.Errorf("%s margin %.2f (%v): %v", name, margin, strip.Bounds(), err)
			case strings.Join(got.Lines, "\n") != strings.Join(want, "\n"):
				t.Errorf("%s margin %.2f: got %q, want %q", name, margin, got.Lines, want)
			default:
				read++
			}
		}
	}
	t.Logf("%d tight strips read exactly", read)
	if read == 0 {
		t.Error("no strip was read")
	}
}

// TestReadRenderedStrips reads zones rendered with no page around them,
// cropped to their ink, with a small margin and with two characters of
// margin, at several sizes. All must be read exactly; a 36-wide zone
// without a blank cell's room past its lines is flagged as possibly
// truncated (it could be a 44-wide zone cut short), every other is valid.
func TestReadRenderedStrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	zones := specimens(t, rng, 4)
	if raceEnabled {
		zones = zones[:3]
	}
	for _, pitch := range []float64{9, 16, 30} {
		for _, margin := range []float64{0, 0.3, 2} {
			for zi, z := range zones {
				g := ocrb.Render(strings.Join(z, "\n"), ocrb.Options{Pitch: pitch, Margin: 3 * pitch})
				ink := inkBox(g, g.Bounds())
				strip := g.SubImage(ink.Inset(-int(margin * pitch))).(*image.Gray)
				rd, err := mrzocr.Read(strip, now)
				if err != nil {
					t.Errorf("pitch %.0f margin %.1f zone %d (%v): %v", pitch, margin, zi, strip.Bounds(), err)
					continue
				}
				cut := len(z[0]) == 36 && margin < 1.5
				ok := rd.Result.Valid
				if cut {
					ok = slices.Contains(rd.Result.Problems, mrzocr.ProblemTruncated)
				}
				if got, want := strings.Join(rd.Lines, "\n"), strings.Join(z, "\n"); got != want || !ok {
					t.Errorf("pitch %.0f margin %.1f zone %d: got\n%s\nwant\n%s\nvalid %v %v", pitch, margin, zi, got, want, rd.Result.Valid, rd.Result.Problems)
				}
			}
		}
	}
}
