package imaging

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/testdatadir"
)

func TestDecodeBadInput(t *testing.T) {
	jpg := encodeJPEG(t, halves(64, 48))
	pngData := encodePNG(t, halves(64, 48))
	tall := encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 100000)))
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"no bytes", nil, Limits{}, ErrEmpty},
		{"text", []byte("hello, this is not an image"), Limits{}, ErrUnsupportedFormat},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), Limits{}, ErrUnsupportedFormat},
		{"truncated jpeg", jpg[:len(jpg)/2], Limits{}, ErrCorrupt},
		{"jpeg header only", jpg[:20], Limits{}, ErrCorrupt},
		{"corrupt jpeg scan", corruptTail(jpg), Limits{}, ErrCorrupt},
		{"truncated png", pngData[:len(pngData)-30], Limits{}, ErrCorrupt},
		{"png bad crc", flipByte(pngData, 20), Limits{}, ErrCorrupt},
		{"zero-sized png", pngHeaderOnly(0, 0), Limits{}, ErrEmpty},
		{"zero-height png", pngHeaderOnly(100, 0), Limits{}, ErrEmpty},
		{"1x100000 png", tall, Limits{}, ErrTooLarge},
		{"png bomb 50000x50000", pngHeaderOnly(50000, 50000), Limits{}, ErrTooLarge},
		{"png bomb 7000x7000 (49 MP)", pngHeaderOnly(7000, 7000), Limits{}, ErrTooLarge},
		{"png 2^31 wide", pngHeaderOnly(1<<31-1, 1), Limits{}, ErrTooLarge},
		{"jpeg bomb 65535x65535", withJPEGSize(jpg, 65535, 65535), Limits{}, ErrTooLarge},
		{"jpeg 0x0", withJPEGSize(jpg, 0, 0), Limits{}, ErrEmpty},
		{"over byte limit", jpg, Limits{MaxBytes: 100}, ErrTooLarge},
		{"truncated webp", webp1x1()[:30], Limits{}, ErrCorrupt},
		{"png header lies (small data)", pngHeaderOnly(500, 500), Limits{}, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, _, err := Decode(bytes.NewReader(tt.data), tt.lim)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode: got err %v, want %v", err, tt.want)
			}
			if img != nil {
				t.Errorf("Decode: got image %v with error, want nil", img.Bounds())
			}
		})
	}
}

func corruptTail(b []byte) []byte {
	out := append([]byte(nil), b...)
	for i := len(out) / 2; i < len(out)-2; i++ {
		out[i] = 0xFF
		i++
		out[i] = byte(i) | 0x01
	}
	return out
}

func flipByte(b []byte, i int) []byte {
	out := append([]byte(nil), b...)
	out[i] ^= 0xFF
	return out
}

func TestDecodeGood(t *testing.T) {
	g16 := image.NewGray16(image.Rect(0, 0, 30, 20))
	for i := range g16.Pix {
		g16.Pix[i] = byte(i)
	}
	rgba64 := image.NewRGBA64(image.Rect(0, 0, 12, 10))
	rgba64.SetRGBA64(1, 1, color.RGBA64{0xFFFF, 0, 0, 0xFFFF})
	tests := []struct {
		name string
		data []byte
		want Info
	}{
		{"jpeg", encodeJPEG(t, halves(64, 48)), Info{Format: JPEG, Orientation: 1, Width: 64, Height: 48}},
		{"png", encodePNG(t, halves(64, 48)), Info{Format: PNG, Orientation: 1, Width: 64, Height: 48}},
		{"16-bit grey png", encodePNG(t, g16), Info{Format: PNG, Orientation: 1, Width: 30, Height: 20}},
		{"16-bit rgba png", encodePNG(t, rgba64), Info{Format: PNG, Orientation: 1, Width: 12, Height: 10}},
		{"webp lossless", webp1x1(), Info{Format: WebP, Orientation: 1, Width: 1, Height: 1}},
		{"cmyk jpeg", cmykJPEG(t), Info{Format: JPEG, Orientation: 1, Width: 8, Height: 8}},
		{"exif 6 jpeg", withEXIFOrientation(encodeJPEG(t, halves(64, 48)), 6), Info{Format: JPEG, Orientation: 6, Width: 48, Height: 64}},
		{"exif 99 jpeg (ignored)", withEXIFOrientation(encodeJPEG(t, halves(64, 48)), 99), Info{Format: JPEG, Orientation: 1, Width: 64, Height: 48}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, info, err := Decode(bytes.NewReader(tt.data), Limits{})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, info); diff != "" {
				t.Errorf("Info mismatch (-want +got):\n%s", diff)
			}
			if got := img.Bounds(); got != image.Rect(0, 0, tt.want.Width, tt.want.Height) {
				t.Errorf("bounds: got %v, want %dx%d at origin", got, tt.want.Width, tt.want.Height)
			}
			// Conversions work on every decoded type.
			if g := ToGray(img); g.Rect.Dx() != tt.want.Width {
				t.Errorf("ToGray width: got %d, want %d", g.Rect.Dx(), tt.want.Width)
			}
		})
	}
}

