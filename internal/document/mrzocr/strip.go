package mrzocr

import "image"

// stripAspect is the least ratio of an image's sides at which it is taken
// for a strip cropped around the zone rather than a photo or page.
const stripAspect = 3.5

// padStrip surrounds a strip-shaped image (the zone cropped with little or
// no margin) with a margin of its paper's grey, an eighth of its short
// side wide, on every side where ink comes within a fifth of the short
// side of the edge: the cells of the outer lines then lie wholly inside
// the image, and glyphs touching the crop's edge are not smeared by
// sampling past it. The result keeps g's coordinates. Other images, and
// strips with a margin all round, come back as they are, with false.
func padStrip(g *image.Gray) (*image.Gray, bool) {
	b := g.Bounds()
	short, long := min(b.Dx(), b.Dy()), max(b.Dx(), b.Dy())
	if float64(long) < stripAspect*float64(short) {
		return g, false
	}
	paper, ink := levels(g)
	dark := func(r image.Rectangle) bool {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for _, v := range g.Pix[(y-b.Min.Y)*g.Stride+r.Min.X-b.Min.X : (y-b.Min.Y)*g.Stride+r.Max.X-b.Min.X] {
				if int(v) < (int(paper)+int(ink))/2 {
					return true
				}
			}
		}
		return false
	}
	m, e := max(short/8, 4), max(short/5, 1)
	var pad [4]int // left, top, right, bottom
	for i, r := range []image.Rectangle{
		image.Rect(b.Min.X, b.Min.Y, b.Min.X+e, b.Max.Y), image.Rect(b.Min.X, b.Min.Y, b.Max.X, b.Min.Y+e),
		image.Rect(b.Max.X-e, b.Min.Y, b.Max.X, b.Max.Y), image.Rect(b.Min.X, b.Max.Y-e, b.Max.X, b.Max.Y),
	} {
		if dark(r) {
			pad[i] = m
		}
	}
	if pad == [4]int{} {
		return g, false
	}
	out := image.NewGray(image.Rect(b.Min.X-pad[0], b.Min.Y-pad[1], b.Max.X+pad[2], b.Max.Y+pad[3]))
	for i := range out.Pix {
		out.Pix[i] = paper
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := g.Pix[(y-b.Min.Y)*g.Stride : (y-b.Min.Y)*g.Stride+b.Dx()]
		copy(out.Pix[(y-out.Rect.Min.Y)*out.Stride+pad[0]:], src)
	}
	return out, true
}

// levels returns the 60th and 2nd percentiles of g's values: ink covers
// well under half of a strip around a zone, so these are paper (a little
// towards its darker side) and ink.
func levels(g *image.Gray) (paper, ink uint8) {
	var hist [256]int
	b := g.Bounds()
	for y := range b.Dy() {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+b.Dx()] {
			hist[v]++
		}
	}
	total := b.Dx() * b.Dy()
	n := 0
	paper, ink = 255, 0
	inkSet := false
	for v, c := range hist {
		n += c
		if !inkSet && n >= total/50 {
			ink, inkSet = uint8(v), true
		}
		if n >= total*6/10 {
			return uint8(v), ink
		}
	}
	return paper, ink
}
