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
	for name, img := range map[string]image.Image{"rgba": rgba, "ycbcr": ycc, "gray": imaging.ToGray(rgba)} {
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

// FuzzDetect runs detection, quality, rectification and the whole Inspect
// pipeline on small arbitrary images: no panic, a quad inside the image
// and a complete report.
func FuzzDetect(f *testing.F) {
	f.Add(uint8(16), uint8(16), []byte{0, 255, 128})
	f.Add(uint8(40), uint8(3), []byte{255})
	f.Add(uint8(64), uint8(48), []byte{10, 200, 10, 200, 255, 255, 0})
	f.Fuzz(func(t *testing.T, w, h uint8, pix []byte) {
		if w == 0 || h == 0 || len(pix) == 0 {
			return
		}
		g := image.NewGray(image.Rect(0, 0, int(w), int(h)))
		for i := range g.Pix {
			g.Pix[i] = pix[i%len(pix)] ^ uint8(i*7)
		}
		d := document.Detect(g)
		b := d.Quad.Bounds()
		if b.Min.X < -1 || b.Min.Y < -1 || b.Max.X > int(w)+1 || b.Max.Y > int(h)+1 {
			t.Errorf("quad %v outside %dx%d", d.Quad, w, h)
		}
		_ = document.Assess(g, g, document.Regions{Document: d.Quad})
		if rect, ok := document.Rectify(g, d.Quad); ok && rect.Gray.Rect.Empty() {
			t.Error("empty rectification")
		}
		rep, err := document.Inspect(g, document.Options{Now: now})
		if err != nil || rep.Type == "" || rep.Reasons == nil {
			t.Errorf("inspect: %v, %+v", err, rep)
		}
	})
}
