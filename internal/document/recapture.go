package document

import (
	"cmp"
	"image"
	"image/color"
	"math"
	"slices"
)

// A photo of a screen (a recapture) shows the screen's grid of red, green
// and blue sub-pixel stripes, or the moiré the camera's pixels make of it,
// everywhere on the document, blank paper included: a few sharp peaks in
// the spectrum of both the brightness and the colour of small patches. A
// printed page has print there, not a grid of colours.

// screenPatch is the side of the square patches the recapture check
// reads, in photo pixels (a power of two).
const screenPatch = 64

// screenPatches is how many of the flattest candidate patches are read.
const screenPatches = 4

// screenMinRadius is the smallest spatial frequency, in FFT bins of a
// patch, where a grid is looked for: periods up to about 9 photo pixels.
// Lower frequencies hold the document's own layout.
const screenMinRadius = 7

// screenAxis is the half-width, in bins, of the bands along both
// frequency axes that are left out: straight horizontal and vertical
// edges and a JPEG's 8×8 blocks put their energy there, while a grid of
// sub-pixels (columns of stripes times rows of pixels) also puts it off
// the axes, at any angle.
const screenAxis = 2

// screenScore measures how strongly a screen's grid shows on the document
// doc of the photo img (g its luma). Among 20 patches spread over the
// document's upper part (clear of the MRZ), it reads the screenPatches
// flattest (least layout and text), where it takes the strongest off-axis
// spectral peak of the luma and of the red-difference chroma (Cr), each
// as the amplitude of that cosine over the patch's mean luma; a patch
// scores the smaller of the two (a grid of coloured stripes modulates
// both). The score is the second smallest patch score, so one patch of
// periodic print cannot raise it; 0 when fewer than three patches fit.
func screenScore(img image.Image, g *image.Gray, doc Quad) float64 {
	cands := flatPatches(g, doc)
	if len(cands) < 3 {
		return 0
	}
	buf := make([]complex128, screenPatch*screenPatch)
	cr := make([]uint8, screenPatch*screenPatch)
	scores := make([]float64, 0, len(cands))
	// g may start at the origin where img does not.
	shift := img.Bounds().Min.Sub(g.Rect.Min)
	for _, r := range cands {
		off := g.PixOffset(r.Min.X, r.Min.Y)
		mean := meanOf(g.Pix[off:], g.Stride)
		if mean < 1 {
			scores = append(scores, 0)
			continue
		}
		chromaOf(img, r.Add(shift), cr)
		luma, chroma := peakAmplitudes(g.Pix[off:], g.Stride, cr, buf)
		scores = append(scores, min(luma, chroma)/mean)
	}
	slices.Sort(scores)
	return scores[1]
}

// flatPatches returns the screenPatches patches, among a 5×4 grid over
// the upper 65 % of doc and inside g, whose 8×8 block means vary least.
func flatPatches(g *image.Gray, doc Quad) []image.Rectangle {
	type cand struct {
		r    image.Rectangle
		flat float64
	}
	var cs []cand
	for j := range 4 {
		for i := range 5 {
			c := quadPoint(doc, 0.15+0.175*float64(i), 0.15+0.15*float64(j))
			x0 := g.Rect.Min.X + int(math.Floor(c.X)) - screenPatch/2
			y0 := g.Rect.Min.Y + int(math.Floor(c.Y)) - screenPatch/2
			r := image.Rect(x0, y0, x0+screenPatch, y0+screenPatch)
			if r.In(g.Rect) {
				cs = append(cs, cand{r, blockSpread(g, r)})
			}
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return cmp.Compare(a.flat, b.flat) })
	out := make([]image.Rectangle, 0, screenPatches)
	for _, c := range cs[:min(len(cs), screenPatches)] {
		out = append(out, c.r)
	}
	return out
}

// quadPoint is the point at fractions (u, v) of q's width and height.
func quadPoint(q Quad, u, v float64) Point {
	top := Point{q[0].X + (q[1].X-q[0].X)*u, q[0].Y + (q[1].Y-q[0].Y)*u}
	bot := Point{q[3].X + (q[2].X-q[3].X)*u, q[3].Y + (q[2].Y-q[3].Y)*u}
	return Point{top.X + (bot.X-top.X)*v, top.Y + (bot.Y-top.Y)*v}
}

