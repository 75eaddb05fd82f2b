package face

import (
	"image"
	"image/draw"
	"math"

	"github.com/openidv/openidv/internal/imaging"
)

// ChipSize is the side of an aligned face chip.
const ChipSize = 150

// The canonical pupil positions on a chip (measured on face-api's aligned
// crops): the similarity transform of Align puts the pupils here.
var (
	chipLeftEye  = Point{X: 45.2, Y: 43.4}
	chipRightEye = Point{X: 102.2, Y: 43.4}
)

// faceRegion is the part of a chip that the quality gates look at:
// forehead to chin, cheek to cheek.
var faceRegion = image.Rect(30, 25, 120, 140)

// similarity maps chip coordinates to source coordinates.
type similarity struct {
	a, b   float64 // scale×cos, scale×sin
	tx, ty float64
	scale  float64 // source pixels per chip pixel
}

// newSimilarity returns the transform that sends the chip's canonical eye
// points to the pupils p.
func newSimilarity(p Pupils) similarity {
	dx, dy := p.Right.X-p.Left.X, p.Right.Y-p.Left.Y
	ex := chipRightEye.X - chipLeftEye.X
	s := math.Hypot(dx, dy) / ex
	th := math.Atan2(dy, dx)
	a, b := s*math.Cos(th), s*math.Sin(th)
	return similarity{
		a: a, b: b, scale: s,
		tx: p.Left.X - (a*chipLeftEye.X - b*chipLeftEye.Y),
		ty: p.Left.Y - (b*chipLeftEye.X + a*chipLeftEye.Y),
	}
}

func (t similarity) apply(u, v float64) (float64, float64) {
	return t.a*u - t.b*v + t.tx, t.b*u + t.a*v + t.ty
}

// Align returns the 150×150 chip of the face whose pupils are p (in img's
// pixels relative to its bounds' origin), sampled bilinearly (after an
// area-averaging shrink when the face is over 1.5× the chip's scale), and
// the fraction of the chip's face region that fell outside img (filled
// black).
func Align(img image.Image, p Pupils) (chip *image.RGBA, outside float64) {
	chip = image.NewRGBA(image.Rect(0, 0, ChipSize, ChipSize))
	for i := 3; i < len(chip.Pix); i += 4 {
		chip.Pix[i] = 255
	}
	t := newSimilarity(p)
	b := img.Bounds()
	if t.scale <= 0 || b.Empty() || math.IsNaN(t.scale) || math.IsInf(t.scale, 0) {
		return chip, 1
	}
	reg := footprint(t).Intersect(image.Rect(0, 0, b.Dx(), b.Dy()))
	if reg.Empty() {
		return chip, 1
	}
	src := image.NewRGBA(image.Rect(0, 0, reg.Dx(), reg.Dy()))
	draw.Draw(src, src.Rect, img, b.Min.Add(reg.Min), draw.Src)
	kx, ky := 1.0, 1.0
	if t.scale > 1.5 {
		nw := max(1, int(math.Round(float64(reg.Dx())/t.scale)))
		nh := max(1, int(math.Round(float64(reg.Dy())/t.scale)))
		kx, ky = float64(reg.Dx())/float64(nw), float64(reg.Dy())/float64(nh)
		src = imaging.ResizeRGBA(src, nw, nh)
	}
	var out, total int
	for v := 0; v < ChipSize; v++ {
		for u := 0; u < ChipSize; u++ {
			x, y := t.apply(float64(u)+0.5, float64(v)+0.5)
			in := x >= 0 && y >= 0 && x < float64(b.Dx()) && y < float64(b.Dy())
			if (image.Point{u, v}).In(faceRegion) {
				total++
				if !in {
					out++
				}
			}
			if !in {
				continue
			}
			sx, sy := (x-float64(reg.Min.X))/kx-0.5, (y-float64(reg.Min.Y))/ky-0.5
			bilinear(src, sx, sy, chip.Pix[v*chip.Stride+4*u:])
		}
	}
	return chip, float64(out) / float64(total)
}

// footprint is the source rectangle the chip covers, with a margin.
func footprint(t similarity) image.Rectangle {
	x0, y0 := math.Inf(1), math.Inf(1)
	x1, y1 := math.Inf(-1), math.Inf(-1)
	for _, c := range [4][2]float64{{0, 0}, {ChipSize, 0}, {0, ChipSize}, {ChipSize, ChipSize}} {
		x, y := t.apply(c[0], c[1])
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
	}
	const lim = 1 << 20
	clampF := func(v float64) int { return int(min(max(v, -lim), lim)) }
	return image.Rect(clampF(math.Floor(x0))-2, clampF(math.Floor(y0))-2, clampF(math.Ceil(x1))+2, clampF(math.Ceil(y1))+2)
}

// bilinear writes the RGB of src at continuous pixel-centre coordinates
// (x, y), clamped at the edges, into dst[0:3].
func bilinear(src *image.RGBA, x, y float64, dst []uint8) {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	x = min(max(x, 0), float64(w-1))
	y = min(max(y, 0), float64(h-1))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	fx, fy := x-float64(x0), y-float64(y0)
	p00 := src.Pix[y0*src.Stride+4*x0:]
	p10 := src.Pix[y0*src.Stride+4*x1:]
	p01 := src.Pix[y1*src.Stride+4*x0:]
	p11 := src.Pix[y1*src.Stride+4*x1:]
	for c := 0; c < 3; c++ {
		top := float64(p00[c]) + fx*(float64(p10[c])-float64(p00[c]))
		bot := float64(p01[c]) + fx*(float64(p11[c])-float64(p01[c]))
		dst[c] = uint8(top + fy*(bot-top) + 0.5)
	}
}
