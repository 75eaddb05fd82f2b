package document_test

import (
	"image"
	"image/color"
	"math/rand"
	"testing"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/imaging"
)

// TestDetectBadScenes checks the scenes that must not yield one clean
// document: an empty desk, a blank card, two documents side by side.
func TestDetectBadScenes(t *testing.T) {
	rd := synthRenderer(t)
	r := rand.New(rand.NewSource(5))
	td3 := rd.Render(docsynth.TD3, docsynth.Specimen(docsynth.TD3), nil, r)
	td1 := rd.Render(docsynth.TD1, docsynth.Specimen(docsynth.TD1), nil, r)
	left := docsynth.Placement{Fill: 0.42, ShiftX: -0.23, Rotation: 2}
	right := docsynth.Placement{Fill: 0.42, ShiftX: 0.23, Rotation: -3}
	tests := []struct {
		name  string
		pages []*docsynth.Page
		pls   []docsynth.Placement
		check func(d document.Detection) bool
	}{
		{"empty desk", nil, nil, func(d document.Detection) bool { return !d.Found }},
		{"blank card", []*docsynth.Page{docsynth.BlankPage(docsynth.TD1)}, []docsynth.Placement{{Fill: 0.6}},
			func(d document.Detection) bool { return d.Found && d.Content < 0.02 }},
		{"two documents", []*docsynth.Page{td3, td1}, []docsynth.Placement{left, right},
			func(d document.Detection) bool { return d.Found && d.Others == 1 }},
	}
	for _, tt := range tests {
		img, _, err := docsynth.Composite(tt.pages, tt.pls, r)
		if err != nil {
			t.Fatal(err)
		}
		d := document.Detect(imaging.ToGray(img))
		if !tt.check(d) {
			t.Errorf("%s: got %+v", tt.name, d)
		}
	}
}

// TestAssessFastPaths checks that the typed fast paths of the glare mask
// agree with the generic path.
func TestAssessFastPaths(t *testing.T) {
	rgba := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			v := uint8(100 + 3*x)
			if x > 20 && x < 40 && y > 10 && y < 30 {
				v = 255
			}
			rgba.Set(x, y, color.RGBA{v, v, uint8(min(255, int(v)+2)), 255})
		}
	}
	doc := document.RectQuad(64, 48)
	want := document.Assess(generic{rgba}, nil, document.Regions{Document: doc})
	ycc := image.NewYCbCr(rgba.Rect, image.YCbCrSubsampleRatio444)
	for y := range 48 {
		for x := range 64 {
			c := rgba.RGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)], ycc.Cb[ycc.COffset(x, y)], ycc.Cr[ycc.COffset(x, y)] = yy, cb, cr
		}
	}
	nrgba := &image.NRGBA{Pix: rgba.Pix, Stride: rgba.Stride, Rect: rgba.Rect} // opaque: the same bytes
	for name, img := range map[string]image.Image{"rgba": rgba, "nrgba": nrgba, "ycbcr": ycc, "gray": imaging.ToGray(rgba)} {
		got := document.Assess(img, nil, document.Regions{Document: doc})
		if got.Glare != want.Glare {
			t.Errorf("%s: glare %v, want %v", name, got.Glare, want.Glare)
		}
	}
	if want.Glare < 0.1 {
		t.Errorf("glare %v, want the 19×19 white square (≥ 0.1)", want.Glare)
	}
}

// generic hides the concrete type so Assess takes its generic path.
type generic struct{ image.Image }

// FuzzDetect runs detection and rectification on arbitrary grey images
// up to 255×255: no panic, a quad inside the image and a non-empty
// rectification.
func FuzzDetect(f *testing.F) {
	f.Add(uint8(16), uint8(16), []byte{0, 255, 128})
	f.Add(uint8(40), uint8(3), []byte{255})
	f.Add(uint8(64), uint8(48), []byte{10, 200, 10, 200, 255, 255, 0})
	f.Fuzz(func(t *testing.T, w, h uint8, pix []byte) {
		if w == 0 || h == 0 || len(pix) == 0 {
			return
		}
		g := patternGray(int(w), int(h), pix)
		d := document.Detect(g)
		checkQuad(t, d.Quad, int(w), int(h))
		if rect, ok := document.Rectify(g, d.Quad); ok && rect.Gray.Rect.Empty() {
			t.Error("empty rectification")
		}
	})
}

