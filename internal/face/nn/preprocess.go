package nn

import (
	"image"
	"image/color"
	"math"
)

// face-api's per-channel input mean.
const (
	meanR = 122.782
	meanG = 117.001
	meanB = 104.298
)

// RGBAt returns the RGB values of the pixel at (x, y), relative to the
// image's bounds; callers stay inside the bounds.
type RGBAt func(x, y int) (r, g, b float32)

// PixelReader returns a fast pixel accessor for the common image types
// and a color-model conversion for the others. Colours are
// non-premultiplied 8-bit RGB, as a decoder hands them to tfjs: both
// networks read their input through it.
func PixelReader(img image.Image) RGBAt {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.RGBA:
		return func(x, y int) (float32, float32, float32) {
			i := m.PixOffset(x+b.Min.X, y+b.Min.Y)
			p := m.Pix[i : i+4 : i+4]
			if p[3] != 0xff {
				c := color.NRGBAModel.Convert(color.RGBA{p[0], p[1], p[2], p[3]}).(color.NRGBA)
				return float32(c.R), float32(c.G), float32(c.B)
			}
			return float32(p[0]), float32(p[1]), float32(p[2])
		}
	case *image.NRGBA:
		return func(x, y int) (float32, float32, float32) {
			i := m.PixOffset(x+b.Min.X, y+b.Min.Y)
			p := m.Pix[i : i+3 : i+3]
			return float32(p[0]), float32(p[1]), float32(p[2])
		}
	case *image.Gray:
		return func(x, y int) (float32, float32, float32) {
			v := float32(m.Pix[m.PixOffset(x+b.Min.X, y+b.Min.Y)])
			return v, v, v
		}
	case *image.YCbCr:
		return func(x, y int) (float32, float32, float32) {
			yi := m.YOffset(x+b.Min.X, y+b.Min.Y)
			ci := m.COffset(x+b.Min.X, y+b.Min.Y)
			r, g, bb := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			return float32(r), float32(g), float32(bb)
		}
	}
	return func(x, y int) (float32, float32, float32) {
		c := color.NRGBAModel.Convert(img.At(x+b.Min.X, y+b.Min.Y)).(color.NRGBA)
		return float32(c.R), float32(c.G), float32(c.B)
	}
}

// preprocess writes face-api's network input for img into dst
// (150×150×3): the image padded to a centred square with zeros, resized
// bilinearly to 150 (tfjs resizeBilinear, alignCorners=false,
// halfPixelCenters=false) when it is not already that size, minus the
// mean RGB, divided by 255.
func preprocess(dst []float32, img image.Image) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	side := max(w, h)
	offX, offY := padOffsets(w, h)
	at := PixelReader(img)
	padded := func(x, y int) (float32, float32, float32) {
		x, y = x-offX, y-offY
		if x < 0 || y < 0 || x >= w || y >= h {
			return 0, 0, 0
		}
		return at(x, y)
	}
	if side == ChipSize {
		for y := 0; y < ChipSize; y++ {
			for x := 0; x < ChipSize; x++ {
				r, g, bb := padded(x, y)
				store(dst[(y*ChipSize+x)*3:], r, g, bb)
			}
		}
		return
	}
	resizeBilinear(dst, padded, side)
}

// padOffsets returns where a w×h image starts inside its square padding:
// tfjs padToSquare appends round(diff/2) zeros (JS rounding, halves up)
// and prepends the rest.
func padOffsets(w, h int) (x, y int) {
	half := func(d int) int { return d - int(math.Floor(float64(d)*0.5+0.5)) }
	if h > w {
		return half(h - w), 0
	}
	return 0, half(w - h)
}

// resizeBilinear resamples the side×side source to 150×150 into dst
// (normalised) with tfjs's legacy coordinate mapping src = dst*in/out.
func resizeBilinear(dst []float32, src RGBAt, side int) {
	ratio := float64(side) / ChipSize
	for y := 0; y < ChipSize; y++ {
		fy := ratio * float64(y)
		y0 := int(math.Floor(fy))
		y1 := min(side-1, int(math.Ceil(fy)))
		dy := float32(fy - float64(y0))
		for x := 0; x < ChipSize; x++ {
			fx := ratio * float64(x)
			x0 := int(math.Floor(fx))
			x1 := min(side-1, int(math.Ceil(fx)))
			dx := float32(fx - float64(x0))
			var tl, tr, bl, br [3]float32
			tl[0], tl[1], tl[2] = src(x0, y0)
			tr[0], tr[1], tr[2] = src(x1, y0)
			bl[0], bl[1], bl[2] = src(x0, y1)
			br[0], br[1], br[2] = src(x1, y1)
			var out [3]float32
			for c := range out {
				top := tl[c] + (tr[c]-tl[c])*dx
				bot := bl[c] + (br[c]-bl[c])*dx
				out[c] = top + (bot-top)*dy
			}
			store(dst[(y*ChipSize+x)*3:], out[0], out[1], out[2])
		}
	}
}

// store writes one normalised pixel.
func store(dst []float32, r, g, b float32) {
	dst = dst[:3]
	dst[0] = (r - meanR) / 255
	dst[1] = (g - meanG) / 255
	dst[2] = (b - meanB) / 255
}
