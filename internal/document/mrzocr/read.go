// Package mrzocr reads the machine-readable zone of a travel document from
// a grey image, in pure Go: it finds the 2 or 3 lines of OCR-B text (at
// any angle, in a photo, a page or a strip cropped around them), measures
// their skew, bow, slant and fixed pitch, classifies every character cell
// with the ocrb model, repairs ambiguous glyphs only where the ICAO check
// digits confirm the repair, and parses the result with package mrz. It
// does no I/O and reads no clock.
package mrzocr

import (
	"errors"
	"image"
	"sync"
	"time"

	"github.com/openidv/openidv/internal/document/mrz"
	"github.com/openidv/openidv/internal/document/ocrb"
	"github.com/openidv/openidv/internal/imaging"
)

// Errors of Read.
var (
	// ErrNoMRZ means no machine-readable zone was found in the image.
	ErrNoMRZ = errors.New("mrzocr: no machine-readable zone found")
	// ErrImage means the image is empty or too large to read.
	ErrImage = errors.New("mrzocr: unusable image")
)

// MaxPixels bounds the images Read accepts (decoders should already
// enforce a smaller limit).
const MaxPixels = 64 << 20

// workSide is the longer side of the working copy the zone is searched
// in; characters are classified on the full-resolution image.
const workSide = 1400

// Reading is what Read found.
type Reading struct {
	Lines []string
	// Format is the layout the lines were read as.
	Format mrz.Format
	// Band bounds the zone in the image's coordinates; Quad is its corners
	// (top-left, top-right, bottom-right, bottom-left) when skewed.
	Band image.Rectangle
	Quad [4]image.Point
	// Angle is the text's skew in degrees (clockwise positive); 180 is
	// added when the zone was upside down.
	Angle float64
	// Confidence holds, per line and character, the classifier's
	// probability of the character finally chosen.
	Confidence [][]float32
	// Corrected counts characters changed from the classifier's first
	// choice because a field type or a check digit called for it.
	Corrected int
	// Result is the parsed zone; Result.Valid says whether every check
	// digit and field passed.
	Result *mrz.Result
}

// MinConfidence is the lowest per-character confidence.
func (r *Reading) MinConfidence() float32 {
	m := float32(1)
	for _, l := range r.Confidence {
		for _, c := range l {
			m = min(m, c)
		}
	}
	return m
}

// Read finds and reads the machine-readable zone in g, a rectified
// document or a photo containing one. now resolves two-digit years and
// expiry. It returns ErrNoMRZ when there is none; a zone that is found but
// fails its check digits comes back with Result.Valid false.
func Read(g *image.Gray, now time.Time) (*Reading, error) {
	if g == nil {
		return nil, ErrNoMRZ
	}
	b := g.Bounds()
	if b.Dx() < 16 || b.Dy() < 8 {
		return nil, ErrNoMRZ
	}
	if g.Stride < b.Dx() || len(g.Pix) < (b.Dy()-1)*g.Stride+b.Dx() {
		return nil, ErrImage // a malformed *image.Gray
	}
	if b.Dx()*b.Dy() > MaxPixels {
		return nil, ErrImage
	}
	clf, err := classifier()
	if err != nil {
		return nil, err
	}
	pg, padded := padStrip(g)
	r := &reader{g: pg, picture: b, clf: clf, now: now}
	rd, err := r.read()
	if err == nil && padded {
		rd.Band = rd.Band.Intersect(b)
	}
	return rd, err
}

// classifier parses the embedded model on first use: a Classifier is only
// read, so every Read shares one (parsing it costs about 0.3 ms and
// 0.5 MB).
var classifier = sync.OnceValues(ocrb.NewClassifier)

type reader struct {
	g       *image.Gray
	picture image.Rectangle // g's bounds before any padding
	clf     *ocrb.Classifier
	now     time.Time
	scale   float64     // working = (original - origin) × scale
	origin  image.Point // g.Bounds().Min
	spent   int         // classifier evaluations in this orientation
}

// budget bounds the classifier evaluations (about 25 µs each) per
// orientation of one Read, so that pictures full of text-like texture
// cannot make it slow: a genuine zone is the longest group and is read
// first.
const budget = 6000

func (r *reader) exhausted() bool { return r.spent > budget }

