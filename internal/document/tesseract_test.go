package document_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/document/mrzocr"
	"github.com/openidv/openidv/internal/imaging"
)

// The Tesseract 5 baseline (Debian tesseract-ocr, eng, MRZ whitelist) the
// issue compares the pure-Go reader with.
const tesseractWhitelist = "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

func needTesseract(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("tesseract")
	if err != nil {
		t.Skip("tesseract not installed")
	}
	return p
}

// strip cuts the sample's MRZ band (ground-truth outline) to a frontal
// grey image with a margin of half its height above and below (the
// reader's band locator needs some space around the lines): the same
// input for both readers.
func strip(s *docsynth.Sample) *image.Gray {
	g := imaging.ToGray(s.Image)
	w, h := s.MRZQuad.Sides()
	pad := h / 2
	dst := document.Quad{{X: 0, Y: pad}, {X: w, Y: pad}, {X: w, Y: pad + h}, {X: 0, Y: pad + h}}
	toPhoto, ok := document.HomographyFromQuads(dst, s.MRZQuad)
	if !ok {
		return nil
	}
	out := document.WarpGray(g, toPhoto, int(w), int(h+2*pad), 255)
	// Pad with the paper's tone (the band's first row), not white, so a
	// dark photo keeps a dark strip.
	sum, top := 0, int(pad)+1
	for x := range out.Rect.Dx() {
		sum += int(out.Pix[top*out.Stride+x])
	}
	paper := uint8(sum / out.Rect.Dx())
	for y := range out.Rect.Dy() {
		if float64(y) < pad || float64(y) >= pad+h {
			row := out.Pix[y*out.Stride : y*out.Stride+out.Rect.Dx()]
			for i := range row {
				row[i] = paper
			}
		}
	}
	return out
}

// tesseractRead runs the CLI on a PNG and returns the MRZ-shaped lines
// (spaces removed, the last want lines of at least 20 characters).
func tesseractRead(t testing.TB, bin, path string, want int) []string {
	t.Helper()
	out, err := exec.Command(bin, path, "-", "--psm", "6", "-c", tesseractWhitelist).Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.ReplaceAll(strings.TrimSpace(l), " ", ""); len(l) >= 20 {
			lines = append(lines, l)
		}
	}
	if len(lines) > want {
		lines = lines[len(lines)-want:]
	}
	return lines
}

func writePNG(t testing.TB, dir, name string, img image.Image) string {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestTesseractComparison reads the same MRZ strips with mrzocr and with
// Tesseract 5 and reports character and whole-MRZ accuracy per variant,
// with the median time per strip of each (informational: speed is
// compared by BenchmarkMRZStrip*). It also reports the median time of the
// whole pipeline (Inspect: detection, rectification, MRZ read) on the
// full photos. It fails if the pure-Go reader reads fewer zones exactly
// than Tesseract.
func TestTesseractComparison(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("renders a synthetic set and runs tesseract")
	}
	bin := needTesseract(t)
	dir := t.TempDir()
	variants := []docsynth.Variant{docsynth.Clean, docsynth.Blur, docsynth.JPEG60, docsynth.Half,
		docsynth.Perspective, docsynth.Rotation, docsynth.Noise, docsynth.LowLight}
	type score struct {
		n, exactO, exactT, charsO, charsT, total int
		msO, msT, msInspect                      []float64
	}
	per := map[docsynth.Variant]*score{}
	var all score
	kinds := []docsynth.Kind{docsynth.TD1, docsynth.TD2, docsynth.TD3, docsynth.MRVA, docsynth.MRVB}
	for _, s := range only(fullSet(t), kinds, variants...) {
		st := strip(s)
		if st == nil {
			t.Fatalf("%s: no strip", s.Name)
		}
		sc := per[s.Variant]
		if sc == nil {
			sc = &score{}
			per[s.Variant] = sc
		}
		t0 := time.Now()
		var ours []string
		if r, err := mrzocr.Read(st, now); err == nil {
			ours = r.Lines
		}
		msO := float64(time.Since(t0).Microseconds()) / 1000
		path := writePNG(t, dir, s.Name, st)
		t1 := time.Now()
		theirs := tesseractRead(t, bin, path, len(s.MRZ))
		msT := float64(time.Since(t1).Microseconds()) / 1000
		t2 := time.Now()
		if _, err := document.Inspect(s.Image, document.Options{Now: now}); err != nil {
			t.Fatal(err)
		}
		msI := float64(time.Since(t2).Microseconds()) / 1000
		okO, total := charScore(ours, s.MRZ)
		okT, _ := charScore(theirs, s.MRZ)
		for _, x := range []*score{sc, &all} {
			x.n++
			x.total += total
			x.charsO += okO
			x.charsT += okT
			if slices.Equal(ours, s.MRZ) {
				x.exactO++
			}
			if slices.Equal(theirs, s.MRZ) {
				x.exactT++
			}
			x.msO, x.msT, x.msInspect = append(x.msO, msO), append(x.msT, msT), append(x.msInspect, msI)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-12s %3s | %7s %6s %7s | %7s %6s %7s | %9s\n", "variant", "n", "char%", "exact", "ms", "tessChr", "tessEx", "tessMs", "inspectMs")
	row := func(name string, x *score) {
		fmt.Fprintf(&b, "%-12s %3d | %7.2f %6d %7.1f | %7.2f %6d %7.1f | %9.1f\n", name, x.n,
			100*float64(x.charsO)/float64(x.total), x.exactO, median(x.msO),
			100*float64(x.charsT)/float64(x.total), x.exactT, median(x.msT), median(x.msInspect))
	}
	for _, v := range variants {
		row(string(v), per[v])
	}
	row("all", &all)
	t.Log(b.String())
	t.Logf("median time per strip: mrzocr %.1f ms, tesseract %.1f ms (ratio %.1fx); exact zones %d vs %d of %d",
		median(all.msO), median(all.msT), median(all.msT)/median(all.msO), all.exactO, all.exactT, all.n)
	if all.exactO < all.exactT {
		t.Errorf("mrzocr read %d zones exactly, tesseract %d", all.exactO, all.exactT)
	}
}

// benchStrip is the clean TD3 specimen's MRZ strip, also written as a PNG
// for tesseract.
func benchStrip(b *testing.B) (*image.Gray, string) {
	_, s := benchPhoto(b)
	st := strip(s)
	return st, writePNG(b, b.TempDir(), "strip", st)
}

// BenchmarkMRZStripMRZOCR reads the strip with the pure-Go reader.
func BenchmarkMRZStripMRZOCR(b *testing.B) {
	st, _ := benchStrip(b)
	for b.Loop() {
		if _, err := mrzocr.Read(st, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMRZStripTesseract reads the same strip with the tesseract CLI
// (as a user would run it, process start included): the baseline.
func BenchmarkMRZStripTesseract(b *testing.B) {
	bin := needTesseract(b)
	_, path := benchStrip(b)
	for b.Loop() {
		tesseractRead(b, bin, path, 2)
	}
}
