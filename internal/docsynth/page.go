package docsynth

import (
	"image"
	"image/color"
	"math"
	"math/rand"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/openidv/openidv/internal/document/ocrb"
)

// PxPerMM is the resolution pages are rendered at.
const PxPerMM = 10

// Layout is the physical layout of a kind of document, in millimetres.
type Layout struct {
	Width, Height float64
	// Lines and LineLen give the MRZ shape (0 for no MRZ).
	Lines, LineLen int
	// MRZBottom is the distance from the bottom edge to the centre of the
	// last MRZ line; LinePitch the distance between line centres.
	MRZBottom, LinePitch float64
	// Portrait is the photo's box.
	Portrait [4]float64 // x, y, w, h
}

// Layouts gives each Kind's layout (ICAO 9303 part 4–6 sizes; MRZ at
// 2.54 mm character pitch).
var Layouts = map[Kind]Layout{
	TD1:       {Width: 85.6, Height: 54, Lines: 3, LineLen: 30, MRZBottom: 4.6, LinePitch: 4.3, Portrait: [4]float64{4, 9, 18, 23}},
	TD2:       {Width: 105, Height: 74, Lines: 2, LineLen: 36, MRZBottom: 5.2, LinePitch: 4.3, Portrait: [4]float64{5, 14, 28, 36}},
	TD3:       {Width: 125, Height: 88, Lines: 2, LineLen: 44, MRZBottom: 5.6, LinePitch: 4.3, Portrait: [4]float64{6, 18, 33, 42}},
	MRVA:      {Width: 120, Height: 80, Lines: 2, LineLen: 44, MRZBottom: 5.6, LinePitch: 4.3, Portrait: [4]float64{5, 14, 30, 38}},
	MRVB:      {Width: 105, Height: 74, Lines: 2, LineLen: 36, MRZBottom: 5.2, LinePitch: 4.3, Portrait: [4]float64{5, 14, 28, 36}},
	CardNoMRZ: {Width: 85.6, Height: 54, Portrait: [4]float64{4, 12, 24, 31}},
}

const (
	charPitchMM = 2.54
	capHeightMM = 2.4
)

// Renderer draws pages. Build one with NewRenderer and reuse it.
type Renderer struct {
	text, bold font.Face
}

// NewRenderer builds the faces: the MRZ is drawn by internal/document/ocrb
// (its embedded OCR-B), the other text in Go fonts.
func NewRenderer() (*Renderer, error) {
	r := &Renderer{}
	var err error
	if r.text, err = goFace(goregular.TTF, 26); err != nil {
		return nil, err
	}
	if r.bold, err = goFace(gobold.TTF, 34); err != nil {
		return nil, err
	}
	return r, nil
}

func goFace(ttf []byte, size float64) (font.Face, error) {
	f, err := opentype.Parse(ttf)
	if err != nil {
		return nil, err
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
}

// Page is a rendered document with its ground truth, in page pixels.
type Page struct {
	Kind     Kind
	Image    *image.RGBA
	MRZ      []string
	Identity Identity
	// MRZBand is the rectangle holding the MRZ lines (empty without MRZ).
	MRZBand image.Rectangle
	// Portrait is the photo's rectangle.
	Portrait image.Rectangle
}

func mm(v float64) int { return int(math.Round(v * PxPerMM)) }

// Render draws a page of kind k for id; portrait (any size, may be nil)
// fills the photo box. r supplies the background pattern's randomness.
func (rd *Renderer) Render(k Kind, id Identity, portrait image.Image, r *rand.Rand) *Page {
	lay := Layouts[k]
	w, h := mm(lay.Width), mm(lay.Height)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	p := &Page{Kind: k, Image: img, MRZ: MRZ(k, id), Identity: id}
	if lay.Lines > 0 {
		top := lay.Height - lay.MRZBottom - float64(lay.Lines-1)*lay.LinePitch - lay.LinePitch/2 - 0.6
		p.MRZBand = image.Rect(0, mm(top), w, h)
	}
	rd.background(img, p.MRZBand, r)
	pr := image.Rect(mm(lay.Portrait[0]), mm(lay.Portrait[1]), mm(lay.Portrait[0]+lay.Portrait[2]), mm(lay.Portrait[1]+lay.Portrait[3]))
	p.Portrait = pr
	drawPortrait(img, pr, portrait)
	rd.viz(img, k, id, pr)
	if lay.Lines > 0 {
		rd.mrzLines(img, lay, p.MRZ)
	}
	return p
}

// background fills a pale tint with a guilloche-like wave pattern, lighter
// in the MRZ clear zone.
func (rd *Renderer) background(img *image.RGBA, clear image.Rectangle, r *rand.Rand) {
	base := [3]float64{225 + 20*r.Float64(), 222 + 20*r.Float64(), 205 + 30*r.Float64()}
	tint := [3]float64{-20 * r.Float64(), -25 * r.Float64(), -10 * r.Float64()}
	fx, fy, ph := 0.02+0.03*r.Float64(), 0.015+0.03*r.Float64(), 6*r.Float64()
	b := img.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			wave := math.Sin(float64(x)*fx+4*math.Sin(float64(y)*fy+ph)) * math.Sin(float64(y)*fx*0.7+ph)
			amp := 1.0
			if image.Pt(x, y).In(clear) {
				amp = 0.25
			}
			o := img.PixOffset(x, y)
			for c := range 3 {
				img.Pix[o+c] = clamp8(base[c] + amp*tint[c]*(0.5+0.5*wave))
			}
			img.Pix[o+3] = 255
		}
	}
}

