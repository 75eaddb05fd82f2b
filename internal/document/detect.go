package document

import (
	"cmp"
	"image"
	"math"
	"slices"

	"github.com/openidv/openidv/internal/imaging"
)

// detectSide is the longest side detection runs on.
const detectSide = 512

// Detection is where a document lies in a photo.
type Detection struct {
	// Quad is the document's outline in photo pixels (TL, TR, BR, BL with
	// the long side on top). When Found is false it is the whole image.
	Quad  Quad `json:"quad"`
	Found bool `json:"found"`
	// Coverage is the quad's share of the photo; Fill the share of the
	// quad covered by the outlined region (near 1 for a document).
	Coverage float64 `json:"coverage"`
	Fill     float64 `json:"fill"`
	// Content is the share of edge pixels inside the document (near 0
	// for a blank page).
	Content float64 `json:"content"`
	// Others counts further document-like outlines at least half as large
	// as this one (more than one document in the photo).
	Others int `json:"others"`
}

// edgeMap returns g downscaled to detectSide (and the scale) with a mask of
// its strong gradient pixels, dilated by one pixel.
func edgeMap(g *image.Gray) (small *image.Gray, edges []bool, scale float64) {
	b := g.Rect
	w, h, scale := imaging.FitSize(b.Dx(), b.Dy(), detectSide)
	small = g
	if scale != 1 {
		small = imaging.ResizeGray(g, w, h)
	}
	mag := make([]float64, w*h)
	var hist [256]int
	s := small.Stride
	for y := 1; y < h-1; y++ {
		up, row, down := small.Pix[(y-1)*s:], small.Pix[y*s:], small.Pix[(y+1)*s:]
		for x := 1; x < w-1; x++ {
			gx := int(up[x+1]) + 2*int(row[x+1]) + int(down[x+1]) - int(up[x-1]) - 2*int(row[x-1]) - int(down[x-1])
			gy := int(down[x-1]) + 2*int(down[x]) + int(down[x+1]) - int(up[x-1]) - 2*int(up[x]) - int(up[x+1])
			m := math.Sqrt(float64(gx*gx+gy*gy)) / 4
			mag[y*w+x] = m
			hist[min(int(m), 255)]++
		}
	}
	// Threshold: well above the texture of the background, at least 12.
	thr := max(12, 2.5*percentile(hist[:], (w-2)*(h-2), 0.5))
	raw := make([]bool, w*h)
	for i, m := range mag {
		raw[i] = m >= thr
	}
	edges = make([]bool, w*h)
	for y := range h {
		for x := range w {
			if !raw[y*w+x] {
				continue
			}
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if xx, yy := x+dx, y+dy; xx >= 0 && yy >= 0 && xx < w && yy < h {
						edges[yy*w+xx] = true
					}
				}
			}
		}
	}
	return small, edges, scale
}

func percentile(hist []int, n int, p float64) float64 {
	want, acc := int(float64(n)*p), 0
	for v, c := range hist {
		acc += c
		if acc > want {
			return float64(v)
		}
	}
	return float64(len(hist) - 1)
}

// Detect finds the largest document-like quadrilateral in g. When none is
// found the Detection covers the whole image with Found false.
func Detect(g *image.Gray) Detection {
	b := g.Rect
	whole := Detection{Quad: RectQuad(float64(b.Dx()), float64(b.Dy())), Coverage: 1, Fill: 1}
	if b.Dx() < 16 || b.Dy() < 16 {
		return whole
	}
	small, edges, scale := edgeMap(g)
	w, h := small.Rect.Dx(), small.Rect.Dy()
	outside := floodOutside(edges, w, h)
	comps := components(outside, w, h)
	var cands []Detection
	for _, c := range comps {
		if float64(len(c)) < 0.04*float64(w*h) {
			continue
		}
		q, ok := maxQuad(hull(c, w))
		if !ok {
			continue
		}
		area := q.Area()
		// The dilated edge band lies about 1.5 px outside the true edge.
		d := Detection{Quad: inset(orient(q), 1.5), Found: true, Coverage: area / float64(w*h), Fill: float64(len(c)) / area}
		if d.Fill < 0.6 || d.Coverage < 0.05 || d.Coverage > 0.98 || !plausibleAspect(d.Quad) {
			continue
		}
		cands = append(cands, d)
	}
	if len(cands) == 0 {
		whole.Content = content(edges, w, h, RectQuad(float64(w), float64(h)))
		return whole
	}
	slices.SortFunc(cands, func(a, b Detection) int { return cmp.Compare(b.Coverage, a.Coverage) })
	best := cands[0]
	for _, c := range cands[1:] {
		if c.Coverage >= 0.5*best.Coverage && !best.Quad.Contains(c.Quad.Centre()) {
			best.Others++
		}
	}
	best.Content = content(edges, w, h, best.Quad)
	best.Quad = best.Quad.Scale(1 / scale)
	return best
}

// plausibleAspect accepts long/short side ratios from 1.2 to 1.9 (ID-1 is
// 1.59, TD2 and TD3 1.42, MRV-A 1.5), allowing for perspective.
func plausibleAspect(q Quad) bool {
	w, h := q.Sides()
	if h <= 0 {
		return false
	}
	r := w / h
	return r >= 1.2 && r <= 1.9
}

// content is the share of edge pixels inside q shrunk by 8 %.
func content(edges []bool, w, h int, q Quad) float64 {
	s := shrink(q, 0.08)
	in, on := 0, 0
	box := s.Bounds().Intersect(image.Rect(0, 0, w, h))
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			if !s.Contains(Point{float64(x) + 0.5, float64(y) + 0.5}) {
				continue
			}
			in++
			if edges[y*w+x] {
				on++
			}
		}
	}
	if in == 0 {
		return 0
	}
	return float64(on) / float64(in)
}

// floodOutside marks the non-edge pixels reachable from the image border.
func floodOutside(edges []bool, w, h int) []bool {
	out := make([]bool, w*h)
	var stack []int
	push := func(i int) {
		if !edges[i] && !out[i] {
			out[i] = true
			stack = append(stack, i)
		}
	}
	for x := range w {
		push(x)
		push((h-1)*w + x)
	}
	for y := range h {
		push(y * w)
		push(y*w + w - 1)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%w, i/w
		if x > 0 {
			push(i - 1)
		}
		if x < w-1 {
			push(i + 1)
		}
		if y > 0 {
			push(i - w)
		}
		if y < h-1 {
			push(i + w)
		}
	}
	return out
}

// components returns the 8-connected regions of pixels not marked in
// outside, as pixel index lists.
func components(outside []bool, w, h int) [][]int {
	seen := slices.Clone(outside)
	var comps [][]int
	for start := range seen {
		if seen[start] {
			continue
		}
		seen[start] = true
		comp := []int{start}
		for k := 0; k < len(comp); k++ {
			i := comp[k]
			x, y := i%w, i/w
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= w || yy >= h {
						continue
					}
					if j := yy*w + xx; !seen[j] {
						seen[j] = true
						comp = append(comp, j)
					}
				}
			}
		}
		comps = append(comps, comp)
	}
	return comps
}
