package mrzocr

import (
	"math"
	"sort"
)

// textLine is a chain of glyph-sized components along a straight line, in
// the working image. u runs along the line, v across it (rotated frame).
type textLine struct {
	comps  []int
	angle  float64    // radians
	u0, u1 float64    // ink extent along the line
	v      float64    // centre across the line
	h      float64    // median glyph height
	bow    [3]float64 // a bowed line's centre: see fitBow
	glyphs []glyphSpan
}

// glyphSpan is one component's extent along the line and the middle of
// its extent across it.
type glyphSpan struct{ u0, u1, v float64 }

func (l *textLine) length() float64 { return l.u1 - l.u0 }

// point maps (u, v) of the line's frame to working-image coordinates.
func (l *textLine) point(u, v float64) (x, y float64) {
	c, s := math.Cos(l.angle), math.Sin(l.angle)
	return u*c - v*s, u*s + v*c
}

func frame(angle, x, y float64) (u, v float64) {
	c, s := math.Cos(angle), math.Sin(angle)
	return x*c + y*s, -x*s + y*c
}

type edge struct {
	a, b int
	cost float64
}

// chains links components left to right into text lines: each glyph to
// the nearest following glyph of similar height on the same line.
func chains(comps []component, maxH int) [][]int {
	var cand []int
	for i := range comps {
		c := &comps[i]
		h, w := c.h(), c.w()
		if h < 4 || h > maxH || c.area < 6 || w > 40*h || float64(c.area) < 0.08*float64(w*h) {
			continue
		}
		cand = append(cand, i)
	}
	sort.Slice(cand, func(i, j int) bool { return comps[cand[i]].minX < comps[cand[j]].minX })
	var edges []edge
	for ai, a := range cand {
		ca := &comps[a]
		ha := float64(ca.h())
		for _, b := range cand[ai+1:] {
			cb := &comps[b]
			if float64(cb.minX) > float64(ca.maxX)+1.5*ha {
				break
			}
			gap := float64(cb.minX - ca.maxX)
			if gap < -0.35*ha || cb.minX <= ca.minX {
				continue
			}
			hb := float64(cb.h())
			if hb < 0.6*ha || hb > 1.65*ha {
				continue
			}
			dx := cb.cx() - ca.cx()
			dy := math.Abs(cb.bcy() - ca.bcy())
			if dy > 0.3*ha+0.22*math.Abs(dx) {
				continue
			}
			edges = append(edges, edge{a, b, max(gap, 0) + 2*dy})
		}
	}
	sort.Slice(edges, func(i, j int) bool { return edges[i].cost < edges[j].cost })
	next, prev := map[int]int{}, map[int]int{}
	for _, e := range edges {
		if _, ok := next[e.a]; ok {
			continue
		}
		if _, ok := prev[e.b]; ok {
			continue
		}
		next[e.a], prev[e.b] = e.b, e.a
	}
	var out [][]int
	for _, a := range cand {
		if _, ok := prev[a]; ok {
			continue
		}
		if _, ok := next[a]; !ok {
			continue
		}
		chain := []int{a}
		for b, ok := next[a]; ok; b, ok = next[b] {
			chain = append(chain, b)
		}
		if len(chain) >= 5 {
			out = append(out, chain)
		}
	}
	return out
}

// fitLine measures a chain: its angle (weighted least squares through the
// box centres) and, from the pixels, its extent and glyph height.
func fitLine(comps []component, labels []int32, w int, chain []int) textLine {
	var sw, sx, sy, sxx, sxy float64
	for _, k := range chain {
		c := &comps[k]
		wt := float64(c.area)
		x, y := c.cx(), c.bcy()
		sw += wt
		sx += wt * x
		sy += wt * y
		sxx += wt * x * x
		sxy += wt * x * y
	}
	den := sw*sxx - sx*sx
	slope := 0.0
	if den > 1e-9 {
		slope = (sw*sxy - sx*sy) / den
	}
	l := textLine{comps: chain, angle: math.Atan(slope)}
	l.measure(comps, labels, w)
	return l
}

