package document

import (
	"errors"
	"image"
	"slices"
	"time"

	"github.com/openidv/openidv/internal/document/mrz"
	"github.com/openidv/openidv/internal/document/mrzocr"
	"github.com/openidv/openidv/internal/face"
	"github.com/openidv/openidv/internal/imaging"
)

// Options configure Inspect.
type Options struct {
	// Now resolves two-digit years and expiry.
	Now time.Time
	// Quality holds the gates; the zero value means DefaultQualityConfig.
	Quality *QualityConfig
	// Faces, when set, locates the holder's portrait.
	Faces *face.Engine
	// Clock, when set, times each stage into Report.TimingsMS (the
	// package reads no clock itself).
	Clock func() time.Time
}

// Report is the outcome of Inspect.
type Report struct {
	Type Type `json:"type"`
	// Reasons are the SDK attemptFailed keys of Issues, each once, in
	// order; empty means a successful capture.
	Reasons  []ReasonKey `json:"reasons"`
	Issues   []Issue     `json:"issues"`
	Quality  Quality     `json:"quality"`
	Document Detection   `json:"document"`
	MRZ      *MRZReport  `json:"mrz"`
	Portrait *Portrait   `json:"portrait"`
	// TimingsMS is each stage's duration in milliseconds (empty without
	// Options.Clock).
	TimingsMS map[string]float64 `json:"timings_ms"`
}

// ErrEmptyImage is returned for an image with no pixels.
var ErrEmptyImage = errors.New("document: empty image")

// Inspect runs the pipeline on a decoded photo: detection, rectification,
// MRZ reading (on the rectified document, then on the whole photo),
// quality gates, classification and the portrait. It returns an error
// only for an unusable image or a failing face engine; everything about
// the document itself is in the Report.
func Inspect(img image.Image, o Options) (*Report, error) {
	if img == nil || img.Bounds().Empty() {
		return nil, ErrEmptyImage
	}
	cfg := DefaultQualityConfig()
	if o.Quality != nil {
		cfg = *o.Quality
	}
	rep := &Report{TimingsMS: map[string]float64{}, Reasons: []ReasonKey{}, Issues: []Issue{}}
	st := stopwatch{clock: o.Clock, into: rep.TimingsMS}
	var g *image.Gray
	st.time("gray", func() { g = imaging.ToGray(img) })
	var det Detection
	st.time("detect", func() { det = Detect(g) })
	rep.Document = det

	var rect *Rectified
	if det.Found {
		st.time("rectify", func() { rect, _ = Rectify(g, det.Quad) })
	}
	var reading *mrzocr.Reading
	var mrzQuad Quad
	st.time("mrz", func() { reading, mrzQuad = readMRZ(g, rect, o.Now) })
	if reading != nil {
		rep.MRZ = newMRZReport(reading)
	}
	reg := Regions{Document: det.Quad, MRZ: mrzQuad}
	if reg.MRZ == (Quad{}) && rect != nil {
		reg.MRZ, reg.PresumedMRZ = presumedMRZ(rect), true
	}
	st.time("quality", func() { rep.Quality = Assess(img, g, reg) })
	var res *mrz.Result
	if reading != nil {
		res = reading.Result
	}
	var quality []Issue
	if res != nil || det.Found {
		// The gates judge a document; with none found there is nothing
		// to judge but the absence.
		quality = cfg.Check(rep.Quality)
	}
	typ, issues := classify(res, det)
	if res == nil && hasIssue(quality, IssueGlareOnMRZ) {
		// Glare where the zone would be: it may have hidden one.
		typ = TypeUnknown
		issues = slices.DeleteFunc(issues, func(is Issue) bool { return is.Code == IssueUnknownDocument })
	}
	rep.Type = typ
	rep.Issues = append(append(rep.Issues, quality...), issues...)
	if rep.MRZ != nil {
		rep.MRZ.Accepted = rep.MRZ.Valid && !slices.ContainsFunc(rep.Issues, func(is Issue) bool {
			// Blur, glare on the zone and a screen's moiré all put the
			// characters the check digits do not protect in doubt.
			return is.Code == IssueBlurred || is.Code == IssueMRZBlurred || is.Code == IssueGlareOnMRZ || is.Code == IssueScreenRecapture
		})
	}
	if o.Faces != nil && rect != nil {
		var err error
		st.time("portrait", func() { rep.Portrait, err = portraitOf(o.Faces, img, det.Quad, rect) })
		if err != nil {
			return nil, err
		}
	}
	rep.Reasons = reasonsOf(rep.Issues)
	rep.round()
	return rep, nil
}