func (r *reader) read() (*Reading, error) {
	b := r.g.Bounds()
	w, h, scale := imaging.FitSize(b.Dx(), b.Dy(), workSide)
	work := r.g
	switch {
	case scale < 1:
		work = imaging.ResizeGray(r.g, w, h) // also moves the origin to (0, 0)
	case b.Min != (image.Point{}):
		// The same pixels with the origin at (0, 0), without a copy.
		work = &image.Gray{Pix: r.g.Pix, Stride: r.g.Stride, Rect: image.Rect(0, 0, b.Dx(), b.Dy())}
	}
	r.scale = float64(w) / float64(b.Dx())
	r.origin = b.Min
	var best *Reading
	var upright *scene
	if r.readView(identityView(work), &best, &upright) || r.readView(quarterView(work), &best, nil) {
		return best, nil
	}
	// A zone at 20-70° from the horizontal: search once more along the
	// text's direction, measured in the upright view.
	if angle, ok := upright.textAngle(); ok && offAxis(angle) && r.readView(turnedView(work, angle), &best, nil) {
		return best, nil
	}
	if best == nil {
		return nil, ErrNoMRZ
	}
	return best, nil
}

// readView searches view v at two scales of threshold, keeping in *best
// the best reading, and reports whether it is valid. With first non-nil,
// it keeps there the scene of the first scale.
func (r *reader) readView(v view, best **Reading, first **scene) bool {
	r.spent = 0
	w, h := v.img.Rect.Dx(), v.img.Rect.Dy()
	for i, radius := range []int{max(w, h) / 60, max(w, h) / 25} {
		gs, sc := r.findGroups(v.img, max(radius, 4))
		if i == 0 && first != nil {
			*first = sc
		}
		for _, g := range gs {
			if r.exhausted() {
				break
			}
			s := sc.shear(g)
			for _, rd := range r.readGroup(v.toWork(g), s) {
				if better(rd, *best) {
					*best = rd
				}
			}
			if *best != nil && (*best).Result.Valid {
				return true
			}
		}
	}
	return false
}

// better prefers valid readings, then more passing check digits, then
// higher mean confidence.
func better(a, b *Reading) bool {
	if a == nil {
		return false
	}
	if b == nil {
		return true
	}
	if a.Result.Valid != b.Result.Valid {
		return a.Result.Valid
	}
	pa, pb := passing(a.Result), passing(b.Result)
	if pa != pb {
		return pa > pb
	}
	return meanConfidence(a) > meanConfidence(b)
}

func passing(r *mrz.Result) int {
	n := 0
	for _, c := range r.Checks {
		if c.OK {
			n++
		}
	}
	return n
}

func meanConfidence(r *Reading) float64 {
	var s float64
	n := 0
	for _, l := range r.Confidence {
		for _, c := range l {
			s += float64(c)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return s / float64(n)
}

// findGroups thresholds the working image, links glyphs into lines and
// returns the MRZ-like stacks of lines, best first (at most four), with
// the thresholded scene they were found in.
func (r *reader) findGroups(work *image.Gray, radius int) ([]group, *scene) {
	w, h := work.Rect.Dx(), work.Rect.Dy()
	mask := darkMask(work, radius, 8, 10)
	comps, labels := components(mask, w, h)
	var lines []textLine
	// Glyphs are at most a sixth of the picture's height, or a
	// twenty-fifth of its width in a strip cropped around the zone.
	for _, ch := range chains(comps, max(h/6, w/25, 8)) {
		lines = append(lines, fitLine(comps, labels, w, ch))
	}
	lines = mergeLines(lines, comps, labels, w)
	gs := groups(lines)
	if len(gs) > 4 {
		gs = gs[:4]
	}
	return gs, &scene{img: work, comps: comps, w: w, h: h}
}

// scene is the thresholded working image that groups were found in.
type scene struct {
	img   *image.Gray
	comps []component
	w, h  int
}

// rotate90 turns g a quarter turn clockwise, so that a zone printed
// vertically becomes horizontal.
func rotate90(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, h, w))
	for y := range h {
		for x := range w {
			out.Pix[x*out.Stride+(h-1-y)] = g.Pix[y*g.Stride+x]
		}
	}
	return out
}
