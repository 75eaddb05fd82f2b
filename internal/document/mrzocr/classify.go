package mrzocr

import (
	"image"
	"math"
	"sort"

	"github.com/openidv/openidv/internal/document/ocrb"
)

// classify ranks the glyphs of cell c, trying small shifts along the line
// and keeping the most confident.
func (r *reader) classify(c ocrb.Cell) []ocrb.Candidate {
	cands, _ := r.align(c)
	return cands
}

// align classifies c at small shifts along the line and returns the
// ranking and cell of the most confident shift.
func (r *reader) align(c ocrb.Cell) ([]ocrb.Candidate, ocrb.Cell) {
	if !r.inside(c, r.g.Bounds()) {
		// Part of the cell is outside the picture: nothing to read, and
		// nothing the check-digit repair may guess.
		return []ocrb.Candidate{{Char: '<', Score: 0}}, c
	}
	x := make([]float32, ocrb.FeatureLen)
	var best []ocrb.Candidate
	at := c
	cos, sin := math.Cos(c.Angle), math.Sin(c.Angle)
	for _, d := range []float64{0, -0.12, 0.12} {
		s := c
		s.CX += d * c.Pitch * cos
		s.CY += d * c.Pitch * sin
		if !ocrb.Features(r.g, s, x) {
			continue
		}
		r.spent++
		cands := r.clf.Rank(x)
		if best == nil || cands[0].Score > best[0].Score {
			best, at = cands, s
		}
		if best[0].Score > 0.97 {
			break
		}
	}
	if best == nil {
		best = []ocrb.Candidate{{Char: '<', Score: 0}}
	}
	return best, at
}

// classifyCareful aligns c, then averages the probabilities over small
// changes of glyph height and vertical position at that alignment: a
// glyph that only one framing reads confidently ends with a lower score.
func (r *reader) classifyCareful(c ocrb.Cell) []ocrb.Candidate {
	best, at := r.align(c)
	if best[0].Score == 0 {
		return best
	}
	x := make([]float32, ocrb.FeatureLen)
	sum := make([]float32, len(ocrb.Alphabet))
	n := 0
	cos, sin := math.Cos(c.Angle), math.Sin(c.Angle)
	for _, v := range [][2]float64{{1, 0}, {0.92, 0}, {1.08, 0}, {1, -0.06}, {1, 0.06}} {
		s := at
		s.CapHeight *= v[0]
		s.CX -= v[1] * c.CapHeight * sin
		s.CY += v[1] * c.CapHeight * cos
		if !ocrb.Features(r.g, s, x) {
			continue
		}
		r.spent++
		for k, p := range r.clf.Probabilities(x) {
			sum[k] += p
		}
		n++
	}
	if n == 0 {
		return best
	}
	cands := make([]ocrb.Candidate, len(sum))
	for k, p := range sum {
		cands[k] = ocrb.Candidate{Char: ocrb.Alphabet[k], Score: p / float32(n)}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Score > cands[j].Score })
	return cands
}

// inside reports whether the whole of cell c lies in b.
func (r *reader) inside(c ocrb.Cell, b image.Rectangle) bool {
	cos, sin := math.Cos(c.Angle), math.Sin(c.Angle)
	for _, d := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		u, v := d[0]*0.5*c.Pitch, d[1]*0.6*c.CapHeight
		x, y := c.CX+u*cos-v*sin, c.CY+u*sin+v*cos
		if x < float64(b.Min.X) || y < float64(b.Min.Y) || x > float64(b.Max.X) || y > float64(b.Max.Y) {
			return false
		}
	}
	return true
}

// bounds returns the zone's corners and bounding box in g's coordinates.
func (r *reader) bounds(g group) ([4]image.Point, image.Rectangle) {
	first, last := g[0], g[len(g)-1]
	pad := 0.4 * first.h
	pts := [4][2]float64{}
	pts[0][0], pts[0][1] = first.point(first.u0-pad, first.v-first.h/2-pad)
	pts[1][0], pts[1][1] = first.point(first.u1+pad, first.v-first.h/2-pad)
	pts[2][0], pts[2][1] = last.point(last.u1+pad, last.v+last.h/2+pad)
	pts[3][0], pts[3][1] = last.point(last.u0-pad, last.v+last.h/2+pad)
	var quad [4]image.Point
	rect := image.Rectangle{}
	for i, p := range pts {
		quad[i] = image.Pt(int(math.Round(p[0]/r.scale)), int(math.Round(p[1]/r.scale))).Add(r.origin)
		if i == 0 {
			rect = image.Rectangle{Min: quad[i], Max: quad[i].Add(image.Pt(1, 1))}
		}
		rect = rect.Union(image.Rectangle{Min: quad[i], Max: quad[i].Add(image.Pt(1, 1))})
	}
	return quad, rect.Intersect(r.g.Bounds())
}
