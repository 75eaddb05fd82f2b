package synth

import (
	"image"
	"math"
	"math/rand/v2"
)

// Generalise changes the shape of the glyphs in a clean black-on-white
// rendering whose character pitch is pitch pixels, so that a classifier
// trained on it does not learn OCR-B's exact outlines: MRZs are also
// printed in other, blockier fonts, engraved or laser-printed with broken
// strokes. Each change is applied at random: squarer outlines (Blockify),
// thinner or thicker strokes (Erode, Dilate) and small gaps across strokes
// (Gaps).
func Generalise(g *image.Gray, pitch float64, rng *rand.Rand) *image.Gray {
	if rng.Float64() < 0.5 {
		g = Blockify(g, pitch/(7+rng.Float64()*5), 0.25+rng.Float64()*0.2)
	}
	switch rng.IntN(4) {
	case 0:
		g = Erode(g, max(int(math.Round(pitch*(0.005+rng.Float64()*0.02))), 1))
	case 1:
		g = Dilate(g, max(int(math.Round(pitch*(0.005+rng.Float64()*0.03))), 1))
	}
	if rng.Float64() < 0.6 {
		Gaps(g, pitch, 1+rng.Float64()*3, rng)
	}
	return g
}

// Blockify redraws g on a coarse grid of cells of side cell pixels: a
// cell is black where more than frac of it is inked, white otherwise.
// Curves become steps and corners square, like a dot-matrix or engraved
// font.
func Blockify(g *image.Gray, cell, frac float64) *image.Gray {
	if cell < 1.5 {
		return Clone(g)
	}
	b := g.Bounds()
	out := image.NewGray(b)
	cols, rows := int(math.Ceil(float64(b.Dx())/cell)), int(math.Ceil(float64(b.Dy())/cell))
	for cy := range rows {
		y0, y1 := int(float64(cy)*cell), min(int(float64(cy+1)*cell), b.Dy())
		for cx := range cols {
			x0, x1 := int(float64(cx)*cell), min(int(float64(cx+1)*cell), b.Dx())
			var ink, n float64
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					ink += 1 - float64(g.Pix[y*g.Stride+x])/255
					n++
				}
			}
			v := uint8(255)
			if n > 0 && ink/n > frac {
				v = 0
			}
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					out.Pix[y*out.Stride+x] = v
				}
			}
		}
	}
	return out
}

// Erode thins dark strokes by r pixels (a max filter over a square).
func Erode(g *image.Gray, r int) *image.Gray { return morph(g, r, true) }

// Dilate thickens dark strokes by r pixels (a min filter over a square).
func Dilate(g *image.Gray, r int) *image.Gray { return morph(g, r, false) }

func morph(g *image.Gray, r int, lighter bool) *image.Gray {
	pick := func(a, b uint8) uint8 {
		if lighter == (b > a) {
			return b
		}
		return a
	}
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	tmp := image.NewGray(b)
	for y := range h {
		for x := range w {
			v := g.Pix[y*g.Stride+x]
			for xx := max(x-r, 0); xx <= min(x+r, w-1); xx++ {
				v = pick(v, g.Pix[y*g.Stride+xx])
			}
			tmp.Pix[y*tmp.Stride+x] = v
		}
	}
	out := image.NewGray(b)
	for y := range h {
		for x := range w {
			v := tmp.Pix[y*tmp.Stride+x]
			for yy := max(y-r, 0); yy <= min(y+r, h-1); yy++ {
				v = pick(v, tmp.Pix[yy*tmp.Stride+x])
			}
			out.Pix[y*out.Stride+x] = v
		}
	}
	return out
}

// Gaps whitens short thin bars at random places, perGlyph of them per
// pitch × pitch square on average: the breaks at stroke joints of
// engraved or laser-printed characters.
func Gaps(g *image.Gray, pitch, perGlyph float64, rng *rand.Rand) {
	b := g.Bounds()
	n := int(perGlyph * float64(b.Dx()*b.Dy()) / (pitch * pitch))
	for range n {
		cx, cy := rng.Float64()*float64(b.Dx()), rng.Float64()*float64(b.Dy())
		a := rng.Float64() * math.Pi
		half := pitch * (0.08 + rng.Float64()*0.1)
		thick := max(pitch*(0.03+rng.Float64()*0.06), 1)
		dx, dy := math.Cos(a), math.Sin(a)
		x0, x1 := int(cx-half-thick), int(cx+half+thick)
		y0, y1 := int(cy-half-thick), int(cy+half+thick)
		for y := max(y0, 0); y <= min(y1, b.Dy()-1); y++ {
			for x := max(x0, 0); x <= min(x1, b.Dx()-1); x++ {
				px, py := float64(x)+0.5-cx, float64(y)+0.5-cy
				along := px*dx + py*dy
				across := -px*dy + py*dx
				if math.Abs(along) <= half && math.Abs(across) <= thick/2 {
					g.Pix[y*g.Stride+x] = 255
				}
			}
		}
	}
}
