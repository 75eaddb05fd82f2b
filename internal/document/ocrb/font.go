// Package ocrb holds the OCR-B font of machine-readable zones and a
// classifier for its 37 glyphs (A–Z, 0–9 and '<'). The font (public
// domain, from Debian's fonts-ocr-b) and the trained model are embedded;
// the package does no I/O.
package ocrb

import (
	_ "embed"
	"fmt"
	"image"
	"image/draw"
	"math"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// fontOTF is OCRBS.otf from fonts-ocr-b 0.3~dfsg1-1; see FONT-LICENSE.txt.
//
//go:embed OCRBS.otf
var fontOTF []byte

// FontBytes returns a copy of the embedded OCR-B font file.
func FontBytes() []byte { return append([]byte(nil), fontOTF...) }

// Options sets the geometry of rendered MRZ text in pixels. Zero fields
// take defaults from Pitch, following ICAO 9303 Part 3: 10 characters per
// inch (pitch 2.54 mm), capitals about 2.2 mm high, lines about 4.2 mm
// apart.
type Options struct {
	Pitch      float64 // character pitch (default 30)
	CapHeight  float64 // height of the capitals (default 0.87 × Pitch)
	LineHeight float64 // baseline to baseline (default 1.67 × Pitch)
	Margin     float64 // white border on every side (0 is none)
}

// WithDefaults returns o with its zero fields filled in.
func (o Options) WithDefaults() Options {
	if !(o.Pitch > 0) || o.Pitch > 1000 {
		o.Pitch = 30
	}
	if !(o.CapHeight > 0) || o.CapHeight > 1000 {
		o.CapHeight = 0.87 * o.Pitch
	}
	if !(o.LineHeight > 0) || o.LineHeight > 1000 {
		o.LineHeight = 1.67 * o.Pitch
	}
	if !(o.Margin >= 0) || o.Margin > 1000 {
		o.Margin = 0
	}
	return o
}

// Cell returns where character col of line sits in a rendering with o
// (after defaults): its horizontal centre, the top of the capitals and
// the baseline.
func (o Options) Cell(line, col int) (cx, top, baseline float64) {
	o = o.WithDefaults()
	cx = o.Margin + (float64(col)+0.5)*o.Pitch
	baseline = o.Margin + o.CapHeight + float64(line)*o.LineHeight
	return cx, baseline - o.CapHeight, baseline
}

// face returns the embedded font at the size whose capital H is capHeight
// pixels tall.
func face(capHeight float64) (font.Face, error) {
	f, err := opentype.Parse(fontOTF)
	if err != nil {
		return nil, fmt.Errorf("ocrb: parse font: %w", err)
	}
	const probe = 100
	pf, err := opentype.NewFace(f, &opentype.FaceOptions{Size: probe, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("ocrb: face: %w", err)
	}
	b, _, ok := pf.GlyphBounds('H')
	h := float64(b.Max.Y-b.Min.Y) / 64
	if !ok || h <= 0 {
		return nil, fmt.Errorf("ocrb: font has no capital H")
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: probe * capHeight / h, DPI: 72, Hinting: font.HintingNone})
}

// Render draws text (MRZ lines separated by '\n') in black OCR-B on a
// white image, each character centred in its fixed-pitch cell. Characters
// outside the MRZ alphabet are left blank. It returns nil only if the
// embedded font cannot be read, which a test rules out.
func Render(text string, o Options) *image.Gray {
	o = o.WithDefaults()
	lines := strings.Split(text, "\n")
	cols := 0
	for _, l := range lines {
		cols = max(cols, len(l))
	}
	w := int(math.Ceil(2*o.Margin + float64(cols)*o.Pitch))
	h := int(math.Ceil(2*o.Margin + o.CapHeight + float64(len(lines)-1)*o.LineHeight + 0.3*o.CapHeight))
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	fc, err := face(o.CapHeight)
	if err != nil {
		return nil
	}
	defer fc.Close()
	for li, l := range lines {
		for ci := 0; ci < len(l); ci++ {
			if !isGlyph(l[ci]) {
				continue
			}
			cx, _, base := o.Cell(li, ci)
			drawGlyph(img, fc, rune(l[ci]), cx, base)
		}
	}
	return img
}

func isGlyph(c byte) bool { return strings.IndexByte(Alphabet, c) >= 0 }

// drawGlyph draws r with its advance box centred on cx and its baseline
// at base (sub-pixel positions are kept by the rasteriser).
func drawGlyph(dst *image.Gray, fc font.Face, r rune, cx, base float64) {
	adv, ok := fc.GlyphAdvance(r)
	if !ok {
		return
	}
	x := cx - float64(adv)/64/2
	dot := fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(base * 64))}
	dr, mask, mp, _, ok := fc.Glyph(dot, r)
	if !ok {
		return
	}
	draw.DrawMask(dst, dr, image.Black, image.Point{}, mask, mp, draw.Over)
}
