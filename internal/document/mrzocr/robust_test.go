package mrzocr_test

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/openidv/openidv/internal/document/mrzocr"
	"github.com/openidv/openidv/internal/document/ocrb"
	"github.com/openidv/openidv/tools/ocrbtrain/synth"
)

func filled(w, h int, v uint8) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(g, g.Bounds(), image.NewUniform(color.Gray{Y: v}), image.Point{}, draw.Src)
	return g
}

// TestReadNoMRZ feeds images without a zone: blank, dark, ordinary text,
// a single MRZ-like line and tiny or offset images.
func TestReadNoMRZ(t *testing.T) {
	text := ocrb.Render("THE QUICK BROWN FOX\nJUMPS OVER THE LAZY DOG", ocrb.Options{Pitch: 20, Margin: 20})
	oneLine := ocrb.Render("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", ocrb.Options{Pitch: 20, Margin: 20})
	offset := filled(400, 300, 255).SubImage(image.Rect(100, 100, 300, 200)).(*image.Gray)
	tests := []struct {
		name string
		g    *image.Gray
	}{
		{"blank", filled(640, 480, 255)},
		{"black", filled(640, 480, 0)},
		{"text", text},
		{"one MRZ-like line", oneLine},
		{"tiny", filled(3, 3, 128)},
		{"empty", &image.Gray{}},
		{"nil", nil},
		{"offset blank", offset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := mrzocr.Read(tt.g, now)
			if !errors.Is(err, mrzocr.ErrNoMRZ) {
				t.Errorf("Read = %+v, %v; want ErrNoMRZ", rd, err)
			}
		})
	}
}

// TestReadFailsCheckDigits renders a zone whose check digits are wrong:
// it must be read but reported invalid, never repaired into validity by
// changing confidently read characters.
func TestReadFailsCheckDigits(t *testing.T) {
	bad := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C35UTO7408123F1204158ZE184226B<<<<<13"}
	rd, err := mrzocr.Read(page(t, bad, 22), now)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if rd.Result.Valid || rd.Result.ChecksValid {
		t.Errorf("zone with wrong check digits read as valid: %q", rd.Lines)
	}
}

// TestReadOffsetImage reads a zone from a sub-image whose bounds do not
// start at the origin; the band must be in the sub-image's coordinates.
func TestReadOffsetImage(t *testing.T) {
	z := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	pg := page(t, z, 20)
	big := filled(pg.Bounds().Dx()+300, pg.Bounds().Dy()+200, 200)
	draw.Draw(big, pg.Bounds().Add(image.Pt(150, 100)), pg, image.Point{}, draw.Src)
	sub := big.SubImage(pg.Bounds().Add(image.Pt(150, 100))).(*image.Gray)
	rd, err := mrzocr.Read(sub, now)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if rd.Lines[1] != z[1] || !rd.Band.In(sub.Bounds()) || rd.Band.Min.Y < sub.Bounds().Min.Y+sub.Bounds().Dy()/2 {
		t.Errorf("got %q band %v in %v", rd.Lines, rd.Band, sub.Bounds())
	}
}

func TestReadMalformedGray(t *testing.T) {
	for _, g := range []*image.Gray{
		{Pix: make([]byte, 100), Stride: 10, Rect: image.Rect(0, 0, 40, 40)},
		{Pix: make([]byte, 4000), Stride: 1, Rect: image.Rect(0, 0, 40, 40)},
	} {
		if _, err := mrzocr.Read(g, now); !errors.Is(err, mrzocr.ErrImage) {
			t.Errorf("Read(stride %d, %d bytes) error = %v, want ErrImage", g.Stride, len(g.Pix), err)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(uint16(64), uint16(48), []byte{0, 255, 0, 255, 128})
	f.Add(uint16(300), uint16(40), []byte("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<"))
	f.Fuzz(func(t *testing.T, w, h uint16, pix []byte) {
		w, h = w%400+1, h%300+1
		g := image.NewGray(image.Rect(0, 0, int(w), int(h)))
		for i := range g.Pix {
			if len(pix) > 0 {
				g.Pix[i] = pix[i%len(pix)]
			}
		}
		rd, err := mrzocr.Read(g, now)
		if err == nil && (rd == nil || rd.Result == nil) {
			t.Fatal("nil reading without error")
		}
	})
}

// TestReadCutZoneNeverValid cuts 44-wide zones at the picture's edge
// just after their 36th character (straight, and turned by 40°): the
// first 36 characters of a visa or passport zone can pass as a valid
// 36-wide zone, so such a reading must be flagged.
func TestReadCutZoneNeverValid(t *testing.T) {
	zones := [][]string{
		{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"},
		{"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"},
	}
	const pitch = 20.0
	for zi, z := range zones {
		pg := page(t, z, pitch)
		// page() centres the zone: its first cell starts at the middle
		// minus 22 pitches.
		left := float64(pg.Bounds().Dx())/2 - 22*pitch
		for _, cut := range []float64{36.1, 36.5, 37} {
			g := pg.SubImage(image.Rect(0, 0, int(left+cut*pitch), pg.Bounds().Dy())).(*image.Gray)
			for _, deg := range []float64{0, 40} {
				img := g
				if deg != 0 {
					img = synth.Rotate(g, deg, 90)
				}
				rd, err := mrzocr.Read(img, now)
				if err != nil {
					continue
				}
				if rd.Result.Valid && len(rd.Lines[0]) != 44 {
					t.Errorf("zone %d cut after %.1f characters, turned %.0f°: valid %q", zi, cut, deg, rd.Lines)
				}
			}
		}
	}
}
