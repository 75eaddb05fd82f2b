package mrzocr

import "image"

// stripAspect is the least ratio of an image's sides at which it is taken
// for a strip cropped around the zone rather than a photo or page.
const stripAspect = 3.5

// padStrip surrounds a strip-shaped image (the zone cropped with little or
// no margin) with a margin of its paper's grey, a quarter of its short
// side wide: the cells of the outer lines then lie wholly inside the
// image, and glyphs touching the crop's edge are not smeared by sampling
// past it. The result keeps g's coordinates. Other images come back as
// they are, with false.
func padStrip(g *image.Gray) (*image.Gray, bool) {
	b := g.Bounds()
	short, long := min(b.Dx(), b.Dy()), max(b.Dx(), b.Dy())
	if float64(long) < stripAspect*float64(short) {
		return g, false
	}
	m := max(short/4, 4)
	out := image.NewGray(b.Inset(-m))
	paper := paperGrey(g)
	for i := range out.Pix {
		out.Pix[i] = paper
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := g.Pix[(y-b.Min.Y)*g.Stride : (y-b.Min.Y)*g.Stride+b.Dx()]
		copy(out.Pix[(y-out.Rect.Min.Y)*out.Stride+m:], src)
	}
	return out, true
}

// paperGrey is the 60th percentile of g's values: ink covers well under
// half of a strip around a zone, so this is paper, a little towards its
// darker side.
func paperGrey(g *image.Gray) uint8 {
	var hist [256]int
	b := g.Bounds()
	for y := range b.Dy() {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+b.Dx()] {
			hist[v]++
		}
	}
	want := b.Dx() * b.Dy() * 6 / 10
	n := 0
	for v, c := range hist {
		n += c
		if n >= want {
			return uint8(v)
		}
	}
	return 255
}
