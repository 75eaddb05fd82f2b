package document

import (
	"image"
	"math"
)

// Point is a position in image pixels.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Quad is a quadrilateral: top-left, top-right, bottom-right, bottom-left
// corners of a document as seen in an image.
type Quad [4]Point

// RectQuad returns the quad of an axis-aligned w×h rectangle at the origin.
func RectQuad(w, h float64) Quad {
	return Quad{{0, 0}, {w, 0}, {w, h}, {0, h}}
}

// Area returns the quad's area (shoelace formula, absolute value).
func (q Quad) Area() float64 {
	s := 0.0
	for i := range q {
		j := (i + 1) % 4
		s += q[i].X*q[j].Y - q[j].X*q[i].Y
	}
	return math.Abs(s) / 2
}

// Bounds returns the smallest integer rectangle holding the quad.
func (q Quad) Bounds() image.Rectangle {
	minX, minY, maxX, maxY := q[0].X, q[0].Y, q[0].X, q[0].Y
	for _, p := range q[1:] {
		minX, minY = math.Min(minX, p.X), math.Min(minY, p.Y)
		maxX, maxY = math.Max(maxX, p.X), math.Max(maxY, p.Y)
	}
	return image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY)))
}

// Sides returns the mean lengths of the top/bottom and left/right sides.
func (q Quad) Sides() (width, height float64) {
	d := func(a, b Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }
	return (d(q[0], q[1]) + d(q[3], q[2])) / 2, (d(q[0], q[3]) + d(q[1], q[2])) / 2
}

// Centre returns the mean of the four corners.
func (q Quad) Centre() Point {
	return Point{(q[0].X + q[1].X + q[2].X + q[3].X) / 4, (q[0].Y + q[1].Y + q[2].Y + q[3].Y) / 4}
}

// Scale returns the quad with every coordinate multiplied by f.
func (q Quad) Scale(f float64) Quad {
	for i := range q {
		q[i].X *= f
		q[i].Y *= f
	}
	return q
}

// Contains reports whether p lies inside the (convex) quad.
func (q Quad) Contains(p Point) bool {
	sign := 0.0
	for i := range q {
		a, b := q[i], q[(i+1)%4]
		c := (b.X-a.X)*(p.Y-a.Y) - (b.Y-a.Y)*(p.X-a.X)
		if c == 0 {
			continue
		}
		if sign == 0 {
			sign = c
		} else if (c > 0) != (sign > 0) {
			return false
		}
	}
	return true
}

// Homography is a 3×3 projective transform in row-major order.
type Homography [9]float64

// Apply maps p through h.
func (h Homography) Apply(p Point) Point {
	w := h[6]*p.X + h[7]*p.Y + h[8]
	if w == 0 {
		return Point{math.Inf(1), math.Inf(1)}
	}
	return Point{(h[0]*p.X + h[1]*p.Y + h[2]) / w, (h[3]*p.X + h[4]*p.Y + h[5]) / w}
}

// ApplyQuad maps each corner of q through h.
func (h Homography) ApplyQuad(q Quad) Quad {
	for i := range q {
		q[i] = h.Apply(q[i])
	}
	return q
}

// HomographyFromQuads returns the transform mapping each corner of src onto
// the same corner of dst, and false when the corners are degenerate.
func HomographyFromQuads(src, dst Quad) (Homography, bool) {
	// Solve the 8×8 system A·h = b for h[0..7] with h[8] = 1.
	var a [8][9]float64
	for i := range 4 {
		x, y, u, v := src[i].X, src[i].Y, dst[i].X, dst[i].Y
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for col := range 8 {
		piv := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[piv][col]) {
				piv = r
			}
		}
		if math.Abs(a[piv][col]) < 1e-10 {
			return Homography{}, false
		}
		a[col], a[piv] = a[piv], a[col]
		for r := range 8 {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for c := col; c < 9; c++ {
				a[r][c] -= f * a[col][c]
			}
		}
	}
	var h Homography
	for i := range 8 {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	for _, v := range h {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Homography{}, false
		}
	}
	return h, true
}

// WarpGray returns a w×h image whose pixel (x, y) is src sampled
// bilinearly at toSrc(x+0.5, y+0.5); samples outside src are fill.
func WarpGray(src *image.Gray, toSrc Homography, w, h int, fill uint8) *image.Gray {
	dst := image.NewGray(image.Rect(0, 0, w, h))
	b := src.Rect
	sw, sh := b.Dx(), b.Dy()
	pix := src.Pix[src.PixOffset(b.Min.X, b.Min.Y):]
	stride := src.Stride
	maxX, maxY := float64(sw)-0.5, float64(sh)-0.5
	m := toSrc
	for y := range h {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+w]
		fy := float64(y) + 0.5
		// The projective numerators and denominator are linear in x:
		// step them along the row.
		nx, ny, d := m[1]*fy+m[2]+m[0]*0.5, m[4]*fy+m[5]+m[3]*0.5, m[7]*fy+m[8]+m[6]*0.5
		for x := range row {
			if d == 0 {
				row[x] = fill
			} else {
				sx, sy := nx/d-0.5, ny/d-0.5
				if sx >= -0.5 && sy >= -0.5 && sx <= maxX && sy <= maxY {
					row[x] = bilinear(pix, stride, sw, sh, sx, sy)
				} else {
					row[x] = fill
				}
			}
			nx += m[0]
			ny += m[3]
			d += m[6]
		}
	}
	return dst
}

// bilinear samples an 8-bit plane at (fx, fy), clamping at the edges.
func bilinear(pix []uint8, stride, w, h int, fx, fy float64) uint8 {
	x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
	tx, ty := fx-float64(x0), fy-float64(y0)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	x0, y0 = max(x0, 0), max(y0, 0)
	r0, r1 := pix[y0*stride:], pix[y1*stride:]
	p00, p01, p10, p11 := float64(r0[x0]), float64(r0[x1]), float64(r1[x0]), float64(r1[x1])
	top := p00 + (p01-p00)*tx
	bot := p10 + (p11-p10)*tx
	return uint8(top + (bot-top)*ty + 0.5)
}

// WarpRGBA is WarpGray for colour images (fill is transparent black).
func WarpRGBA(src *image.RGBA, toSrc Homography, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	b := src.Rect
	sw, sh := b.Dx(), b.Dy()
	pix := src.Pix[src.PixOffset(b.Min.X, b.Min.Y):]
	for y := range h {
		for x := range w {
			p := toSrc.Apply(Point{float64(x) + 0.5, float64(y) + 0.5})
			fx, fy := p.X-0.5, p.Y-0.5
			if !(fx >= -0.5 && fy >= -0.5 && fx <= float64(sw)-0.5 && fy <= float64(sh)-0.5) {
				continue
			}
			x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
			tx, ty := fx-float64(x0), fy-float64(y0)
			x1, y1 := min(x0+1, sw-1), min(y0+1, sh-1)
			x0, y0 = max(x0, 0), max(y0, 0)
			o := dst.PixOffset(x, y)
			for c := range 4 {
				p00 := float64(pix[y0*src.Stride+4*x0+c])
				p01 := float64(pix[y0*src.Stride+4*x1+c])
				p10 := float64(pix[y1*src.Stride+4*x0+c])
				p11 := float64(pix[y1*src.Stride+4*x1+c])
				dst.Pix[o+c] = uint8((p00*(1-tx)+p01*tx)*(1-ty) + (p10*(1-tx)+p11*tx)*ty + 0.5)
			}
		}
	}
	return dst
}