// fuzzSide is the largest side of FuzzInspect's images: the whole
// pipeline costs milliseconds even on a tiny image (the sharpness metric
// resamples the document to SharpnessWidth), so small images keep the
// fuzzer at useful speed; FuzzDetect covers larger ones.
const fuzzSide = 64

// FuzzInspect runs the whole Inspect pipeline on small arbitrary images of
// the decoders' pixel types (grey, RGBA, 4:2:0 YCbCr), either a raw
// pattern or a light card on a darker desk (so that detection,
// rectification and the MRZ reader get a document to work on): no panic,
// no error, a complete report and a document quad inside the image.
func FuzzInspect(f *testing.F) {
	f.Add(uint8(16), uint8(16), uint8(0), []byte{0, 255, 128})
	f.Add(uint8(40), uint8(3), uint8(1), []byte{255})
	f.Add(uint8(64), uint8(48), uint8(2), []byte{10, 200, 10, 200, 255, 255, 0})
	f.Add(uint8(63), uint8(47), uint8(3), []byte{30, 220, 12, 40, 4, 0, 0})
	f.Add(uint8(60), uint8(44), uint8(5), []byte{60, 250, 8, 10, 50, 30, 1, 9})
	f.Fuzz(func(t *testing.T, w, h, mode uint8, pix []byte) {
		if len(pix) == 0 {
			return
		}
		fw, fh := int(w)%fuzzSide+1, int(h)%fuzzSide+1
		g := patternGray(fw, fh, pix)
		if mode&4 != 0 && len(pix) >= 6 {
			drawCard(g, pix)
		}
		img := asType(g, mode%3)
		rep, err := document.Inspect(img, document.Options{Now: now})
		if err != nil || rep.Type == "" || rep.Reasons == nil || rep.Issues == nil {
			t.Fatalf("inspect: %v, %+v", err, rep)
		}
		checkQuad(t, rep.Document.Quad, fw, fh)
	})
}

// patternGray fills a w×h grey image from a repeated pattern.
func patternGray(w, h int, pix []byte) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = pix[i%len(pix)] ^ uint8(i*7)
	}
	return g
}

// drawCard paints a card of grey pix[1] over a desk of grey pix[0], its
// box taken from pix[2:6] as fractions of the image, with a dark band
// across its lower part (where an MRZ would be).
func drawCard(g *image.Gray, pix []byte) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	x0, y0 := int(pix[2])*w/512, int(pix[3])*h/512
	x1, y1 := w-int(pix[4])*w/512, h-int(pix[5])*h/512
	for y := range h {
		for x := range w {
			v := pix[0]
			if x >= x0 && x < x1 && y >= y0 && y < y1 {
				v = pix[1]
				if y > y0+(y1-y0)*3/4 && (x+y)%3 != 0 {
					v /= 4
				}
			}
			g.Pix[y*g.Stride+x] = v
		}
	}
}

// asType returns g as grey (0), RGBA (1) or 4:2:0 YCbCr (2), with a
// colour tint so the colour paths see unequal channels.
func asType(g *image.Gray, kind uint8) image.Image {
	switch kind {
	case 1:
		m := image.NewRGBA(g.Rect)
		for i, v := range g.Pix {
			m.Pix[4*i], m.Pix[4*i+1], m.Pix[4*i+2], m.Pix[4*i+3] = v, v, v^uint8(i), 255
		}
		return m
	case 2:
		m := image.NewYCbCr(g.Rect, image.YCbCrSubsampleRatio420)
		copy(m.Y, g.Pix)
		for i := range m.Cb {
			m.Cb[i], m.Cr[i] = uint8(128+i%9), uint8(128-i%5)
		}
		return m
	}
	return g
}

// checkQuad fails t when q reaches more than a pixel outside a w×h image.
func checkQuad(t *testing.T, q document.Quad, w, h int) {
	t.Helper()
	b := q.Bounds()
	if b.Min.X < -1 || b.Min.Y < -1 || b.Max.X > w+1 || b.Max.Y > h+1 {
		t.Errorf("quad %v outside %dx%d", q, w, h)
	}
}
