package nn

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestDescribeResizeGolden checks face-api's padding and bilinear
// resizing against tfjs-wasm on synthetic images of several sizes
// (testdata/resize_golden.json, made by testdata/resize_golden.mjs).
func TestDescribeResizeGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "resize_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Descriptors) == 0 {
		t.Fatal("no descriptors in resize_golden.json")
	}
	r := newTestRecognizer(t)
	for _, ref := range g.Descriptors {
		var w, h int
		if _, err := fmt.Sscanf(ref.Image, "synthetic:gradient%dx%d", &w, &h); err != nil {
			t.Fatalf("%s: %v", ref.Image, err)
		}
		got, err := r.Describe(gradientImage(w, h))
		if err != nil {
			t.Fatal(err)
		}
		d := Distance(got, toDescriptor(t, ref.Descriptor))
		t.Logf("%s: L2 to tfjs-wasm %.6f", ref.Image, d)
		if d > 0.005 {
			t.Errorf("%s: L2 distance to tfjs-wasm = %.6f, want <= 0.005", ref.Image, d)
		}
	}
}

func TestPaddingOffsets(t *testing.T) {
	// tfjs padToSquare appends round(diff/2) zero rows/columns (JS
	// rounding, halves up) and prepends the rest, so the image starts at
	// floor(diff/2).
	tests := []struct{ w, h, wantX, wantY int }{
		{151, 150, 0, 0}, {150, 151, 0, 0}, {97, 202, 52, 0}, {202, 97, 0, 52}, {640, 480, 0, 80},
	}
	for _, tt := range tests {
		if x, y := padOffsets(tt.w, tt.h); x != tt.wantX || y != tt.wantY {
			t.Errorf("padOffsets(%d, %d) = (%d, %d), want (%d, %d)", tt.w, tt.h, x, y, tt.wantX, tt.wantY)
		}
	}
}
