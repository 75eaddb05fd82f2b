package docsynth

import (
	"image"
	"math"
	"math/rand"

	"github.com/openidv/openidv/internal/document"
)

// SceneW and SceneH are the size of a photo (before the half-resolution
// variant).
const (
	SceneW = 1280
	SceneH = 960
)

// Placement says where a page lands in the photo.
type Placement struct {
	// Fill is the document's width as a fraction of the photo's.
	Fill float64
	// Rotation is in degrees, clockwise.
	Rotation float64
	// Perspective moves each corner by up to this fraction of the
	// document's size.
	Perspective float64
	// Shift moves the centre, as fractions of the photo's size.
	ShiftX, ShiftY float64
}

// RandomPlacement returns a near-frontal placement: 60–80 % of the width,
// tilted by at most 2°.
func RandomPlacement(k Kind, r *rand.Rand) Placement {
	lay := Layouts[k]
	fill := 0.6 + 0.2*r.Float64()
	// Keep the height within 85 % of the photo.
	if maxFill := 0.85 * SceneH / SceneW * lay.Width / lay.Height; fill > maxFill {
		fill = maxFill
	}
	return Placement{Fill: fill, Rotation: 4*r.Float64() - 2, ShiftX: 0.06 * (r.Float64() - 0.5), ShiftY: 0.06 * (r.Float64() - 0.5)}
}

// quadFor returns where the page's corners land in the photo.
func (pl Placement) quadFor(pw, ph int, r *rand.Rand) document.Quad {
	w := pl.Fill * SceneW
	h := w * float64(ph) / float64(pw)
	cx, cy := SceneW*(0.5+pl.ShiftX), SceneH*(0.5+pl.ShiftY)
	sin, cos := math.Sincos(pl.Rotation * math.Pi / 180)
	var q document.Quad
	for i, c := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		x, y := c[0]*w/2, c[1]*h/2
		if pl.Perspective > 0 {
			x += (2*r.Float64() - 1) * pl.Perspective * w
			y += (2*r.Float64() - 1) * pl.Perspective * h
		}
		q[i] = document.Point{X: cx + x*cos - y*sin, Y: cy + x*sin + y*cos}
	}
	return q
}

// background paints a desk-like texture: a random colour with smooth
// low-frequency shading and fine grain, darker than a document.
func background(r *rand.Rand) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, SceneW, SceneH))
	base := [3]float64{60 + 80*r.Float64(), 50 + 70*r.Float64(), 40 + 60*r.Float64()}
	const gw, gh = 9, 7
	var grid [gh][gw]float64
	for y := range grid {
		for x := range grid[y] {
			grid[y][x] = 0.75 + 0.5*r.Float64()
		}
	}
	grain := r.Int63()
	for y := range SceneH {
		gy := float64(y) / SceneH * (gh - 1)
		y0 := min(int(gy), gh-2)
		ty := gy - float64(y0)
		for x := range SceneW {
			gx := float64(x) / SceneW * (gw - 1)
			x0 := min(int(gx), gw-2)
			tx := gx - float64(x0)
			s := (grid[y0][x0]*(1-tx)+grid[y0][x0+1]*tx)*(1-ty) + (grid[y0+1][x0]*(1-tx)+grid[y0+1][x0+1]*tx)*ty
			n := float64(hash(grain, x, y)%17) - 8
			o := img.PixOffset(x, y)
			for c := range 3 {
				img.Pix[o+c] = clamp8(base[c]*s + n)
			}
			img.Pix[o+3] = 255
		}
	}
	return img
}

// hash is a cheap deterministic per-pixel noise source.
func hash(seed int64, x, y int) uint32 {
	h := uint32(seed) ^ uint32(x)*0x9E3779B1 ^ uint32(y)*0x85EBCA77
	h ^= h >> 15
	h *= 0x2C1B3C6D
	h ^= h >> 12
	return h
}

// compose warps page onto bg so that the page's corners land on q, with
// the page edge anti-aliased by supersampling the coverage.
func compose(bg *image.RGBA, page *image.RGBA, q document.Quad) bool {
	pw, ph := float64(page.Rect.Dx()), float64(page.Rect.Dy())
	toPage, ok := document.HomographyFromQuads(q, document.RectQuad(pw, ph))
	if !ok {
		return false
	}
	box := q.Bounds().Intersect(bg.Rect)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			var acc [3]float64
			hits := 0
			for _, s := range [4][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
				p := toPage.Apply(document.Point{X: float64(x) + s[0], Y: float64(y) + s[1]})
				if p.X < 0 || p.Y < 0 || p.X >= pw || p.Y >= ph {
					continue
				}
				c := sampleRGBA(page, p.X-0.5, p.Y-0.5)
				for i := range acc {
					acc[i] += c[i]
				}
				hits++
			}
			if hits == 0 {
				continue
			}
			o := bg.PixOffset(x, y)
			a := float64(hits) / 4
			for i := range acc {
				bg.Pix[o+i] = clamp8(acc[i]/float64(hits)*a + float64(bg.Pix[o+i])*(1-a))
			}
		}
	}
	return true
}

func sampleRGBA(img *image.RGBA, fx, fy float64) [3]float64 {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
	tx, ty := fx-float64(x0), fy-float64(y0)
	x1, y1 := min(max(x0+1, 0), w-1), min(max(y0+1, 0), h-1)
	x0, y0 = min(max(x0, 0), w-1), min(max(y0, 0), h-1)
	var out [3]float64
	for c := range 3 {
		p00 := float64(img.Pix[y0*img.Stride+4*x0+c])
		p01 := float64(img.Pix[y0*img.Stride+4*x1+c])
		p10 := float64(img.Pix[y1*img.Stride+4*x0+c])
		p11 := float64(img.Pix[y1*img.Stride+4*x1+c])
		out[c] = (p00*(1-tx)+p01*tx)*(1-ty) + (p10*(1-tx)+p11*tx)*ty
	}
	return out
}

// mapRect maps a page rectangle into the photo through page→photo.
func mapRect(h document.Homography, r image.Rectangle) document.Quad {
	rq := document.Quad{
		{X: float64(r.Min.X), Y: float64(r.Min.Y)}, {X: float64(r.Max.X), Y: float64(r.Min.Y)},
		{X: float64(r.Max.X), Y: float64(r.Max.Y)}, {X: float64(r.Min.X), Y: float64(r.Max.Y)},
	}
	for i := range rq {
		rq[i] = h.Apply(rq[i])
	}
	return rq
}
