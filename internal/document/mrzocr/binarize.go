package mrzocr

import "image"

// darkMask marks pixels darker than their neighbourhood mean (a box of
// side 2r+1) by at least max(minDiff, pct% of the mean): dark print on
// lighter paper, whatever the lighting. Integer arithmetic throughout.
func darkMask(g *image.Gray, r int, pct, minDiff int64) []bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	integral := make([]int64, (w+1)*(h+1))
	for y := range h {
		var row int64
		src := g.Pix[y*g.Stride : y*g.Stride+w]
		above := integral[y*(w+1) : (y+1)*(w+1)]
		cur := integral[(y+1)*(w+1) : (y+2)*(w+1)]
		for x, v := range src {
			row += int64(v)
			cur[x+1] = above[x+1] + row
		}
	}
	mask := make([]bool, w*h)
	for y := range h {
		y0, y1 := max(y-r, 0), min(y+r+1, h)
		top, bot := integral[y0*(w+1):(y0+1)*(w+1)], integral[y1*(w+1):(y1+1)*(w+1)]
		src := g.Pix[y*g.Stride : y*g.Stride+w]
		out := mask[y*w : (y+1)*w]
		for x, v := range src {
			x0, x1 := max(x-r, 0), min(x+r+1, w)
			n := int64((x1 - x0) * (y1 - y0))
			sum := bot[x1] - top[x1] - bot[x0] + top[x0]
			// v < mean - max(minDiff, pct% of mean), scaled by n·100
			diff := max(minDiff*n*100, pct*sum)
			out[x] = int64(v)*n*100 < sum*100-diff
		}
	}
	return mask
}

// component is one 8-connected run of dark pixels.
type component struct {
	minX, minY, maxX, maxY int // inclusive
	area                   int
	sumX, sumY             float64
}

func (c *component) w() int       { return c.maxX - c.minX + 1 }
func (c *component) h() int       { return c.maxY - c.minY + 1 }
func (c *component) cx() float64  { return c.sumX / float64(c.area) }
func (c *component) bcy() float64 { return float64(c.minY+c.maxY+1) / 2 }

// components labels the mask with union-find and returns the components
// and the label image (label -1 for background).
func components(mask []bool, w, h int) ([]component, []int32) {
	labels := make([]int32, w*h)
	parent := make([]int32, 0, 1024)
	find := func(a int32) int32 {
		for parent[a] != a {
			parent[a] = parent[parent[a]]
			a = parent[a]
		}
		return a
	}
	union := func(a, b int32) {
		a, b = find(a), find(b)
		if a < b {
			parent[b] = a
		} else if b < a {
			parent[a] = b
		}
	}
	for y := range h {
		for x := range w {
			i := y*w + x
			if !mask[i] {
				labels[i] = -1
				continue
			}
			l := int32(-1)
			for _, d := range [4][2]int{{-1, 0}, {-1, -1}, {0, -1}, {1, -1}} {
				nx, ny := x+d[0], y+d[1]
				if nx < 0 || ny < 0 || nx >= w {
					continue
				}
				if nl := labels[ny*w+nx]; nl >= 0 {
					if l < 0 {
						l = nl
					} else if nl != l {
						union(l, nl)
					}
				}
			}
			if l < 0 {
				l = int32(len(parent))
				parent = append(parent, l)
			}
			labels[i] = l
		}
	}
	index := make([]int32, len(parent))
	for i := range index {
		index[i] = -1
	}
	var comps []component
	for y := range h {
		for x := range w {
			i := y*w + x
			if labels[i] < 0 {
				continue
			}
			r := find(labels[i])
			if index[r] < 0 {
				index[r] = int32(len(comps))
				comps = append(comps, component{minX: x, minY: y, maxX: x, maxY: y})
			}
			k := index[r]
			labels[i] = k
			c := &comps[k]
			c.minX, c.maxX = min(c.minX, x), max(c.maxX, x)
			c.minY, c.maxY = min(c.minY, y), max(c.maxY, y)
			c.area++
			c.sumX += float64(x) + 0.5
			c.sumY += float64(y) + 0.5
		}
	}
	return comps, labels
}
