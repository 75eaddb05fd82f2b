package document

import (
	"cmp"
	"math"
	"slices"
)

// hull returns the convex hull (counter-clockwise in image coordinates) of
// the pixels idx of a w-wide image, using each row's extreme pixels.
func hull(idx []int, w int) []Point {
	if len(idx) == 0 {
		return nil
	}
	y0, y1 := idx[0]/w, idx[0]/w
	for _, i := range idx {
		y0, y1 = min(y0, i/w), max(y1, i/w)
	}
	lo := make([]int, y1-y0+1)
	hi := make([]int, y1-y0+1)
	for i := range lo {
		lo[i], hi[i] = w, -1
	}
	for _, i := range idx {
		x, r := i%w, i/w-y0
		lo[r], hi[r] = min(lo[r], x), max(hi[r], x)
	}
	pts := make([]Point, 0, 4*len(lo))
	for r := range lo {
		if hi[r] < 0 {
			continue
		}
		y := float64(r + y0)
		pts = append(pts, Point{float64(lo[r]), y}, Point{float64(hi[r]) + 1, y},
			Point{float64(lo[r]), y + 1}, Point{float64(hi[r]) + 1, y + 1})
	}
	return convexHull(pts)
}

func cross(o, a, b Point) float64 { return (a.X-o.X)*(b.Y-o.Y) - (a.Y-o.Y)*(b.X-o.X) }

// convexHull is Andrew's monotone chain.
func convexHull(pts []Point) []Point {
	slices.SortFunc(pts, func(a, b Point) int {
		return cmp.Or(cmp.Compare(a.X, b.X), cmp.Compare(a.Y, b.Y))
	})
	pts = slices.Compact(pts)
	if len(pts) < 3 {
		return pts
	}
	out := make([]Point, 0, 2*len(pts))
	for _, p := range pts {
		for len(out) >= 2 && cross(out[len(out)-2], out[len(out)-1], p) <= 0 {
			out = out[:len(out)-1]
		}
		out = append(out, p)
	}
	lower := len(out) + 1
	for i := len(pts) - 2; i >= 0; i-- {
		p := pts[i]
		for len(out) >= lower && cross(out[len(out)-2], out[len(out)-1], p) <= 0 {
			out = out[:len(out)-1]
		}
		out = append(out, p)
	}
	return out[:len(out)-1]
}

// simplify drops hull vertices until at most n remain, each time the one
// whose removal loses the least area.
func simplify(h []Point, n int) []Point {
	h = slices.Clone(h)
	for len(h) > n {
		best, bestLoss := 0, math.Inf(1)
		for i := range h {
			a, b, c := h[(i+len(h)-1)%len(h)], h[i], h[(i+1)%len(h)]
			if loss := math.Abs(cross(a, b, c)); loss < bestLoss {
				best, bestLoss = i, loss
			}
		}
		h = slices.Delete(h, best, best+1)
	}
	return h
}

// maxQuad returns the largest-area quadrilateral with corners on the hull.
func maxQuad(h []Point) (Quad, bool) {
	if len(h) < 4 {
		return Quad{}, false
	}
	h = simplify(h, 48)
	n := len(h)
	tri := func(a, b, c Point) float64 { return math.Abs(cross(a, b, c)) / 2 }
	var best Quad
	bestArea := 0.0
	for i := range n {
		for k := i + 2; k < n; k++ {
			// Best j strictly between i and k, best l after k (wrapping to i).
			aj := 0.0
			bj := -1
			for j := i + 1; j < k; j++ {
				if a := tri(h[i], h[j], h[k]); a > aj {
					aj, bj = a, j
				}
			}
			al := 0.0
			bl := -1
			for l := k + 1; l < n+i; l++ {
				if a := tri(h[k], h[l%n], h[i]); a > al {
					al, bl = a, l%n
				}
			}
			if bj < 0 || bl < 0 {
				continue
			}
			if aj+al > bestArea {
				bestArea = aj + al
				best = Quad{h[i], h[bj], h[k], h[bl]}
			}
		}
	}
	return best, bestArea > 0
}

// orient reorders a convex quad to TL, TR, BR, BL (clockwise on screen)
// with the longer side on top.
func orient(q Quad) Quad {
	// Make the order clockwise in image coordinates (y down).
	s := 0.0
	for i := range q {
		j := (i + 1) % 4
		s += q[i].X*q[j].Y - q[j].X*q[i].Y
	}
	if s < 0 {
		q[1], q[3] = q[3], q[1]
	}
	// Start at the corner nearest the top-left.
	start := 0
	for i := range q {
		if q[i].X+q[i].Y < q[start].X+q[start].Y {
			start = i
		}
	}
	var o Quad
	for i := range o {
		o[i] = q[(start+i)%4]
	}
	if w, h := o.Sides(); h > w {
		// Portrait in the photo: turn so the long side is on top, the
		// former bottom-left becoming the top-left.
		o = Quad{o[3], o[0], o[1], o[2]}
	}
	return o
}

// inset moves every side of the convex, clockwise quad q inwards by d
// pixels and returns the intersections of the moved sides.
func inset(q Quad, d float64) Quad {
	type line struct{ p, dir Point }
	var ls [4]line
	for i := range q {
		a, b := q[i], q[(i+1)%4]
		dx, dy := b.X-a.X, b.Y-a.Y
		n := math.Hypot(dx, dy)
		if n == 0 {
			return q
		}
		// Clockwise on screen (y down): the inside is to the right, (-dy, dx)/n.
		nx, ny := -dy/n, dx/n
		ls[i] = line{Point{a.X + nx*d, a.Y + ny*d}, Point{dx, dy}}
	}
	var out Quad
	for i := range q {
		l1, l2 := ls[(i+3)%4], ls[i]
		den := l1.dir.X*l2.dir.Y - l1.dir.Y*l2.dir.X
		if math.Abs(den) < 1e-9 {
			return q
		}
		t := ((l2.p.X-l1.p.X)*l2.dir.Y - (l2.p.Y-l1.p.Y)*l2.dir.X) / den
		out[i] = Point{l1.p.X + t*l1.dir.X, l1.p.Y + t*l1.dir.Y}
	}
	return out
}
