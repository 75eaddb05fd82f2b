package ocrb

import (
	"crypto/sha256"
	"encoding/hex"
	"image"
	"testing"
)

func inkBounds(g *image.Gray, r image.Rectangle) (image.Rectangle, int) {
	var box image.Rectangle
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if g.GrayAt(x, y).Y < 128 {
				n++
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return box, n
}

func TestFontProvenance(t *testing.T) {
	sum := sha256.Sum256(fontOTF)
	if got, want := hex.EncodeToString(sum[:]), "6fc670f99123dc88677c8aea548c601b5094fed35b9dd8bddba6843a1fdf966d"; got != want {
		t.Errorf("OCRBS.otf sha256 = %s, want %s (see tools/ocrbtrain/fetch.sh)", got, want)
	}
}

// TestEveryGlyphRenders renders each of the 37 glyphs alone and checks it
// leaves ink inside its own cell (OCRB.otf, unlike OCRBS.otf, draws
// nothing for '8' and '<' through x/image).
func TestEveryGlyphRenders(t *testing.T) {
	o := Options{Pitch: 40, Margin: 20}.WithDefaults()
	img := Render(Alphabet, o)
	if img == nil {
		t.Fatal("Render returned nil")
	}
	for i := 0; i < len(Alphabet); i++ {
		cx, top, base := o.Cell(0, i)
		cell := image.Rect(int(cx-o.Pitch/2), int(top-0.2*o.CapHeight), int(cx+o.Pitch/2), int(base+0.2*o.CapHeight))
		box, n := inkBounds(img, cell)
		if n < 20 {
			t.Errorf("glyph %q: %d ink pixels in its cell", Alphabet[i], n)
			continue
		}
		if Alphabet[i] != '<' && (box.Dy() < int(0.9*o.CapHeight) || box.Dy() > int(1.1*o.CapHeight)+1) {
			t.Errorf("glyph %q: ink height %d, want about the cap height %.0f", Alphabet[i], box.Dy(), o.CapHeight)
		}
	}
}

func TestRenderGeometry(t *testing.T) {
	tests := []struct {
		text       string
		o          Options
		wantW      int
		wantH      int
		wantInkMin int
	}{
		{"P<UTO", Options{Pitch: 20, Margin: 10}, 120, 10 + 17 + 10 + 6, 1},
		{"AB\nCD", Options{Pitch: 10, CapHeight: 9, LineHeight: 16, Margin: 0}, 20, 9 + 16 + 3, 1},
		{"", Options{}, 0, 26 + 8, 0},
		{"ab ü", Options{Pitch: 10, Margin: 0}, 50, 9 + 3, 0},
	}
	for _, tt := range tests {
		img := Render(tt.text, tt.o)
		if img == nil {
			t.Fatalf("Render(%q) = nil", tt.text)
		}
		if got := img.Bounds().Size(); got.X != tt.wantW || got.Y < tt.wantH-1 || got.Y > tt.wantH+1 {
			t.Errorf("Render(%q) size %v, want %dx%d", tt.text, got, tt.wantW, tt.wantH)
		}
		if _, n := inkBounds(img, img.Bounds()); (n > 0) != (tt.wantInkMin > 0) {
			t.Errorf("Render(%q): %d ink pixels", tt.text, n)
		}
	}
}
