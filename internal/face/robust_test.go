package face

import (
	"errors"
	"image"
	"image/color"
	"math"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDetectOddImages feeds shapes and contents that must give no face (or
// a typed error), never a panic.
func TestDetectOddImages(t *testing.T) {
	e := newTestEngine(t, loadModels(t))
	white := image.NewGray(image.Rect(0, 0, 480, 640))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	noise := image.NewGray(image.Rect(0, 0, 320, 240))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(i * 2654435761 >> 13)
	}
	tests := []struct {
		name    string
		img     image.Image
		wantErr error
	}{
		{"empty", image.NewRGBA(image.Rectangle{}), ErrEmptyImage},
		{"1x1", image.NewGray(image.Rect(0, 0, 1, 1)), nil},
		{"1x100000", image.NewGray(image.Rect(0, 0, 1, 100000)), nil},
		{"100000x1", image.NewGray(image.Rect(0, 0, 100000, 1)), nil},
		{"3x3000", image.NewGray(image.Rect(0, 0, 3, 3000)), nil},
		{"all white", white, nil},
		{"noise", noise, nil},
		{"uniform colour", image.NewUniform(color.RGBA{200, 150, 100, 255}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := tt.img
			if _, ok := img.(*image.Uniform); ok {
				img = subImageOf(img, image.Rect(0, 0, 64, 64))
			}
			faces, err := e.Detect(img)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Detect: got error %v, want %v", err, tt.wantErr)
			}
			if len(faces) != 0 {
				t.Errorf("Detect: got %d faces, want none: %+v", len(faces), faces)
			}
		})
	}
}

// subImageOf draws r of img into a new RGBA image.
func subImageOf(img image.Image, r image.Rectangle) *image.RGBA {
	dst := image.NewRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			dst.Set(x, y, img.At(x, y))
		}
	}
	return dst
}

// TestDetectSubImageCoordinates checks that faces of a sub-image (bounds
// not at the origin) are reported relative to its top-left corner.
func TestDetectSubImageCoordinates(t *testing.T) {
	dir, _ := readLabels(t)
	e := newTestEngine(t, Models{})
	full := decodeFile(t, filepath.Join(dir, "group", "bbt4.jpg"))
	sub := full.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(400, 120, 620, 380))
	faces, err := e.Detect(sub)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) != 1 {
		t.Fatalf("faces: got %d, want 1 (Sheldon)", len(faces))
	}
	c := faces[0].Box.Center()
	// Sheldon's face centre in bbt4 is about (505, 235).
	if math.Hypot(c.X-105, c.Y-115) > 20 {
		t.Errorf("centre: got (%.0f, %.0f), want about (105, 115) relative to the sub-image", c.X, c.Y)
	}
}

// TestDetectLargeImageDownscales checks that a face in an image larger
// than MaxDetectSide is found and mapped back to full-size pixels.
func TestDetectLargeImageDownscales(t *testing.T) {
	dir, _ := readLabels(t)
	e := newTestEngine(t, Models{})
	bbt1 := decodeFile(t, filepath.Join(dir, "group", "bbt1.jpg")) // 1366×768
	faces, err := e.Detect(bbt1)
	if err != nil {
		t.Fatal(err)
	}
	if len(faces) < 4 {
		t.Fatalf("faces: got %d, want ≥ 4", len(faces))
	}
	var sheldon *Face
	for i := range faces {
		if c := faces[i].Box.Center(); math.Hypot(c.X-1045, c.Y-145) < 30 {
			sheldon = &faces[i]
		}
	}
	if sheldon == nil {
		t.Fatalf("no face near Sheldon's labelled centre (1045, 145): %+v", faces)
	}
	if want := 800.0 / 1366; math.Abs(sheldon.Scale-want) > 1e-9 {
		t.Errorf("scale: got %g, want %g", sheldon.Scale, want)
	}
	if ipd := sheldon.Pupils.Distance(); ipd < 35 || ipd > 60 {
		t.Errorf("inter-pupil distance in source pixels: got %.1f, want 35–60", ipd)
	}
}

// TestDetectConcurrentDeterministic runs Detect from several goroutines on
// one Engine: every run must give the same faces (the pupil localiser uses
// no randomness).
func TestDetectConcurrentDeterministic(t *testing.T) {
	dir, _ := readLabels(t)
	e := newTestEngine(t, Models{})
	img := decodeFile(t, filepath.Join(dir, "group", "bbt3.jpg"))
	want, err := e.Detect(img)
	if err != nil || len(want) != 5 {
		t.Fatalf("Detect: %d faces, %v; want 5", len(want), err)
	}
	const n = 4
	results := make(chan []Face, n)
	for range n {
		go func() {
			got, _ := e.Detect(img)
			results <- got
		}()
	}
	for range n {
		if diff := cmp.Diff(want, <-results); diff != "" {
			t.Errorf("concurrent Detect differs (-want +got):\n%s", diff)
		}
	}
}
