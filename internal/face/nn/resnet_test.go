package nn

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/openidv/openidv/internal/testdatadir"
)

// gradientImage is the golden contract's "synthetic:gradient<W>x<H>"
// image: R = (x*7 + y*3) % 256, G = (x*y) % 256, B = ((x^y)*5) % 256.
func gradientImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8((x*7 + y*3) % 256), uint8((x * y) % 256), uint8(((x ^ y) * 5) % 256), 255})
		}
	}
	return img
}

type goldenFile struct {
	Generator   map[string]string `json:"generator"`
	Descriptors []struct {
		Image      string    `json:"image"`
		Descriptor []float32 `json:"descriptor"`
	} `json:"descriptors"`
}

func loadGolden(t *testing.T) goldenFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "faceapi_golden.json"))
	if err != nil {
		t.Fatalf("golden file: %v", err)
	}
	var g goldenFile
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Descriptors) == 0 {
		t.Fatal("golden file holds no descriptors")
	}
	return g
}

func newTestRecognizer(t testing.TB) *Recognizer {
	t.Helper()
	r, err := NewRecognizer()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func decodePNG(t testing.TB, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func toDescriptor(t *testing.T, v []float32) Descriptor {
	t.Helper()
	var d Descriptor
	if len(v) != len(d) {
		t.Fatalf("reference descriptor has %d values, want %d", len(v), len(d))
	}
	copy(d[:], v)
	return d
}

// TestDescribeSyntheticGolden needs no shared test data: the synthetic
// image is generated here and compared with tfjs-wasm's descriptor.
func TestDescribeSyntheticGolden(t *testing.T) {
	r := newTestRecognizer(t)
	g := loadGolden(t)
	for _, ref := range g.Descriptors {
		if ref.Image != "synthetic:gradient150" {
			continue
		}
		got, err := r.Describe(gradientImage(150, 150))
		if err != nil {
			t.Fatal(err)
		}
		d := Distance(got, toDescriptor(t, ref.Descriptor))
		t.Logf("synthetic:gradient150: L2 to tfjs-wasm %.6f", d)
		if d > 0.005 {
			t.Errorf("L2 distance to tfjs-wasm = %.6f, want <= 0.005", d)
		}
		return
	}
	t.Fatal("golden file has no synthetic:gradient150 descriptor")
}

// TestDescribeGolden compares every golden descriptor made from shared
// test images (tfjs-wasm, face-api 1.7.15) with ours.
func TestDescribeGolden(t *testing.T) {
	dir := testdatadir.Path(t, "faces")
	r := newTestRecognizer(t)
	g := loadGolden(t)
	var worst float64
	n := 0
	for _, ref := range g.Descriptors {
		if ref.Image == "synthetic:gradient150" {
			continue
		}
		img := decodePNG(t, filepath.Join(dir, filepath.FromSlash(ref.Image)))
		got, err := r.Describe(img)
		if err != nil {
			t.Fatal(err)
		}
		d := Distance(got, toDescriptor(t, ref.Descriptor))
		worst = max(worst, d)
		n++
		if d > 0.005 {
			t.Errorf("%s: L2 distance to tfjs-wasm = %.6f, want <= 0.005", ref.Image, d)
		}
	}
	t.Logf("%d images, worst L2 to tfjs-wasm %.6f", n, worst)
}

// TestDescribeFaceAPIReference compares with face-api.js's own reference
// descriptors, made by an older tfjs (hence the looser bound).
func TestDescribeFaceAPIReference(t *testing.T) {
	dir := testdatadir.Path(t, "faces", "golden")
	r := newTestRecognizer(t)
	for _, name := range []string{"1", "2"} {
		raw, err := os.ReadFile(filepath.Join(dir, "faceDescriptor"+name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var ref []float32
		if err := json.Unmarshal(raw, &ref); err != nil {
			t.Fatal(err)
		}
		got, err := r.Describe(decodePNG(t, filepath.Join(dir, "face"+name+".png")))
		if err != nil {
			t.Fatal(err)
		}
		d := Distance(got, toDescriptor(t, ref))
		t.Logf("face%s.png: L2 to face-api.js reference %.4f", name, d)
		if d >= 0.06 {
			t.Errorf("face%s.png: L2 = %.4f, want < 0.06", name, d)
		}
	}
}

// TestDescribeImageTypes checks that every fast path gives the same
// descriptor as the generic RGBA path.
func TestDescribeImageTypes(t *testing.T) {
	r := newTestRecognizer(t)
	src := gradientImage(150, 150)
	want, err := r.DescribeChip(src)
	if err != nil {
		t.Fatal(err)
	}
	nrgba := image.NewNRGBA(src.Bounds())
	draw.Draw(nrgba, src.Bounds(), src, image.Point{}, draw.Src)
	gray := image.NewGray(src.Bounds())
	draw.Draw(gray, src.Bounds(), src, image.Point{}, draw.Src)
	grayAsRGBA := image.NewRGBA(src.Bounds())
	draw.Draw(grayAsRGBA, src.Bounds(), gray, image.Point{}, draw.Src)
	wantGray, err := r.DescribeChip(grayAsRGBA)
	if err != nil {
		t.Fatal(err)
	}
	offset := image.NewRGBA(image.Rect(10, 20, 160, 170))
	draw.Draw(offset, offset.Bounds(), src, image.Point{}, draw.Src)
	tests := []struct {
		name string
		img  image.Image
		want Descriptor
	}{
		{"rgba", src, want},
		{"nrgba", nrgba, want},
		{"offset bounds", offset, want},
		{"generic", struct{ image.Image }{src}, want},
		{"gray", gray, wantGray},
	}
	for _, tt := range tests {
		got, err := r.Describe(tt.img)
		if err != nil {
			t.Fatal(err)
		}
		if d := Distance(got, tt.want); d != 0 {
			t.Errorf("%s: distance to the RGBA descriptor = %g, want 0", tt.name, d)
		}
	}
}

// TestRecognizerConcurrent shares one Recognizer between goroutines (run
// it with -race): every result must equal the sequential one.
func TestRecognizerConcurrent(t *testing.T) {
	r := newTestRecognizer(t)
	imgs := []*image.RGBA{gradientImage(150, 150), gradientImage(150, 150)}
	draw.Draw(imgs[1], image.Rect(40, 40, 110, 110), image.NewUniform(color.RGBA{200, 30, 90, 255}), image.Point{}, draw.Src)
	var want [2]Descriptor
	for i, img := range imgs {
		d, err := r.DescribeChip(img)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = d
	}
	if Distance(want[0], want[1]) == 0 {
		t.Fatal("the two test chips give the same descriptor")
	}
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			d, err := r.DescribeChip(imgs[g%2])
			if err == nil && d != want[g%2] {
				err = fmt.Errorf("goroutine %d: descriptor differs from the sequential one by %g", g, Distance(d, want[g%2]))
			}
			errs <- err
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestDescribeRejectsBadInput(t *testing.T) {
	r := newTestRecognizer(t)
	if _, err := r.Describe(image.NewRGBA(image.Rect(0, 0, 0, 5))); err == nil {
		t.Error("Describe(empty image): got nil error, want one")
	}
	if _, err := r.DescribeChip(image.NewRGBA(image.Rect(0, 0, 150, 149))); err == nil {
		t.Error("DescribeChip(150x149): got nil error, want one")
	}
}

func TestDistance(t *testing.T) {
	var a, b Descriptor
	a[0], a[5] = 3, 1
	b[5] = 5
	if got, want := Distance(a, b), 5.0; got != want {
		t.Errorf("Distance = %g, want %g", got, want)
	}
	if got := Distance(a, a); got != 0 {
		t.Errorf("Distance(a, a) = %g, want 0", got)
	}
}