// blockSpread is the standard deviation of the 8×8 block means of the
// patch r of g: near 0 on blank paper, large on text and pictures.
func blockSpread(g *image.Gray, r image.Rectangle) float64 {
	var sum, sum2 float64
	n := 0
	for by := r.Min.Y; by+8 <= r.Max.Y; by += 8 {
		for bx := r.Min.X; bx+8 <= r.Max.X; bx += 8 {
			s := 0
			for y := by; y < by+8; y++ {
				for _, v := range g.Pix[g.PixOffset(bx, y):][:8] {
					s += int(v)
				}
			}
			m := float64(s) / 64
			sum += m
			sum2 += m * m
			n++
		}
	}
	mu := sum / float64(n)
	return math.Sqrt(math.Max(0, sum2/float64(n)-mu*mu))
}

// meanOf is the mean of a screenPatch-square patch starting at pix.
func meanOf(pix []uint8, stride int) float64 {
	s := 0
	for y := range screenPatch {
		for _, v := range pix[y*stride:][:screenPatch] {
			s += int(v)
		}
	}
	return float64(s) / (screenPatch * screenPatch)
}

// chromaOf writes the Cr (red-difference) plane of the patch r of img
// into dst, row-major, with a fast path for JPEG's YCbCr.
func chromaOf(img image.Image, r image.Rectangle, dst []uint8) {
	if m, ok := img.(*image.YCbCr); ok {
		for y := range screenPatch {
			for x := range screenPatch {
				dst[y*screenPatch+x] = m.Cr[m.COffset(r.Min.X+x, r.Min.Y+y)]
			}
		}
		return
	}
	for y := range screenPatch {
		for x := range screenPatch {
			cr, cg, cb, _ := img.At(r.Min.X+x, r.Min.Y+y).RGBA()
			_, _, v := color.RGBToYCbCr(uint8(cr>>8), uint8(cg>>8), uint8(cb>>8))
			dst[y*screenPatch+x] = v
		}
	}
}

// peakAmplitudes returns, for the screenPatch-square patches at a (row
// stride sa) and b (stride screenPatch), the amplitude of the strongest
// cosine in the searched band (off both axes, periods under about 9 px),
// each Hann-windowed after its mean is removed. One complex FFT carries
// both real patches (a as the real part, b as the imaginary part); buf is
// scratch space.
func peakAmplitudes(a []uint8, sa int, b []uint8, buf []complex128) (ampA, ampB float64) {
	const n = screenPatch
	ma, mb := meanOf(a, sa), meanOf(b, n)
	var win [n]float64
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*(float64(i)+0.5)/n)
	}
	for y := range n {
		ra, rb := a[y*sa:], b[y*n:]
		for x := range n {
			w := win[y] * win[x]
			buf[y*n+x] = complex((float64(ra[x])-ma)*w, (float64(rb[x])-mb)*w)
		}
	}
	fft2(buf, n)
	var pa, pb float64
	// Half the plane (the other half mirrors it). With X the transform
	// of a + ib, A(k) = (X(k) + X(−k)*)/2 and B(k) = (X(k) − X(−k)*)/2i.
	for v := screenAxis + 1; v <= n/2; v++ {
		for u := -n/2 + 1; u < n/2; u++ {
			if (u >= -screenAxis && u <= screenAxis) || u*u+v*v < screenMinRadius*screenMinRadius {
				continue
			}
			x := buf[v*n+(u+n)%n]
			m := buf[((n-v)%n)*n+(n-u)%n]
			mc := complex(real(m), -imag(m))
			fa, fb := (x+mc)/2, (x-mc)/2
			pa = math.Max(pa, real(fa)*real(fa)+imag(fa)*imag(fa))
			pb = math.Max(pb, real(fb)*real(fb)+imag(fb)*imag(fb))
		}
	}
	// A cosine of amplitude A peaks at A/2 times the window's sum, (n/2)².
	const sum = n * n / 4
	return 2 * math.Sqrt(pa) / sum, 2 * math.Sqrt(pb) / sum
}
