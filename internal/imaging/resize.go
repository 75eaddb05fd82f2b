package imaging

import (
	"image"
	"math"
)

// ResizeGray resamples src to w×h: area averaging when shrinking (no
// aliasing), bilinear interpolation when enlarging. w and h must be > 0.
func ResizeGray(src *image.Gray, w, h int) *image.Gray {
	b := src.Rect
	dst := image.NewGray(image.Rect(0, 0, w, h))
	resample(src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride, b.Dx(), b.Dy(), 1, dst.Pix, dst.Stride, w, h)
	return dst
}

// ResizeRGBA is ResizeGray for *image.RGBA (all four channels).
func ResizeRGBA(src *image.RGBA, w, h int) *image.RGBA {
	b := src.Rect
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	resample(src.Pix[src.PixOffset(b.Min.X, b.Min.Y):], src.Stride, b.Dx(), b.Dy(), 4, dst.Pix, dst.Stride, w, h)
	return dst
}

// FitSize returns the size of a w×h image scaled down (never up) so that
// its longer side is at most maxSide, and the factor applied (≤ 1).
func FitSize(w, h, maxSide int) (fw, fh int, scale float64) {
	long := max(w, h)
	if long <= maxSide || long == 0 {
		return w, h, 1
	}
	scale = float64(maxSide) / float64(long)
	fw = max(1, int(math.Round(float64(w)*scale)))
	fh = max(1, int(math.Round(float64(h)*scale)))
	return fw, fh, scale
}

// contrib is the list of source samples (from first) and weights that make
// one destination sample along one axis.
type contrib struct {
	first int
	w     []float32
}

// axisWeights computes, for each of dn destination samples, the source
// samples and weights along an axis of sn samples.
func axisWeights(sn, dn int) []contrib {
	out := make([]contrib, dn)
	f := float64(sn) / float64(dn)
	pool := make([]float32, 0, dn*(int(math.Ceil(f))+2))
	take := func(n int) []float32 {
		if len(pool)+n > cap(pool) {
			return make([]float32, n)
		}
		pool = pool[:len(pool)+n]
		return pool[len(pool)-n:]
	}
	for i := range out {
		if f <= 1 { // enlarge: bilinear between pixel centres
			x := (float64(i)+0.5)*f - 0.5
			x0 := math.Floor(x)
			t := float32(x - x0)
			a, b := clampInt(int(x0), sn), clampInt(int(x0)+1, sn)
			w := take(2)
			w[0], w[1] = 1-t, t
			if a == b {
				w = w[:1]
				w[0] = 1
			}
			out[i] = contrib{first: a, w: w}
			continue
		}
		lo, hi := float64(i)*f, float64(i+1)*f
		first, last := int(lo), min(int(math.Ceil(hi)), sn)
		ws := take(last - first)
		for j := range ws {
			p0, p1 := math.Max(lo, float64(first+j)), math.Min(hi, float64(first+j+1))
			ws[j] = float32((p1 - p0) / f)
		}
		out[i] = contrib{first: first, w: ws}
	}
	return out
}

func clampInt(v, n int) int {
	return min(max(v, 0), n-1)
}

// resample is a separable resampler over interleaved 8-bit channels. Each
// destination row accumulates the horizontally resampled source rows it
// covers, so memory stays O(destination width); a source row is resampled
// at most twice when shrinking.
func resample(src []uint8, sstride, sw, sh, ch int, dst []uint8, dstride, dw, dh int) {
	cx, cy := axisWeights(sw, dw), axisWeights(sh, dh)
	row := make([]float32, dw*ch)
	acc := make([]float32, dw*ch)
	for y, c := range cy {
		clear(acc)
		for j, wt := range c.w {
			hresample(src[(c.first+j)*sstride:], ch, cx, row)
			for i, v := range row {
				acc[i] += wt * v
			}
		}
		out := dst[y*dstride : y*dstride+dw*ch]
		for i, v := range acc {
			out[i] = uint8(min(max(v+0.5, 0), 255))
		}
	}
}

// hresample resamples one source row into out (len(cx)×ch values).
func hresample(row []uint8, ch int, cx []contrib, out []float32) {
	if ch == 1 {
		for x, c := range cx {
			var s float32
			for j, wt := range c.w {
				s += wt * float32(row[c.first+j])
			}
			out[x] = s
		}
		return
	}
	for x, c := range cx {
		for k := 0; k < ch; k++ {
			var s float32
			for j, wt := range c.w {
				s += wt * float32(row[(c.first+j)*ch+k])
			}
			out[x*ch+k] = s
		}
	}
}
