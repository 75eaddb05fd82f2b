package mrzocr

import "math"

// minBow is the least bow (the largest distance, in glyph heights, between
// a line's fitted curve and its straight centre line) that is followed: a
// page that curls or a wide-angle lens bends the lines of a zone, and
// cells placed on the straight line would then slip off the glyphs at
// its ends. Straighter lines keep the straight centre line.
const minBow = 0.08

// maxBow bounds the bow that is believed; more is taken for a fitting
// accident (glyphs of mixed heights at one end).
const maxBow = 0.6

// fitBow fits the glyphs' centres across the line as a quadratic in the
// position along it, and keeps it when the line bows by at least minBow
// glyph heights. The coefficients are of t = (u - mid) / half-length.
func (l *textLine) fitBow() {
	l.bow = [3]float64{}
	if len(l.glyphs) < 8 || l.h <= 0 {
		return
	}
	mid, half := (l.u0+l.u1)/2, (l.u1-l.u0)/2
	if half <= 0 {
		return
	}
	keep := make([]bool, len(l.glyphs))
	for i := range keep {
		keep[i] = true
	}
	var coef [3]float64
	for pass := range 2 {
		var m quadSums
		cnt := 0
		for i, s := range l.glyphs {
			if !keep[i] {
				continue
			}
			m.add(((s.u0+s.u1)/2-mid)/half, s.v-l.v)
			cnt++
		}
		sol, ok := m.quad()
		if !ok || cnt < 8 {
			return
		}
		coef = sol
		if pass == 0 {
			for i, s := range l.glyphs {
				t := ((s.u0+s.u1)/2 - mid) / half
				keep[i] = math.Abs(s.v-l.v-(coef[0]+coef[1]*t+coef[2]*t*t)) < 0.25*l.h
			}
		}
	}
	// The bow is the quadratic's largest distance from its chord.
	if bow := math.Abs(coef[2]); bow >= minBow*l.h && bow <= maxBow*l.h {
		l.bow = coef
	}
}

// centreAt returns, at position u along the line, the centre across it.
// The cells keep the line's direction: a bowed line's local turn is a
// few degrees at most, and turning a cell with it would also lean the
// glyph's strokes when the page bends (a leaning I reads as a Z).
func (l *textLine) centreAt(u float64) float64 {
	half := (l.u1 - l.u0) / 2
	if l.bow == [3]float64{} || half <= 0 {
		return l.v
	}
	t := (u - (l.u0+l.u1)/2) / half
	b := l.bow
	return l.v + b[0] + b[1]*t + b[2]*t*t
}
