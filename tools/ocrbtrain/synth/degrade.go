// Package synth degrades rendered images the way cameras and scanners do
// (blur, noise, JPEG, rotation, scale, lighting) and produces augmented
// OCR-B training samples. It is for the training program and for tests:
// it uses math/rand and so stays out of the pure packages.
package synth

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// Clone copies g.
func Clone(g *image.Gray) *image.Gray {
	c := image.NewGray(g.Bounds())
	copy(c.Pix, g.Pix)
	return c
}

// Blur applies a Gaussian blur of standard deviation sigma (pixels).
func Blur(g *image.Gray, sigma float64) *image.Gray {
	if sigma < 0.2 {
		return Clone(g)
	}
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	tmp := make([]float64, w*h)
	for y := range h {
		for x := range w {
			var s float64
			for i, kv := range k {
				xx := min(max(x+i-r, 0), w-1)
				s += kv * float64(g.Pix[y*g.Stride+xx])
			}
			tmp[y*w+x] = s
		}
	}
	out := image.NewGray(b)
	for y := range h {
		for x := range w {
			var s float64
			for i, kv := range k {
				yy := min(max(y+i-r, 0), h-1)
				s += kv * tmp[yy*w+x]
			}
			out.Pix[y*out.Stride+x] = clamp(s)
		}
	}
	return out
}

func clamp(v float64) uint8 {
	return uint8(min(max(math.Round(v), 0), 255))
}

// Noise adds Gaussian noise of standard deviation sigma (grey levels).
func Noise(g *image.Gray, sigma float64, rng *rand.Rand) *image.Gray {
	out := Clone(g)
	for i, v := range out.Pix {
		out.Pix[i] = clamp(float64(v) + rng.NormFloat64()*sigma)
	}
	return out
}

// Levels maps white to white and black to black, linearly (low light,
// faded print, grey paper).
func Levels(g *image.Gray, black, white float64) *image.Gray {
	out := Clone(g)
	for i, v := range out.Pix {
		out.Pix[i] = clamp(black + (white-black)*float64(v)/255)
	}
	return out
}

// Gradient multiplies brightness by a ramp from 1 to factor across the
// image (uneven light).
func Gradient(g *image.Gray, factor float64, vertical bool) *image.Gray {
	out := Clone(g)
	b := g.Bounds()
	for y := range b.Dy() {
		for x := range b.Dx() {
			t := float64(x) / float64(max(b.Dx()-1, 1))
			if vertical {
				t = float64(y) / float64(max(b.Dy()-1, 1))
			}
			i := y*out.Stride + x
			out.Pix[i] = clamp(float64(out.Pix[i]) * (1 + (factor-1)*t))
		}
	}
	return out
}

// Contrast pushes values away from (or towards) the threshold t with gain
// k: after a blur this thickens (t > 128) or thins (t < 128) strokes.
func Contrast(g *image.Gray, t, k float64) *image.Gray {
	out := Clone(g)
	for i, v := range out.Pix {
		out.Pix[i] = clamp((float64(v)-t)*k + 128)
	}
	return out
}

// JPEG round-trips g through JPEG at quality q.
func JPEG(g *image.Gray, q int) *image.Gray {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: q}); err != nil {
		return Clone(g)
	}
	img, err := jpeg.Decode(&buf)
	if err != nil {
		return Clone(g)
	}
	if gg, ok := img.(*image.Gray); ok {
		return gg
	}
	return Clone(g)
}

// Scale resizes g by factor with area averaging (down) or bilinear (up).
func Scale(g *image.Gray, factor float64) *image.Gray {
	b := g.Bounds()
	w, h := max(int(math.Round(float64(b.Dx())*factor)), 1), max(int(math.Round(float64(b.Dy())*factor)), 1)
	out := image.NewGray(image.Rect(0, 0, w, h))
	inv := 1 / factor
	ss := max(int(math.Ceil(inv)), 1)
	for y := range h {
		for x := range w {
			var s float64
			for j := range ss {
				for i := range ss {
					sx := (float64(x) + (float64(i)+0.5)/float64(ss)) * inv
					sy := (float64(y) + (float64(j)+0.5)/float64(ss)) * inv
					s += sample(g, sx, sy)
				}
			}
			out.Pix[y*out.Stride+x] = clamp(s / float64(ss*ss))
		}
	}
	return out
}

// Rotate turns g by deg degrees (clockwise on screen) about its centre,
// keeping its size and filling with fill.
func Rotate(g *image.Gray, deg float64, fill uint8) *image.Gray {
	b := g.Bounds()
	out := image.NewGray(b)
	a := deg * math.Pi / 180
	cos, sin := math.Cos(a), math.Sin(a)
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	for y := range b.Dy() {
		for x := range b.Dx() {
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			sx := cx + dx*cos + dy*sin
			sy := cy - dx*sin + dy*cos
			if sx < 0 || sy < 0 || sx >= float64(b.Dx()) || sy >= float64(b.Dy()) {
				out.Pix[y*out.Stride+x] = fill
				continue
			}
			out.Pix[y*out.Stride+x] = clamp(sample(g, sx, sy))
		}
	}
	return out
}

// sample is bilinear with pixel centres at integer + 0.5.
func sample(g *image.Gray, x, y float64) float64 {
	b := g.Bounds()
	x, y = x-0.5, y-0.5
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	p := func(px, py int) float64 {
		px = min(max(px, 0), b.Dx()-1)
		py = min(max(py, 0), b.Dy()-1)
		return float64(g.Pix[py*g.Stride+px])
	}
	ix, iy := int(x0), int(y0)
	return (p(ix, iy)*(1-fx)+p(ix+1, iy)*fx)*(1-fy) + (p(ix, iy+1)*(1-fx)+p(ix+1, iy+1)*fx)*fy
}

// Keystone applies the perspective of a page turned about its vertical
// axis: the right edge shrinks to 1/(1+k) of its height and columns
// crowd towards it (a true homography: x' = x/(1+px), y' = cy + (y-cy)/(1+px)).
func Keystone(g *image.Gray, k float64, fill uint8) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	p := k / float64(w)
	cy := float64(h) / 2
	out := image.NewGray(b)
	for y := range h {
		for x := range w {
			xo, yo := float64(x)+0.5, float64(y)+0.5
			den := 1 - p*xo
			if den <= 0 {
				out.Pix[y*out.Stride+x] = fill
				continue
			}
			sx := xo / den
			sy := (yo-cy)*(1+p*sx) + cy
			if sx < 0 || sy < 0 || sx >= float64(w) || sy >= float64(h) {
				out.Pix[y*out.Stride+x] = fill
				continue
			}
			out.Pix[y*out.Stride+x] = clamp(sample(g, sx, sy))
		}
	}
	return out
}

// Glare whitens a soft disc of radius r at (cx, cy): a specular
// reflection that clips to white in its middle.
func Glare(g *image.Gray, cx, cy, r float64) *image.Gray {
	out := Clone(g)
	b := g.Bounds()
	for y := range b.Dy() {
		for x := range b.Dx() {
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy) / r
			if d >= 1 {
				continue
			}
			a := min(1, 1.6*(1-d))
			i := y*out.Stride + x
			out.Pix[i] = clamp(float64(out.Pix[i])*(1-a) + 255*a)
		}
	}
	return out
}
