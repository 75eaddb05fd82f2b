package mrzocr

import (
	"image"
	"math"
	"sort"
)

// view is the working image, or a turned copy of it, that zones are
// searched in: lines are linked only within about 20° of the horizontal,
// so a zone at another angle is searched in a copy turned to bring it
// near the horizontal.
type view struct {
	img *image.Gray
	// back maps a point of img to the working image; a line's direction
	// in the working image is its direction in img plus turn (radians).
	back func(x, y float64) (float64, float64)
	turn float64
}

func identityView(work *image.Gray) view {
	return view{img: work, back: func(x, y float64) (float64, float64) { return x, y }}
}

// quarterView turns work a quarter turn clockwise: a point (x', y') of
// the turned image is (y', h-x') of work.
func quarterView(work *image.Gray) view {
	h := float64(work.Rect.Dy())
	return view{img: rotate90(work), back: func(x, y float64) (float64, float64) { return y, h - x }, turn: -math.Pi / 2}
}

// turnedView turns work by -angle (radians, clockwise positive), so that
// text running at angle becomes horizontal, in a picture large enough to
// hold all of work; the corners are filled with work's mean grey.
func turnedView(work *image.Gray, angle float64) view {
	w, h := float64(work.Rect.Dx()), float64(work.Rect.Dy())
	c, s := math.Cos(angle), math.Sin(angle)
	ow := int(math.Ceil(math.Abs(w*c) + math.Abs(h*s)))
	oh := int(math.Ceil(math.Abs(w*s) + math.Abs(h*c)))
	out := image.NewGray(image.Rect(0, 0, ow, oh))
	fill := meanGrey(work)
	cx, cy, ocx, ocy := w/2, h/2, float64(ow)/2, float64(oh)/2
	back := func(x, y float64) (float64, float64) {
		dx, dy := x-ocx, y-ocy
		return cx + dx*c - dy*s, cy + dx*s + dy*c
	}
	for y := range oh {
		row := out.Pix[y*out.Stride : y*out.Stride+ow]
		for x := range row {
			sx, sy := back(float64(x)+0.5, float64(y)+0.5)
			if sx < 0 || sy < 0 || sx >= w || sy >= h {
				row[x] = fill
				continue
			}
			row[x] = uint8(sampleGray(work, sx, sy))
		}
	}
	return view{img: out, back: back, turn: angle}
}

func meanGrey(g *image.Gray) uint8 {
	var sum, n int
	for y := range g.Rect.Dy() {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+g.Rect.Dx()] {
			sum += int(v)
		}
		n += g.Rect.Dx()
	}
	return uint8(sum / max(n, 1))
}

// toWork maps lines found in v back to the working image: each line's
// direction turns by v.turn and its frame coordinates are recomputed from
// its mapped centre (the map is a rotation, so the frame moves rigidly).
func (v view) toWork(g group) group {
	if v.turn == 0 {
		return g
	}
	out := make(group, len(g))
	for i, l := range g {
		x, y := v.back(l.point((l.u0+l.u1)/2, l.v))
		nl := l
		nl.angle = l.angle + v.turn
		cu, cv := frame(nl.angle, x, y)
		du := cu - (l.u0+l.u1)/2
		nl.u0, nl.u1, nl.v = l.u0+du, l.u1+du, cv
		nl.glyphs = make([]glyphSpan, len(l.glyphs))
		for k, s := range l.glyphs {
			nl.glyphs[k] = glyphSpan{s.u0 + du, s.u1 + du, s.v - l.v + cv}
		}
		out[i] = nl
	}
	return out
}

// textAngle estimates the direction of the text in sc (radians, in
// (-π/2, π/2]) from the direction of each glyph-sized component to its
// nearest neighbour of similar size: within a line of text that is the
// next glyph. ok is false when there are too few glyphs to tell.
func (sc *scene) textAngle() (angle float64, ok bool) {
	type pt struct{ x, y, h float64 }
	var pts []pt
	for i := range sc.comps {
		c := &sc.comps[i]
		h := float64(max(c.w(), c.h())) // a turned glyph's box is wider
		if h < 5 || h > float64(sc.h)/6 || c.area < 8 || float64(c.area) < 0.08*float64(c.w()*c.h()) {
			continue
		}
		pts = append(pts, pt{c.cx(), c.sumY / float64(c.area), h})
	}
	if len(pts) < 20 {
		return 0, false
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
	const bins = 90 // 2° each over 180°
	var hist [bins]float64
	for i, p := range pts {
		best, bd := -1, math.Inf(1)
		// neighbours within 2 glyph sizes, found by scanning the x order
		lo := sort.Search(len(pts), func(k int) bool { return pts[k].x >= p.x-2*p.h })
		for j := lo; j < len(pts) && pts[j].x <= p.x+2*p.h; j++ {
			q := pts[j]
			if j == i || q.h < 0.6*p.h || q.h > 1.6*p.h {
				continue
			}
			if d := math.Hypot(q.x-p.x, q.y-p.y); d < bd && d < 2*p.h {
				best, bd = j, d
			}
		}
		if best < 0 {
			continue
		}
		a := math.Atan2(pts[best].y-p.y, pts[best].x-p.x)
		k := int(math.Floor((a + math.Pi/2) / math.Pi * bins))
		hist[((k%bins)+bins)%bins]++
	}
	bestK, bestW := 0, 0.0
	for k := range bins {
		w := hist[(k+bins-1)%bins] + 2*hist[k] + hist[(k+1)%bins]
		if w > bestW {
			bestK, bestW = k, w
		}
	}
	if bestW < 20 {
		return 0, false
	}
	a := (float64(bestK)+0.5)/bins*math.Pi - math.Pi/2
	return a, true
}

// offAxis reports whether angle (radians, mod π) is further than the
// views upright and turned a quarter turn reach (about 20°) from both.
func offAxis(angle float64) bool {
	d := math.Abs(math.Remainder(angle, math.Pi/2))
	return d > 18*math.Pi/180
}
