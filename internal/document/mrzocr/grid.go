package mrzocr

import (
	"image"
	"math"
	"slices"
	"sort"

	"github.com/openidv/openidv/internal/document/mrz"
	"github.com/openidv/openidv/internal/document/ocrb"
)

// gridFit places n fixed-pitch cells on line l: centre of cell k at
// a + b·k along the line. It starts from the ink extent and refits on the
// centres of single-glyph components. ok is false when the pitch does not
// suit the glyph height.
func gridFit(l textLine, n int, u0, u1, h float64) (a, b float64, ok bool) {
	b = (u1 - u0) / (float64(n) - 0.45)
	a = u0 + (u1-u0-float64(n-1)*b)/2
	for range 3 {
		var sk, sc, skk, skc, cnt float64
		ks := map[int]bool{}
		for _, s := range l.glyphs {
			if s.u1-s.u0 > 1.3*b {
				continue
			}
			c := (s.u0 + s.u1) / 2
			k := math.Round((c - a) / b)
			if k < 0 || k >= float64(n) {
				continue
			}
			ks[int(k)] = true
			sk += k
			sc += c
			skk += k * k
			skc += k * c
			cnt++
		}
		den := cnt*skk - sk*sk
		if cnt < 4 || len(ks) < 2 || den <= 0 {
			break
		}
		nb := (cnt*skc - sk*sc) / den
		na := (sc - nb*sk) / cnt
		if nb < 0.8*b || nb > 1.25*b {
			break
		}
		a, b = na, nb
	}
	ratio := h / b
	return a, b, ratio > 0.6 && ratio < 1.3
}

// cellGrid is where the cells of one line sit: centre of cell k at
// a + b·k + c·k² along the line (c absorbs the pitch change that
// perspective causes).
type cellGrid struct{ a, b, c float64 }

func (g cellGrid) at(k int) float64 {
	f := float64(k)
	return g.a + g.b*f + g.c*f*f
}

// pitchAt is the local pitch at cell k.
func (g cellGrid) pitchAt(k int) float64 { return g.b + 2*g.c*float64(k) }

// fitCells places the n cells of line l. It walks the single glyphs left
// to right, numbering each from its distance to the previous one in units
// of the local pitch (so perspective, which changes the pitch along the
// line, does not throw the count off; runs of touching glyphs are
// skipped), then fits cell centres as a quadratic in the cell number.
func fitCells(l textLine, n int, a, b float64) cellGrid {
	spans := append([]glyphSpan(nil), l.glyphs...)
	sort.Slice(spans, func(i, j int) bool { return spans[i].u0+spans[i].u1 < spans[j].u0+spans[j].u1 })
	type pt struct{ k, c float64 }
	var singles []pt
	p := b
	for _, s := range spans {
		if s.u1-s.u0 > 1.3*p {
			continue // a run of touching glyphs: the next single counts across it
		}
		c := (s.u0 + s.u1) / 2
		k := math.Round((c - a) / b)
		if last := len(singles) - 1; last >= 0 {
			k = singles[last].k + max(1, math.Round((c-singles[last].c)/p))
		}
		singles = append(singles, pt{k, c})
		// local pitch from the singles a few cells back
		for j := len(singles) - 2; j >= 0; j-- {
			if dk := k - singles[j].k; dk >= 4 {
				p = 0.5*p + 0.5*(c-singles[j].c)/dk
				break
			}
		}
	}
	var m [3][4]float64
	cnt := 0
	kmin, kmax := math.Inf(1), math.Inf(-1)
	var s1 [2][3]float64 // linear normal equations
	for _, q := range singles {
		if q.k < 0 || q.k >= float64(n) {
			continue
		}
		kmin, kmax = min(kmin, q.k), max(kmax, q.k)
		row := [3]float64{1, q.k, q.k * q.k}
		for i := range 3 {
			for j := range 3 {
				m[i][j] += row[i] * row[j]
			}
			m[i][3] += row[i] * q.c
		}
		s1[0][0]++
		s1[0][1] += q.k
		s1[1][1] += q.k * q.k
		s1[0][2] += q.c
		s1[1][2] += q.k * q.c
		cnt++
	}
	lin := cellGrid{a: a, b: b}
	if den := s1[0][0]*s1[1][1] - s1[0][1]*s1[0][1]; cnt >= 4 && den > 0 {
		nb := (s1[0][0]*s1[1][2] - s1[0][1]*s1[0][2]) / den
		if nb > 0.75*b && nb < 1.3*b {
			lin = cellGrid{a: (s1[0][2] - nb*s1[0][1]) / s1[0][0], b: nb}
		}
	}
	if cnt < 12 || kmax-kmin < 0.8*float64(n-1) {
		return lin // too few glyphs, or none near one end: do not extrapolate a curve
	}
	sol, ok := solve3(m)
	if !ok || math.Abs(sol[2])*float64(n-1) > 0.25*lin.b || sol[1] <= 0 {
		return lin
	}
	return cellGrid{a: sol[0], b: sol[1], c: sol[2]}
}

