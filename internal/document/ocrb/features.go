package ocrb

import (
	"image"
	"math"
	"slices"
)

// Feature grid: every cell is resampled to FeatureW × FeatureH values.
const (
	FeatureW   = 14
	FeatureH   = 20
	FeatureLen = FeatureW * FeatureH
)

// Cell is where one character sits in an image: the centre of its
// fixed-pitch cell, the pitch, the height of its capitals and the angle of
// its text line (radians, clockwise in image coordinates: x right, y
// down).
type Cell struct {
	CX, CY    float64 // centre: halfway between the top of the capitals and the baseline
	Pitch     float64
	CapHeight float64
	Angle     float64
	// Shear is the slant of the glyphs in the line's frame: how far along
	// the line a stroke moves per unit down (perspective or italic print;
	// 0 for upright glyphs). The window is sheared to match.
	Shear float64
}

// window: the sampled box spans 1.05 pitch across and the capitals plus
// 15% above and below.
const (
	windowW = 1.05
	windowH = 1.3
)

// Features resamples cell c of g into dst (length FeatureLen), as ink
// values in [0, 1] (1 = darkest) normalised to the cell's own contrast. It
// returns false when the window has no contrast (blank or off the image).
func Features(g *image.Gray, c Cell, dst []float32) bool {
	if len(dst) < FeatureLen || !(c.Pitch > 0) || !(c.CapHeight > 0) || math.IsNaN(c.CX+c.CY+c.Angle+c.Shear) || math.IsInf(c.CX+c.CY+c.Angle+c.Shear, 0) {
		return false
	}
	if b := g.Bounds(); b.Empty() || g.Stride < b.Dx() || len(g.Pix) < (b.Dy()-1)*g.Stride+b.Dx() {
		return false
	}
	cos, sin := math.Cos(c.Angle), math.Sin(c.Angle)
	sx := c.Pitch * windowW / FeatureW     // source pixels per output column
	sy := c.CapHeight * windowH / FeatureH // per output row
	ss := int(math.Ceil(math.Max(sx, sy)))
	ss = min(max(ss, 1), 4)
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	for j := range FeatureH {
		for i := range FeatureW {
			var sum float64
			for b := range ss {
				v := (float64(j)+(float64(b)+0.5)/float64(ss))*sy - c.CapHeight*windowH/2
				for a := range ss {
					u := (float64(i)+(float64(a)+0.5)/float64(ss))*sx - c.Pitch*windowW/2 + c.Shear*v
					sum += bilinear(g, c.CX+u*cos-v*sin, c.CY+u*sin+v*cos)
				}
			}
			val := float32(sum / float64(ss*ss))
			dst[j*FeatureW+i] = val
			lo, hi = min(lo, val), max(hi, val)
		}
	}
	if hi-lo < 12 {
		return false
	}
	for k := range FeatureLen {
		dst[k] = (hi - dst[k]) / (hi - lo)
	}
	clearRules(dst)
	return true
}

// marginRows is how many rows above and below the capitals the window
// holds (15% of the capital height on each side).
const marginRows = 2

// clearRules blanks margin rows that are inked across the whole window: a
// box edge or underline running along the line, never part of a glyph,
// which is narrower than its cell.
func clearRules(dst []float32) {
	for j := range FeatureH {
		if j >= marginRows && j < FeatureH-marginRows {
			continue
		}
		row := dst[j*FeatureW : (j+1)*FeatureW]
		if slices.Min(row) >= 0.3 {
			clear(row)
		}
	}
}

// bilinear samples g at (x, y) (pixel centres at integer + 0.5), clamping
// to the border.
func bilinear(g *image.Gray, x, y float64) float64 {
	b := g.Bounds()
	if b.Empty() {
		return 255
	}
	x -= 0.5
	y -= 0.5
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	ix, iy := int(x0), int(y0)
	p := func(px, py int) float64 {
		px = min(max(px, b.Min.X), b.Max.X-1)
		py = min(max(py, b.Min.Y), b.Max.Y-1)
		return float64(g.Pix[(py-b.Min.Y)*g.Stride+(px-b.Min.X)])
	}
	if math.Abs(x) > 1e7 || math.Abs(y) > 1e7 {
		return p(b.Min.X, b.Min.Y)
	}
	top := p(ix, iy)*(1-fx) + p(ix+1, iy)*fx
	bot := p(ix, iy+1)*(1-fx) + p(ix+1, iy+1)*fx
	return top*(1-fy) + bot*fy
}

// CellOf returns the Cell of character col of line in a Render with o
// (after defaults), unrotated.
func (o Options) CellOf(line, col int) Cell {
	o = o.WithDefaults()
	cx, top, base := o.Cell(line, col)
	return Cell{CX: cx, CY: (top + base) / 2, Pitch: o.Pitch, CapHeight: o.CapHeight}
}