// readMRZ reads the zone on the rectified document, else on the photo,
// and returns the best reading with its band's outline in photo pixels.
func readMRZ(g *image.Gray, rect *Rectified, now time.Time) (*mrzocr.Reading, Quad) {
	var best *mrzocr.Reading
	var bestQuad Quad
	if rect != nil {
		if r, err := mrzocr.Read(rect.Gray, now); err == nil && r.Result != nil {
			best, bestQuad = r, rect.ToPhoto.ApplyQuad(readingQuad(r))
			if r.Result.ChecksValid {
				return best, bestQuad
			}
		}
	}
	if r, err := mrzocr.Read(g, now); err == nil && r.Result != nil {
		if best == nil || r.Result.ChecksValid {
			q := readingQuad(r)
			o := g.Rect.Min
			for i := range q {
				q[i].X -= float64(o.X)
				q[i].Y -= float64(o.Y)
			}
			return r, q
		}
	}
	return best, bestQuad
}

func readingQuad(r *mrzocr.Reading) Quad {
	var q Quad
	for i, p := range r.Quad {
		q[i] = Point{float64(p.X), float64(p.Y)}
	}
	if q == (Quad{}) {
		b := r.Band
		q = Quad{{float64(b.Min.X), float64(b.Min.Y)}, {float64(b.Max.X), float64(b.Min.Y)},
			{float64(b.Max.X), float64(b.Max.Y)}, {float64(b.Min.X), float64(b.Max.Y)}}
	}
	return q
}

// presumedMRZ is the bottom 30 % of a rectified document, in photo pixels:
// where the zone would be, for the glare check when none was read.
func presumedMRZ(rect *Rectified) Quad {
	w, h := float64(rect.Gray.Rect.Dx()), float64(rect.Gray.Rect.Dy())
	return rect.ToPhoto.ApplyQuad(Quad{{0, 0.7 * h}, {w, 0.7 * h}, {w, h}, {0, h}})
}

// portraitOf rectifies the colour photo like rect and finds the face.
func portraitOf(fe *face.Engine, img image.Image, q Quad, rect *Rectified) (*Portrait, error) {
	w, h := rect.Gray.Rect.Dx(), rect.Gray.Rect.Dy()
	doc := WarpRGBA(imaging.ToRGBA(img), rect.ToPhoto, w, h)
	return findPortrait(fe, doc, rect.ToPhoto)
}

func hasIssue(issues []Issue, c IssueCode) bool {
	return slices.ContainsFunc(issues, func(is Issue) bool { return is.Code == c })
}

func reasonsOf(issues []Issue) []ReasonKey {
	out := []ReasonKey{}
	for _, is := range issues {
		if !slices.Contains(out, is.Reason) {
			out = append(out, is.Reason)
		}
	}
	return out
}

// stopwatch adds stage durations to a map when it has a clock.
type stopwatch struct {
	clock func() time.Time
	into  map[string]float64
}

func (s stopwatch) time(name string, f func()) {
	if s.clock == nil {
		f()
		return
	}
	t0 := s.clock()
	f()
	s.into[name] += float64(s.clock().Sub(t0).Microseconds()) / 1000
}
