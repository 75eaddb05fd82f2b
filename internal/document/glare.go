package document

import (
	"image"
	"image/color"
	"math"
)

// clipLevel is the value every channel must reach for a pixel to count as
// clipped white (glare).
const clipLevel = 250

// minGlareCompactness is the smallest share of its bounding box a glare
// blob fills (a disc fills 0.79).
const minGlareCompactness = 0.4

// minGlareRoundness is the smallest ratio of a glare blob's minor to major
// axis (from its second moments; a disc is 1). Thinner white is a strip of
// paper or page margin along an edge, or the white inside a frame line,
// not a reflection.
const minGlareRoundness = 0.3

// clippedMask marks the pixels of img whose R, G and B are all ≥ clipLevel,
// with typed fast paths for the decoders' image types.
func clippedMask(img image.Image) (mask []bool, w, h int) {
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	mask = make([]bool, w*h)
	switch m := img.(type) {
	case *image.YCbCr:
		for y := range h {
			for x := range w {
				yi := m.YOffset(b.Min.X+x, b.Min.Y+y)
				if m.Y[yi] < clipLevel-6 { // min(R,G,B) ≥ 250 needs Y ≥ ~244
					continue
				}
				ci := m.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bb := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				mask[y*w+x] = r >= clipLevel && g >= clipLevel && bb >= clipLevel
			}
		}
	case *image.RGBA:
		clippedRows(mask, w, h, m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride)
	case *image.NRGBA:
		clippedRows(mask, w, h, m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride)
	case *image.Gray:
		for y := range h {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				mask[y*w+x] = row[x] >= clipLevel
			}
		}
	default:
		for y := range h {
			for x := range w {
				r, g, bb, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				const c = clipLevel * 0x101
				mask[y*w+x] = r >= c && g >= c && bb >= c
			}
		}
	}
	return mask, w, h
}

// clippedRows fills mask from 8-bit RGBA rows (pix at the first pixel,
// stride bytes apart): the RGBA and NRGBA fast paths.
func clippedRows(mask []bool, w, h int, pix []uint8, stride int) {
	for y := range h {
		row := pix[y*stride:]
		for x := range w {
			p := row[4*x : 4*x+3]
			mask[y*w+x] = p[0] >= clipLevel && p[1] >= clipLevel && p[2] >= clipLevel
		}
	}
}

// glare returns the fraction of doc covered by the largest clipped-white
// 4-connected blob inside it that does not touch the image border, and
// whether that blob reaches the mrz quad.
func glare(img image.Image, doc, mrz Quad) (frac float64, onMRZ bool) {
	mask, w, h := clippedMask(img)
	area := doc.Area()
	if area <= 0 {
		return 0, false
	}
	hasMRZ := mrz != (Quad{})
	seen := make([]bool, len(mask))
	var stack []int
	best := 0
	for start, on := range mask {
		if !on || seen[start] {
			continue
		}
		// Flood one blob, counting its pixels inside doc and mrz.
		in, inMRZ, n := 0, 0, 0
		x0, y0, x1, y1 := w, h, -1, -1
		var mom moments
		border := false
		seen[start] = true
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			border = border || x == 0 || y == 0 || x == w-1 || y == h-1
			x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
			n++
			mom.add(x, y)
			p := Point{float64(x) + 0.5, float64(y) + 0.5}
			if doc.Contains(p) {
				in++
				if hasMRZ && mrz.Contains(p) {
					inMRZ++
				}
			}
			for _, n := range [4]int{i - 1, i + 1, i - w, i + w} {
				if n < 0 || n >= len(mask) || seen[n] || !mask[n] || (n == i-1 && x == 0) || (n == i+1 && x == w-1) {
					continue
				}
				seen[n] = true
				stack = append(stack, n)
			}
		}
		// A blob reaching the image border is the white background of a
		// scan or the page margin, not a reflection on the document.
		// A reflection is a compact, roundish blob; white print (paper
		// between text, a light backdrop) is ragged and fills its box
		// poorly, and white margins and framed white are thin strips.
		compact := float64(n) / float64((x1-x0+1)*(y1-y0+1))
		if !border && compact >= minGlareCompactness && in > best && mom.roundness() >= minGlareRoundness {
			best, onMRZ = in, inMRZ > 0
		}
	}
	return float64(best) / area, onMRZ
}

// moments accumulates a blob's first and second pixel moments.
type moments struct {
	n, sx, sy, sxx, syy, sxy float64
}

func (m *moments) add(x, y int) {
	fx, fy := float64(x), float64(y)
	m.n++
	m.sx += fx
	m.sy += fy
	m.sxx += fx * fx
	m.syy += fy * fy
	m.sxy += fx * fy
}

// roundness is the ratio of the blob's minor to major axis: the square
// root of the ratio of its covariance's eigenvalues (1 for a disc, near 0
// for a thin strip at any angle). Each pixel counts as a unit square, so
// a one-pixel line is not a point.
func (m *moments) roundness() float64 {
	if m.n == 0 {
		return 0
	}
	mx, my := m.sx/m.n, m.sy/m.n
	const pixel = 1.0 / 12 // variance of a unit square along an axis
	vxx := m.sxx/m.n - mx*mx + pixel
	vyy := m.syy/m.n - my*my + pixel
	vxy := m.sxy/m.n - mx*my
	tr, det := vxx+vyy, vxx*vyy-vxy*vxy
	d := math.Sqrt(math.Max(0, tr*tr/4-det))
	major, minor := tr/2+d, tr/2-d
	if major <= 0 {
		return 0
	}
	return math.Sqrt(math.Max(0, minor) / major)
}
