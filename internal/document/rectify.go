package document

import (
	"image"
	"math"
)

// Format is a physical document size.
type Format struct {
	Name          string
	Width, Height float64 // millimetres
}

// The ICAO 9303 sizes: ID-1 (TD1 and cards), ID-2 (TD2, MRV-B), ID-3
// (TD3 passports) and the MRV-A visa.
var (
	ID1  = Format{"id1", 85.6, 53.98}
	ID2  = Format{"id2", 105, 74}
	ID3  = Format{"id3", 125, 88}
	MRVA = Format{"mrv_a", 120, 80}
)

// formats is ordered by aspect ratio (long/short side).
var formats = []Format{ID2, ID3, MRVA, ID1}

// Aspect returns the long over the short side.
func (f Format) Aspect() float64 { return f.Width / f.Height }

// nearestFormat returns the format whose aspect ratio is closest to r, and
// the relative difference.
func nearestFormat(r float64) (Format, float64) {
	best, diff := formats[0], math.Inf(1)
	for _, f := range formats {
		if d := math.Abs(r-f.Aspect()) / f.Aspect(); d < diff {
			best, diff = f, d
		}
	}
	return best, diff
}

// rectWidth bounds the width rectified documents are resampled to.
const (
	minRectWidth = 900
	maxRectWidth = 1300
)

// Rectified is a document warped to a frontal view.
type Rectified struct {
	Gray *image.Gray
	// ToPhoto maps rectified pixels back to photo pixels.
	ToPhoto Homography
	// Aspect is the measured long/short side ratio of the quad.
	Aspect float64
}

// Rectify warps the quad q of g to a frontal rectangle whose aspect ratio
// is the measured one snapped to the nearest ICAO size when within 6 %.
func Rectify(g *image.Gray, q Quad) (*Rectified, bool) {
	qw, qh := q.Sides()
	if qw < 8 || qh < 8 {
		return nil, false
	}
	aspect := qw / qh
	if f, d := nearestFormat(aspect); d < 0.06 {
		aspect = f.Aspect()
	}
	w := int(min(max(qw, minRectWidth), maxRectWidth))
	h := min(int(math.Round(float64(w)/aspect)), 2*maxRectWidth)
	// Map the w×h rectangle onto the quad (relative to g's origin).
	toPhoto, ok := HomographyFromQuads(RectQuad(float64(w), float64(h)), q)
	if !ok {
		return nil, false
	}
	return &Rectified{Gray: WarpGray(g, toPhoto, w, h, 255), ToPhoto: toPhoto, Aspect: qw / qh}, true
}