func TestDecodeCMYKIsConverted(t *testing.T) {
	img, _, err := Decode(bytes.NewReader(cmykJPEG(t)), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.CMYK); !ok {
		t.Fatalf("decoded type: got %T, want *image.CMYK", img)
	}
	rgba := ToRGBA(img)
	if rgba.Pix[3] != 255 {
		t.Errorf("alpha after conversion: got %d, want 255", rgba.Pix[3])
	}
}

// TestOrientation checks every EXIF orientation by where the white half of
// a black|white image lands.
func TestOrientation(t *testing.T) {
	src := encodeJPEG(t, halves(32, 16))
	// whitePixel is a point that must be white and blackPixel one that must
	// be black in the upright image.
	tests := []struct {
		o                      uint16
		w, h                   int
		whitePixel, blackPixel image.Point
	}{
		{1, 32, 16, image.Pt(28, 8), image.Pt(3, 8)},
		{2, 32, 16, image.Pt(3, 8), image.Pt(28, 8)},
		{3, 32, 16, image.Pt(3, 8), image.Pt(28, 8)},
		{4, 32, 16, image.Pt(28, 8), image.Pt(3, 8)},
		{5, 16, 32, image.Pt(8, 28), image.Pt(8, 3)},
		{6, 16, 32, image.Pt(8, 28), image.Pt(8, 3)},
		{7, 16, 32, image.Pt(8, 3), image.Pt(8, 28)},
		{8, 16, 32, image.Pt(8, 3), image.Pt(8, 28)},
	}
	for _, tt := range tests {
		img, info, err := Decode(bytes.NewReader(withEXIFOrientation(src, tt.o)), Limits{})
		if err != nil {
			t.Fatalf("orientation %d: %v", tt.o, err)
		}
		if info.Orientation != int(tt.o) || info.Width != tt.w || info.Height != tt.h {
			t.Errorf("orientation %d: got %+v, want %dx%d", tt.o, info, tt.w, tt.h)
		}
		g := ToGray(img)
		if v := g.GrayAt(tt.whitePixel.X, tt.whitePixel.Y).Y; v < 200 {
			t.Errorf("orientation %d: pixel %v got %d, want white", tt.o, tt.whitePixel, v)
		}
		if v := g.GrayAt(tt.blackPixel.X, tt.blackPixel.Y).Y; v > 55 {
			t.Errorf("orientation %d: pixel %v got %d, want black", tt.o, tt.blackPixel, v)
		}
	}
}

func TestDecodeSharedFaces(t *testing.T) {
	dir := testdatadir.Path(t, "faces")
	tests := []struct {
		file string
		want Info
	}{
		{"group/bbt1.jpg", Info{Format: JPEG, Orientation: 1, Width: 1366, Height: 768}},
		{"group/bbt3.jpg", Info{Format: JPEG, Orientation: 1, Width: 594, Height: 383}},
		{"crops/amy/amy1.png", Info{Format: PNG, Orientation: 1, Width: 150, Height: 150}},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join(dir, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		_, info, err := DecodeBytes(data, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if diff := cmp.Diff(tt.want, info); diff != "" {
			t.Errorf("%s: Info mismatch (-want +got):\n%s", tt.file, diff)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encodeJPEG(f, halves(16, 8)))
	f.Add(encodePNG(f, halves(16, 8)))
	f.Add(cmykJPEG(f))
	f.Add(withEXIFOrientation(encodeJPEG(f, halves(8, 8)), 6))
	f.Add(pngHeaderOnly(3, 3))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Add(webp1x1())
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 18, MaxSide: 1024}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, info, err := DecodeBytes(data, lim)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrEmpty) &&
				!errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrUnsupportedFormat) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		b := img.Bounds()
		if b.Min != (image.Point{}) || b.Dx() != info.Width || b.Dy() != info.Height {
			t.Fatalf("bounds %v disagree with info %+v", b, info)
		}
		if b.Dx() > lim.MaxSide || b.Dy() > lim.MaxSide || b.Dx()*b.Dy() > lim.MaxPixels {
			t.Fatalf("decoded %v beyond limits", b)
		}
		_ = ToGray(img)
	})
}
