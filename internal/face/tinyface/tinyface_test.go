package tinyface

import (
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // the golden group photos are JPEG
	_ "image/png"  // the golden crops are PNG
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/testdatadir"
)

// golden is the part of internal/face/testdata/faceapi_golden.json that
// tools/faceapi/golden.mjs writes for the TinyFaceDetector.
type golden struct {
	Generator map[string]string `json:"generator"`
	Detector  []goldenImage     `json:"tiny_face_detector"`
}

type goldenImage struct {
	Image          string  `json:"image"`
	Width          int     `json:"width"`
	Height         int     `json:"height"`
	InputSize      int     `json:"input_size"`
	ScoreThreshold float32 `json:"score_threshold"`
	Boxes          []Box   `json:"boxes"`
}

// maxBoxDiff is the largest allowed difference from tfjs of a box's x, y,
// width or height, in source pixels.
const maxBoxDiff = 2.0

func loadGolden(t testing.TB) golden {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "faceapi_golden.json"))
	if err != nil {
		t.Fatalf("golden file: %v", err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("golden file: %v", err)
	}
	if len(g.Detector) == 0 {
		t.Fatal("golden file has no tiny_face_detector entries")
	}
	return g
}

func detector(t testing.TB) *Detector {
	t.Helper()
	d, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return d
}

// loadImage returns the golden image name: a synthetic formula image, a
// file of the shared face test data, or such a file followed by
// "#crop=x,y,w,h" (a sub-image with that origin and size).
func loadImage(t testing.TB, name string) image.Image {
	t.Helper()
	if dims, ok := strings.CutPrefix(name, "synthetic:gradient"); ok {
		w, h, _ := strings.Cut(dims, "x")
		width, err := strconv.Atoi(w)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		height := width
		if h != "" {
			if height, err = strconv.Atoi(h); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		return gradient(width, height)
	}
	file, rect, cropped := strings.Cut(name, "#crop=")
	f, err := os.Open(testdatadir.Path(t, "faces", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !cropped {
		return img
	}
	var r [4]int
	if _, err := fmt.Sscanf(rect, "%d,%d,%d,%d", &r[0], &r[1], &r[2], &r[3]); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		t.Fatalf("%s: %T has no SubImage", name, img)
	}
	return sub.SubImage(image.Rect(r[0], r[1], r[0]+r[2], r[1]+r[3]))
}

// gradient is golden.mjs's synthetic image: R = (x*7 + y*3) % 256,
// G = (x*y) % 256, B = ((x ^ y) * 5) % 256.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			p := img.Pix[img.PixOffset(x, y):]
			p[0], p[1], p[2], p[3] = uint8((x*7+y*3)%256), uint8((x*y)%256), uint8(((x^y)*5)%256), 255
		}
	}
	return img
}

func TestDetectMatchesFaceAPI(t *testing.T) {
	g := loadGolden(t)
	d := detector(t)
	for _, tc := range g.Detector {
		t.Run(fmt.Sprintf("%s@%d", tc.Image, tc.InputSize), func(t *testing.T) {
			img := loadImage(t, tc.Image)
			if b := img.Bounds(); b.Dx() != tc.Width || b.Dy() != tc.Height {
				t.Fatalf("image size %v, golden %dx%d", b.Size(), tc.Width, tc.Height)
			}
			got, err := d.Detect(img, Options{InputSize: tc.InputSize, ScoreThreshold: tc.ScoreThreshold})
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			// Boxes are in the image's coordinates; golden crops start at 0.
			for i := range got {
				got[i].X -= float64(img.Bounds().Min.X)
				got[i].Y -= float64(img.Bounds().Min.Y)
			}
			compareBoxes(t, got, tc.Boxes)
		})
	}
}

// compareBoxes matches every wanted box to the nearest box got (by centre)
// and checks the count and the coordinates.
func compareBoxes(t *testing.T, got, want []Box) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d faces %v, want %d %v", len(got), got, len(want), want)
		return
	}
	used := make([]bool, len(got))
	for _, w := range want {
		best, bestDist := -1, math.Inf(1)
		for i, b := range got {
			dist := math.Hypot(b.X+b.Width/2-w.X-w.Width/2, b.Y+b.Height/2-w.Y-w.Height/2)
			if !used[i] && dist < bestDist {
				best, bestDist = i, dist
			}
		}
		used[best] = true
		b := got[best]
		diff := max(math.Abs(b.X-w.X), math.Abs(b.Y-w.Y), math.Abs(b.Width-w.Width), math.Abs(b.Height-w.Height))
		t.Logf("max diff %.3f px, score %.4f vs %.4f", diff, b.Score, w.Score)
		if diff > maxBoxDiff {
			t.Errorf("got box %+v, want %+v (max difference %.3f px > %.1f)", b, w, diff, maxBoxDiff)
		}
		if math.Abs(b.Score-w.Score) > 0.02 {
			t.Errorf("got score %.4f, want %.4f", b.Score, w.Score)
		}
	}
}

func TestDetectSyntheticHasNoFace(t *testing.T) {
	d := detector(t)
	for _, size := range [][2]int{{640, 480}, {150, 150}, {97, 301}} {
		got, err := d.Detect(gradient(size[0], size[1]), Options{})
		if err != nil {
			t.Fatalf("%v: Detect: %v", size, err)
		}
		if len(got) != 0 {
			t.Errorf("%v: got %d faces %v, want none", size, len(got), got)
		}
	}
}

func TestDetectOptions(t *testing.T) {
	d := detector(t)
	img := gradient(64, 48)
	tests := []struct {
		opt     Options
		wantErr error
	}{
		{Options{}, nil},
		{Options{InputSize: 160, ScoreThreshold: 0.3}, nil},
		{Options{InputSize: 100}, ErrInvalidOptions},
		{Options{InputSize: -32}, ErrInvalidOptions},
		{Options{InputSize: 2048}, ErrInvalidOptions},
		{Options{ScoreThreshold: 1}, ErrInvalidOptions},
		{Options{ScoreThreshold: -0.1}, ErrInvalidOptions},
		{Options{ScoreThreshold: float32(math.NaN())}, ErrInvalidOptions},
	}
	for _, tc := range tests {
		_, err := d.Detect(img, tc.opt)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("Detect(%+v) error %v, want %v", tc.opt, err, tc.wantErr)
		}
	}
	if _, err := d.Detect(image.NewRGBA(image.Rect(0, 0, 0, 10)), Options{}); !errors.Is(err, ErrEmptyImage) {
		t.Errorf("Detect(empty) error %v, want %v", err, ErrEmptyImage)
	}
}

func TestDetectConcurrent(t *testing.T) {
	d := detector(t)
	img := loadImage(t, "group/bbt4.jpg")
	want, err := d.Detect(img, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	results := make(chan []Box, n)
	for range n {
		go func() {
			got, _ := d.Detect(img, Options{})
			results <- got
		}()
	}
	for range n {
		if got := <-results; !slices.Equal(got, want) {
			t.Errorf("concurrent Detect: got %v, want %v", got, want)
		}
	}
}
