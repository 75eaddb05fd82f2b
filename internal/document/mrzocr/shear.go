package mrzocr

import "math"

// Slant measurement: the largest shear measured (stroke offset along the
// line per unit down), the histogram's bin, and the least slant worth
// correcting. Below it the classifier reads the glyphs as upright
// anyway, and the reading is left as it was.
const (
	maxShear  = 0.45
	shearStep = 0.03
	minShear  = 0.05
)

// shear measures the slant of group g's glyphs (perspective seen from
// one side, or slanted print) from the direction of their near-vertical
// edges: OCR-B glyphs are mostly vertical strokes, whose edges lean with
// the slant. The group is in sc's frame.
func (sc *scene) shear(g group) float64 {
	n := int(math.Round(2*maxShear/shearStep)) + 1
	hist := make([]float64, n)
	for _, l := range g {
		sc.edgeSlants(l, hist)
	}
	// The mode of the histogram, smoothed over three bins.
	best, bestW := 0, 0.0
	for i := 1; i+1 < n; i++ {
		w := hist[i-1] + 2*hist[i] + hist[i+1]
		if w > bestW {
			best, bestW = i, w
		}
	}
	if bestW == 0 {
		return 0
	}
	// Refine to the centroid of the mode's neighbourhood.
	var sw, swi float64
	for i := max(best-2, 0); i <= min(best+2, n-1); i++ {
		sw += hist[i]
		swi += hist[i] * float64(i)
	}
	s := -maxShear + swi/sw*shearStep
	if math.Abs(s) < minShear {
		return 0
	}
	return s
}

// edgeSlants adds to hist, weighted by gradient strength, the slant of
// every strong near-vertical edge (in l's frame) at the pixels of l's
// glyphs and their neighbours.
func (sc *scene) edgeSlants(l textLine, hist []float64) {
	cos, sin := math.Cos(l.angle), math.Sin(l.angle)
	pix, stride := sc.img.Pix, sc.img.Stride
	for _, k := range l.comps {
		c := &sc.comps[k]
		x0, x1 := max(c.minX-1, 1), min(c.maxX+1, sc.w-2)
		y0, y1 := max(c.minY-1, 1), min(c.maxY+1, sc.h-2)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				i := y*stride + x
				a, b, c := float64(pix[i-stride-1]), float64(pix[i-stride]), float64(pix[i-stride+1])
				d, e := float64(pix[i-1]), float64(pix[i+1])
				f, g, h := float64(pix[i+stride-1]), float64(pix[i+stride]), float64(pix[i+stride+1])
				gx := c + 2*e + h - a - 2*d - f // Sobel
				gy := f + 2*g + h - a - 2*b - c
				gu, gv := gx*cos+gy*sin, -gx*sin+gy*cos
				m := gu*gu + gv*gv
				if m < 40*40 || math.Abs(gv) > 0.5*math.Abs(gu) {
					continue
				}
				// A stroke along (s, 1) has its gradient along (1, -s).
				s := -gv / gu
				if k := int(math.Round((s + maxShear) / shearStep)); k >= 0 && k < len(hist) {
					hist[k] += math.Sqrt(m)
				}
			}
		}
	}
}
