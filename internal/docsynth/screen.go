package docsynth

import (
	"image"
	"math"
	"math/rand"

	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/imaging"
)

// screenParams are the random choices behind one screen recapture.
type screenParams struct {
	// pitch is one screen pixel's width in photo pixels.
	pitch float64
	// footprint is the width, in photo pixels, of the box each photo
	// pixel integrates (above 1: the lens's defocus before the sensor).
	footprint float64
	// gamma, gain and black shape the emitted light as the camera
	// records it; tint scales R, G and B (a screen's white point).
	gamma, gain, black float64
	tint               [3]float64
	// quality is the JPEG quality of the capture.
	quality int
}

func randomScreen(r *rand.Rand) screenParams {
	return screenParams{
		pitch:     1.25 + 1.5*r.Float64(),
		footprint: 1.3 + 0.6*r.Float64(),
		gamma:     0.85 + 0.3*r.Float64(),
		gain:      0.8 + 0.12*r.Float64(),
		black:     10 + 12*r.Float64(),
		tint:      [3]float64{0.92 + 0.05*r.Float64(), 0.97 + 0.03*r.Float64(), 1},
		quality:   80 + r.Intn(13),
	}
}

// recapture turns a photo of a document into a photo of that photo shown
// on a screen: the scene is displayed on a grid of RGB stripe sub-pixels
// with a dark matrix between them, the screen (in a black bezel, on a desk)
// is photographed with a slight perspective, each photo pixel integrating
// a defocused footprint of the grid (the moiré of the resampling comes
// from there), then tone-mapped, tinted, blurred a little and JPEG
// round-tripped. It moves s's outlines to where they land in the new
// photo.
func recapture(scene *image.RGBA, s *Sample, r *rand.Rand) *image.RGBA {
	p := randomScreen(r)
	sw := int(0.86 * SceneW / p.pitch)
	sh := sw * SceneH / SceneW
	shown := imaging.ResizeRGBA(scene, sw, sh)
	screen := (Placement{Fill: float64(sw) * p.pitch / SceneW, Rotation: 4*r.Float64() - 2, Perspective: 0.025}).quadFor(sw, sh, r)
	toPhoto, ok := document.HomographyFromQuads(document.RectQuad(float64(sw), float64(sh)), screen)
	toScreen, ok2 := document.HomographyFromQuads(screen, document.RectQuad(float64(sw), float64(sh)))
	if !ok || !ok2 {
		return scene
	}
	out := background(r)
	bezel(out, toPhoto, sw, sh)
	emit(out, shown, toScreen, screen, p)
	mv := func(q document.Quad) document.Quad {
		if q == (document.Quad{}) {
			return q
		}
		for i := range q {
			q[i] = toPhoto.Apply(document.Point{X: q[i].X * float64(sw) / SceneW, Y: q[i].Y * float64(sh) / SceneH})
		}
		return q
	}
	s.Quad, s.MRZQuad, s.Portrait = mv(s.Quad), mv(s.MRZQuad), mv(s.Portrait)
	out = gaussian(out, 0.45)
	addNoise(out, 2, r)
	return jpegRoundTrip(out, p.quality)
}

// bezel paints the device's black frame: the screen's outline grown by 6 %.
func bezel(img *image.RGBA, toPhoto document.Homography, sw, sh int) {
	mx, my := 0.06*float64(sw), 0.06*float64(sh)
	var q document.Quad
	for i, c := range document.RectQuad(float64(sw)+2*mx, float64(sh)+2*my) {
		q[i] = toPhoto.Apply(document.Point{X: c.X - mx, Y: c.Y - my})
	}
	box := q.Bounds().Intersect(img.Rect)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			if q.Contains(document.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5}) {
				o := img.PixOffset(x, y)
				img.Pix[o], img.Pix[o+1], img.Pix[o+2] = 14, 14, 16
			}
		}
	}
}

// emit renders the lit screen into img: each photo pixel inside the
// screen quad averages 5×5 points spread over p.footprint, each point
// taking the light of the sub-pixel stripe it falls on (zero on the dark
// matrix).
func emit(img, shown *image.RGBA, toScreen document.Homography, screen document.Quad, p screenParams) {
	const k = 5
	sw, sh := shown.Rect.Dx(), shown.Rect.Dy()
	box := screen.Bounds().Intersect(img.Rect)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			var acc [3]float64
			hits := 0
			for j := range k {
				for i := range k {
					px := float64(x) + 0.5 + p.footprint*((float64(i)+0.5)/k-0.5)
					py := float64(y) + 0.5 + p.footprint*((float64(j)+0.5)/k-0.5)
					sp := toScreen.Apply(document.Point{X: px, Y: py})
					if sp.X < 0 || sp.Y < 0 || sp.X >= float64(sw) || sp.Y >= float64(sh) {
						continue
					}
					hits++
					ix, iy := int(sp.X), int(sp.Y)
					fx, fy := sp.X-float64(ix), sp.Y-float64(iy)
					c := int(fx * 3)
					// Each stripe lights 80 % of its third; rows leave 20 %
					// dark; the light is scaled so that a white pixel
					// averages to white.
					if fy > 0.8 || fx*3-float64(c) > 0.8 {
						continue
					}
					acc[c] += float64(shown.Pix[shown.PixOffset(ix, iy)+c]) * 3 / (0.8 * 0.8)
				}
			}
			if hits < k*k {
				continue // the bezel's edge: keep it dark
			}
			o := img.PixOffset(x, y)
			for c := range 3 {
				v := acc[c] / (k * k) / 255
				img.Pix[o+c] = clamp8(p.black + (255*p.gain-p.black)*math.Pow(v, p.gamma)*p.tint[c])
			}
		}
	}
}