func (l *textLine) measure(comps []component, labels []int32, w int) {
	l.u0, l.u1 = math.Inf(1), math.Inf(-1)
	var hs, vs []float64
	l.glyphs = l.glyphs[:0]
	for _, k := range l.comps {
		c := &comps[k]
		umin, umax, vmin, vmax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for y := c.minY; y <= c.maxY; y++ {
			for x := c.minX; x <= c.maxX; x++ {
				if labels[y*w+x] != int32(k) {
					continue
				}
				u, v := frame(l.angle, float64(x)+0.5, float64(y)+0.5)
				umin, umax = min(umin, u), max(umax, u)
				vmin, vmax = min(vmin, v), max(vmax, v)
			}
		}
		l.u0, l.u1 = min(l.u0, umin-0.5), max(l.u1, umax+0.5)
		hs = append(hs, vmax-vmin+1)
		vs = append(vs, (vmin+vmax)/2)
		l.glyphs = append(l.glyphs, glyphSpan{umin - 0.5, umax + 0.5, (vmin + vmax) / 2})
	}
	l.h = median(hs)
	l.v = median(vs)
	l.fitBow()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// mergeLines joins chains that continue each other on the same line (a
// line broken by a gap in the print or the threshold).
func mergeLines(lines []textLine, comps []component, labels []int32, w int) []textLine {
	sort.Slice(lines, func(i, j int) bool { return lines[i].u0 < lines[j].u0 })
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(lines) && !merged; i++ {
			for j := 0; j < len(lines) && !merged; j++ {
				a, b := &lines[i], &lines[j]
				if i == j || b.u0 < a.u1-a.h || b.u0-a.u1 > 6*a.h || b.h < 0.7*a.h || b.h > 1.4*a.h {
					continue
				}
				bx, by := b.point(b.u0, b.v)
				_, bv := frame(a.angle, bx, by)
				if math.Abs(bv-a.v) > 0.4*a.h || math.Abs(a.angle-b.angle) > 0.06 {
					continue
				}
				chain := append(append([]int(nil), a.comps...), b.comps...)
				lines[i] = fitLine(comps, labels, w, chain)
				lines = append(lines[:j], lines[j+1:]...)
				merged = true
			}
		}
	}
	return lines
}

// group is two or three MRZ-like lines, top to bottom.
type group []textLine

// groups finds stacks of 2 or 3 long, parallel, equally long, evenly
// spaced lines of glyphs of one height, best (longest) first.
func groups(lines []textLine) []group {
	var long []textLine
	for _, l := range lines {
		if l.h > 0 && l.length() >= 20*l.h && len(l.comps) >= 8 {
			long = append(long, l)
		}
	}
	sort.Slice(long, func(i, j int) bool {
		_, yi := long[i].point((long[i].u0+long[i].u1)/2, long[i].v)
		_, yj := long[j].point((long[j].u0+long[j].u1)/2, long[j].v)
		return yi < yj
	})
	var out []group
	for i := range long {
		g := group{long[i]}
		for j := i + 1; j < len(long) && len(g) < 3; j++ {
			if follows(g[len(g)-1], long[j]) {
				g = append(g, long[j])
			}
		}
		for n := 2; n <= len(g); n++ {
			out = append(out, append(group(nil), g[:n]...))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score() > out[j].score() })
	return out
}

// follows reports whether b is the MRZ line below a.
func follows(a, b textLine) bool {
	if b.h < 0.75*a.h || b.h > 1.33*a.h || math.Abs(a.angle-b.angle) > 0.05 {
		return false
	}
	h := (a.h + b.h) / 2
	bx, by := b.point((b.u0+b.u1)/2, b.v)
	bu, bv := frame(a.angle, bx, by)
	dv := bv - a.v
	if dv < 1.1*h || dv > 3.2*h {
		return false
	}
	// Lines of a zone span the same columns; allow for a stray mark or a
	// lost glyph at one end by asking only for a large overlap.
	half := b.length() / 2
	overlap := min(bu+half, a.u1) - max(bu-half, a.u0)
	return overlap > 0.75*max(a.length(), b.length())
}

func (g group) score() float64 {
	s := 0.0
	for _, l := range g {
		s += l.length() / l.h
	}
	return s
}
