package face

import (
	"image"
	"path/filepath"
	"runtime"
	"testing"

	pigo "github.com/esimov/pigo/core"
	"github.com/openidv/openidv/internal/face/cascade"
	"github.com/openidv/openidv/internal/imaging"
)

// frame640 is bbt4 resized to 640×480 (six faces).
func frame640(b testing.TB) image.Image {
	dir, _ := readLabels(b)
	img := decodeFile(b, filepath.Join(dir, "group", "bbt4.jpg"))
	return imaging.ResizeRGBA(imaging.ToRGBA(img), 640, 480)
}

// BenchmarkPigoDetect640x480 is Engine.Detect (pigo faces + NMS + pupils,
// no fallback) on a 640×480 frame.
func BenchmarkPigoDetect640x480(b *testing.B) {
	img := frame640(b)
	cfg := DefaultConfig()
	cfg.Fallback = FallbackNever
	e, err := NewEngine(cfg, Models{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	reportCPU(b, func() {
		faces, err := e.Detect(img)
		if err != nil || len(faces) != 6 {
			b.Fatalf("Detect: %d faces, %v", len(faces), err)
		}
	})
}

// BenchmarkPigoUpstream640x480 is the baseline: pigo used as its README
// shows (RgbToGrayscale, RunCascade, ClusterDetections, puploc with 63
// random perturbations per eye) on the same frame.
func BenchmarkPigoUpstream640x480(b *testing.B) {
	img := frame640(b)
	finder, err := pigo.NewPigo().Unpack(cascade.FaceFinder())
	if err != nil {
		b.Fatal(err)
	}
	plc, err := pigo.NewPuplocCascade().UnpackCascade(cascade.Puploc())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	reportCPU(b, func() {
		px := pigo.RgbToGrayscale(img)
		ip := pigo.ImageParams{Pixels: px, Rows: 480, Cols: 640, Dim: 640}
		dets := finder.RunCascade(pigo.CascadeParams{MinSize: 40, MaxSize: 480, ShiftFactor: 0.1, ScaleFactor: 1.1, ImageParams: ip}, 0)
		dets = finder.ClusterDetections(dets, 0.2)
		for _, d := range dets {
			if d.Q < 12 {
				continue
			}
			s := float32(d.Scale)
			for _, dc := range []float32{-0.175, 0.185} {
				pl := pigo.Puploc{Row: d.Row - int(0.075*s), Col: d.Col + int(dc*s), Scale: 0.25 * s, Perturbs: 63}
				plc.RunDetector(pl, ip, 0, false)
			}
		}
	})
}

// compareInputs are two encoded JPEGs of the same person: a 768×1024
// selfie-sized portrait (a crop of bbt4 enlarged 4×) and a 220×280
// ID-like portrait.
func compareInputs(b testing.TB) (selfie, id []byte) {
	l4, l3, _ := portraits(b)
	big := imaging.ResizeRGBA(imaging.ToRGBA(l4), 768, 1024)
	return encodeJPEG(b, big), encodeJPEG(b, l3)
}

// compareJPEGs decodes two JPEGs and compares them.
func compareJPEGs(e *Engine, a, b []byte) (*Comparison, error) {
	ia, _, err := imaging.DecodeBytes(a, imaging.Limits{})
	if err != nil {
		return nil, err
	}
	ib, _, err := imaging.DecodeBytes(b, imaging.Limits{})
	if err != nil {
		return nil, err
	}
	return e.Compare(ia, Selfie, ib, IDPortrait)
}

// BenchmarkCompareJPEGs is a full selfie-vs-ID-portrait comparison from two
// encoded JPEGs to a verdict (models loaded once, outside the loop).
func BenchmarkCompareJPEGs(b *testing.B) {
	e := newTestEngine(b, loadModels(b))
	sa, sb := compareInputs(b)
	b.ReportAllocs()
	reportCPU(b, func() {
		c, err := compareJPEGs(e, sa, sb)
		if err != nil || c.Verdict != VerdictMatch {
			b.Fatalf("Compare: %v, %v", c, err)
		}
	})
}

// BenchmarkDescribeTwoChips is the floor of BenchmarkCompareJPEGs: the
// recognition network alone on two 150×150 chips.
func BenchmarkDescribeTwoChips(b *testing.B) {
	m := loadModels(b)
	chip := image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))
	b.ReportAllocs()
	reportCPU(b, func() {
		for range 2 {
			if _, err := m.DescribeChip(chip); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestCompareAllocations checks that one comparison from two encoded JPEGs
// allocates under 64 MB (after a warm-up that fills the models' pools).
func TestCompareAllocations(t *testing.T) {
	e := newTestEngine(t, loadModels(t))
	sa, sb := compareInputs(t)
	if _, err := compareJPEGs(e, sa, sb); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := compareJPEGs(e, sa, sb); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("one comparison allocated %.1f MB", float64(got)/(1<<20))
	if got >= 64<<20 {
		t.Errorf("allocated %d bytes, want < 64 MB", got)
	}
}