// solve3 solves a 3×3 system by Gaussian elimination with pivoting.
func solve3(m [3][4]float64) ([3]float64, bool) {
	for col := range 3 {
		p := col
		for r := col + 1; r < 3; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		if math.Abs(m[p][col]) < 1e-9 {
			return [3]float64{}, false
		}
		m[col], m[p] = m[p], m[col]
		for r := range 3 {
			if r == col {
				continue
			}
			f := m[r][col] / m[col][col]
			for c := col; c < 4; c++ {
				m[r][c] -= f * m[col][c]
			}
		}
	}
	return [3]float64{m[0][3] / m[0][0], m[1][3] / m[1][1], m[2][3] / m[2][2]}, true
}

// hypothesis is one way of laying cells on a group: n per line between
// the extents, upright or upside down.
type hypothesis struct {
	n     int
	flip  bool
	cells [][]ocrb.Cell // in reading order (after any flip)
	after [][]ocrb.Cell // for 36-wide zones, the two cells past each line's end
	probe float64       // mean best score over a sample of cells
}

// fullReads bounds the hypotheses per group that are read in full, best
// probe first.
const fullReads = 4

// readGroup reads g as every width its line count allows, upright and
// upside down, over a few guesses of where the zone starts and ends (a
// stray mark beside one line widens that line's ink). It classifies a
// sample of cells for every guess and reads the most convincing guesses in
// full, stopping at the first valid reading.
func (r *reader) readGroup(g group) []*Reading {
	widths := []int{44, 36}
	if len(g) == 3 {
		widths = []int{30}
	}
	// Every line of a zone starts and ends with ink in the same columns,
	// and all use one type size: measure them together.
	outer := [2]float64{math.Inf(1), math.Inf(-1)}
	inner := [2]float64{math.Inf(-1), math.Inf(1)}
	h := 0.0
	for _, l := range g {
		outer = [2]float64{min(outer[0], l.u0), max(outer[1], l.u1)}
		inner = [2]float64{max(inner[0], l.u0), min(inner[1], l.u1)}
		h += l.h / float64(len(g))
	}
	var hyps []hypothesis
	for _, n := range widths {
		pitch := (inner[1] - inner[0]) / (float64(n) - 0.45)
		extents := [][2]float64{inner}
		if outer[0] < inner[0]-0.4*pitch || outer[1] > inner[1]+0.4*pitch {
			extents = append(extents, outer)
		}
		extents = append(extents, [2]float64{inner[0] + pitch, inner[1]}, [2]float64{inner[0], inner[1] - pitch})
		for _, ext := range extents {
			for _, flip := range []bool{false, true} {
				if cells, after, ok := r.layout(g, n, flip, ext, h); ok {
					hyps = append(hyps, hypothesis{n: n, flip: flip, cells: cells, after: after})
				}
			}
		}
	}
	for i := range hyps {
		if r.exhausted() {
			hyps = hyps[:i]
			break
		}
		hyps[i].probe = r.probe(hyps[i].cells)
	}
	sort.SliceStable(hyps, func(i, j int) bool { return hyps[i].probe > hyps[j].probe })
	var out []*Reading
	for i := 0; i < len(hyps) && i < fullReads && !r.exhausted(); i++ {
		rd := r.readAs(g, hyps[i])
		if rd == nil {
			continue
		}
		out = append(out, rd)
		if rd.Result.Valid {
			break
		}
	}
	return out
}

