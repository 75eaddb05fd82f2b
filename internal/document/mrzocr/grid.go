package mrzocr

import (
	"math"
	"sort"
)

// gridFit places n fixed-pitch cells on line l: centre of cell k at
// a + b·k along the line. It starts from the ink extent and refits on the
// centres of single-glyph components. ok is false when the pitch does not
// suit the glyph height.
func gridFit(l textLine, n int, u0, u1, h float64) (a, b float64, ok bool) {
	b = (u1 - u0) / (float64(n) - 0.45)
	a = u0 + (u1-u0-float64(n-1)*b)/2
	for range 3 {
		var m quadSums
		cnt := 0
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
			m.add(k, c)
			cnt++
		}
		if cnt < 4 || len(ks) < 2 {
			break
		}
		na, nb, ok := m.line()
		if !ok || nb < 0.8*b || nb > 1.25*b {
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
	var m quadSums
	cnt := 0
	kmin, kmax := math.Inf(1), math.Inf(-1)
	for _, q := range singles {
		if q.k < 0 || q.k >= float64(n) {
			continue
		}
		kmin, kmax = min(kmin, q.k), max(kmax, q.k)
		m.add(q.k, q.c)
		cnt++
	}
	lin := cellGrid{a: a, b: b}
	if la, lb, ok := m.line(); cnt >= 4 && ok && lb > 0.75*b && lb < 1.3*b {
		lin = cellGrid{a: la, b: lb}
	}
	if cnt < 12 || kmax-kmin < 0.8*float64(n-1) {
		return lin // too few glyphs, or none near one end: do not extrapolate a curve
	}
	sol, ok := m.quad()
	if !ok || math.Abs(sol[2])*float64(n-1) > 0.25*lin.b || sol[1] <= 0 {
		return lin
	}
	return cellGrid{a: sol[0], b: sol[1], c: sol[2]}
}

// quadSums accumulates the normal equations of the least-squares fit
// y ≈ c0 + c1·t + c2·t²; its first two rows and columns are those of the
// straight-line fit y ≈ c0 + c1·t.
type quadSums [3][4]float64

func (m *quadSums) add(t, y float64) {
	row := [3]float64{1, t, t * t}
	for i := range 3 {
		for j := range 3 {
			m[i][j] += row[i] * row[j]
		}
		m[i][3] += row[i] * y
	}
}

// line returns the straight-line fit y ≈ a + b·t; ok is false when fewer
// than two distinct t were added.
func (m *quadSums) line() (a, b float64, ok bool) {
	den := m[0][0]*m[1][1] - m[0][1]*m[0][1]
	if den <= 0 {
		return 0, 0, false
	}
	b = (m[0][0]*m[1][3] - m[0][1]*m[0][3]) / den
	return (m[0][3] - b*m[0][1]) / m[0][0], b, true
}

// quad returns the quadratic fit's coefficients c0, c1, c2.
func (m *quadSums) quad() ([3]float64, bool) { return solve3(*m) }

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