func drawPortrait(img *image.RGBA, box image.Rectangle, portrait image.Image) {
	if portrait != nil {
		draw.CatmullRom.Scale(img, box, portrait, portrait.Bounds(), draw.Src, nil)
		return
	}
	// A plain silhouette: grey backdrop, head and shoulders.
	draw.Draw(img, box, image.NewUniform(color.RGBA{190, 200, 210, 255}), image.Point{}, draw.Src)
	cx, cy := float64(box.Min.X+box.Max.X)/2, float64(box.Min.Y)+float64(box.Dy())*0.4
	rx, ry := float64(box.Dx())*0.28, float64(box.Dy())*0.26
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			body := float64(y) > cy+ry*0.9 && math.Abs(float64(x)-cx) < rx*1.8
			if dx*dx+dy*dy <= 1 || body {
				img.Set(x, y, color.RGBA{150, 110, 90, 255})
			}
		}
	}
}

// viz writes the visual inspection zone: a title and labelled fields.
func (rd *Renderer) viz(img *image.RGBA, k Kind, id Identity, portrait image.Rectangle) {
	ink := image.NewUniform(color.RGBA{30, 30, 60, 255})
	title := map[Kind]string{TD1: "IDENTITY CARD", TD2: "IDENTITY CARD", TD3: "PASSPORT", MRVA: "VISA", MRVB: "VISA", CardNoMRZ: "IDENTITY CARD"}[k]
	drawText(img, rd.bold, ink, portrait.Min.X, mm(4.5)+24, "UTOPIA  "+title)
	x := portrait.Max.X + mm(4)
	y := portrait.Min.Y + 26
	fields := [][2]string{
		{"Surname", id.Surname}, {"Given names", id.GivenNames}, {"Nationality", id.Nationality},
		{"Date of birth", id.BirthDate}, {"Sex", id.Sex}, {"Document no.", id.DocumentNumber},
		{"Date of expiry", id.ExpiryDate},
	}
	step := max(portrait.Dy()/len(fields), 30)
	for _, f := range fields {
		drawText(img, rd.text, ink, x, y, f[0]+": "+f[1])
		y += step
	}
}

func drawText(img *image.RGBA, face font.Face, src image.Image, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: src, Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// mrzLines draws the MRZ with ocrb.Render (2.54 mm pitch), centred, and
// multiplies it into the page so the background shows through.
func (rd *Renderer) mrzLines(img *image.RGBA, lay Layout, lines []string) {
	o := ocrb.Options{Pitch: charPitchMM * PxPerMM, CapHeight: capHeightMM * PxPerMM, LineHeight: lay.LinePitch * PxPerMM}
	text := ocrb.Render(strings.Join(lines, "\n"), o)
	if text == nil {
		return
	}
	left := int(math.Round((lay.Width*PxPerMM - float64(lay.LineLen)*o.Pitch) / 2))
	// Centre of the last line's capitals at MRZBottom from the bottom edge.
	_, top, _ := o.Cell(len(lines)-1, 0)
	lastCentre := top + o.CapHeight/2
	y0 := int(math.Round((lay.Height-lay.MRZBottom)*PxPerMM - lastCentre))
	const ink = 22.0 // the print's grey level
	tb := text.Rect
	for y := tb.Min.Y; y < tb.Max.Y; y++ {
		for x := tb.Min.X; x < tb.Max.X; x++ {
			px, py := left+x, y0+y
			if !image.Pt(px, py).In(img.Rect) {
				continue
			}
			a := float64(text.Pix[text.PixOffset(x, y)]) / 255
			i := img.PixOffset(px, py)
			for c := range 3 {
				img.Pix[i+c] = clamp8(float64(img.Pix[i+c])*a + ink*(1-a))
			}
		}
	}
}

func clamp8(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}