// layout places n cells per line of g between the extents ext, with glyph
// height h, in reading order, and for 36-wide zones the two cells past
// each line's end.
func (r *reader) layout(g group, n int, flip bool, ext [2]float64, h float64) ([][]ocrb.Cell, [][]ocrb.Cell, bool) {
	cells := make([][]ocrb.Cell, len(g))
	after := make([][]ocrb.Cell, len(g))
	for i, l := range g {
		a, b, ok := gridFit(l, n, ext[0], ext[1], h)
		if !ok {
			return nil, nil, false
		}
		grid := fitCells(l, n, a, b)
		// The cells must span the ink: a grid of the wrong width that
		// locked onto the true pitch leaves glyphs beyond one end.
		first, last := grid.at(0)-grid.pitchAt(0)/2, grid.at(n-1)+grid.pitchAt(n-1)/2
		if math.Abs(first-ext[0]) > 0.7*grid.pitchAt(0) || math.Abs(last-ext[1]) > 0.7*grid.pitchAt(n-1) {
			return nil, nil, false
		}
		cellAt := func(k int) ocrb.Cell {
			x, y := l.point(grid.at(k), l.v)
			c := ocrb.Cell{CX: x/r.scale + float64(r.origin.X), CY: y/r.scale + float64(r.origin.Y), Pitch: grid.pitchAt(k) / r.scale, CapHeight: h / r.scale, Angle: l.angle}
			if flip {
				c.Angle += math.Pi
			}
			return c
		}
		row := make([]ocrb.Cell, n)
		for k := range n {
			row[k] = cellAt(k)
		}
		// Only a 36-wide zone could be a 44-wide one cut short (by glare
		// or the picture's edge); look past its end.
		if n == 36 {
			after[i] = []ocrb.Cell{cellAt(n), cellAt(n + 1)}
			if flip {
				after[i] = []ocrb.Cell{cellAt(-1), cellAt(-2)}
			}
		}
		if flip {
			slices.Reverse(row)
		}
		cells[i] = row
	}
	if flip {
		slices.Reverse(cells)
	}
	return cells, after, true
}

// probe classifies every fourth cell and returns the mean best score.
func (r *reader) probe(cells [][]ocrb.Cell) float64 {
	var sum float64
	n := 0
	for _, row := range cells {
		for k := 1; k < len(row); k += 4 {
			sum += float64(r.classify(row[k])[0].Score)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// placed is one classified character cell.
type placed struct {
	cell  ocrb.Cell
	cands []ocrb.Candidate
}

// readAs classifies every cell of hypothesis hy, then corrects and parses
// the lines.
func (r *reader) readAs(g group, hy hypothesis) *Reading {
	cells := make([][]placed, len(hy.cells))
	for i, row := range hy.cells {
		cells[i] = make([]placed, len(row))
		for k, c := range row {
			cells[i][k] = placed{cell: c, cands: r.classifyCareful(c)}
		}
	}
	lines, conf, corrected := correct(cells)
	res, err := mrz.Parse(lines, r.now)
	if err != nil {
		return nil
	}
	rd := &Reading{Lines: lines, Format: res.Format, Confidence: conf, Corrected: corrected, Result: res}
	gateConfidence(rd)
	if problems := r.checkContrast(hy.cells, hy.after); len(problems) > 0 {
		rd.Result.Valid = false
		rd.Result.Problems = append(rd.Result.Problems, problems...)
	}
	rd.Angle = g[0].angle * 180 / math.Pi
	if hy.flip {
		rd.Angle += 180
	}
	rd.Quad, rd.Band = r.bounds(g)
	return rd
}

// classify ranks the glyphs of cell c, trying small shifts along the line
// and keeping the most confident.
func (r *reader) classify(c ocrb.Cell) []ocrb.Candidate {
	cands, _ := r.align(c)
	return cands
}

// align classifies c at small shifts along the line and returns the
// ranking and cell of the most confident shift.
func (r *reader) align(c ocrb.Cell) ([]ocrb.Candidate, ocrb.Cell) {
	if !r.inside(c) {
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

// inside reports whether the whole of cell c lies in the image.
func (r *reader) inside(c ocrb.Cell) bool {
	b := r.g.Bounds()
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
