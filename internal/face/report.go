package face

import "math"

// DetectReport is the public JSON of `openidv face detect`.
type DetectReport struct {
	Width     int                `json:"width"`
	Height    int                `json:"height"`
	Faces     []Face             `json:"faces"`
	TimingsMS map[string]float64 `json:"timings_ms"`
}

// ImageReport summarises the analysis of one image in a comparison.
type ImageReport struct {
	Kind          string   `json:"kind"`
	Width         int      `json:"width"`
	Height        int      `json:"height"`
	FacesDetected int      `json:"faces_detected"`
	Face          *Face    `json:"face"`
	InterPupil    float64  `json:"inter_pupil"`
	Sharpness     float64  `json:"sharpness"`
	Glare         float64  `json:"glare"`
	Outside       float64  `json:"outside"`
	Reasons       []Reason `json:"reasons"`
}

// CompareReport is the public JSON of `openidv face compare`. Distance is
// null when the verdict is unusable.
type CompareReport struct {
	Distance  *float64           `json:"distance"`
	Verdict   Verdict            `json:"verdict"`
	Reasons   []Reason           `json:"reasons"`
	A         ImageReport        `json:"a"`
	B         ImageReport        `json:"b"`
	TimingsMS map[string]float64 `json:"timings_ms"`
}

// NewDetectReport rounds faces for output (0.1 px, scores to 0.001).
func NewDetectReport(width, height int, faces []Face) DetectReport {
	out := make([]Face, len(faces))
	for i, f := range faces {
		out[i] = roundFace(f)
	}
	return DetectReport{Width: width, Height: height, Faces: out, TimingsMS: map[string]float64{}}
}

// NewCompareReport summarises a comparison, rounded for output.
func NewCompareReport(c *Comparison) CompareReport {
	r := CompareReport{
		Verdict:   c.Verdict,
		Reasons:   c.Reasons,
		A:         newImageReport(c.A),
		B:         newImageReport(c.B),
		TimingsMS: map[string]float64{},
	}
	if !math.IsNaN(c.Distance) {
		d := round(c.Distance, 4)
		r.Distance = &d
	}
	return r
}

func newImageReport(a *Analysis) ImageReport {
	r := ImageReport{
		Kind: a.Kind.String(), Width: a.Width, Height: a.Height,
		FacesDetected: len(a.Faces),
		InterPupil:    round(a.InterPupil, 1),
		Sharpness:     round(a.Sharpness, 1),
		Glare:         round(a.Glare, 4),
		Outside:       round(a.Outside, 4),
		Reasons:       a.Reasons,
	}
	if a.Face != nil {
		f := roundFace(*a.Face)
		r.Face = &f
	}
	return r
}

func roundFace(f Face) Face {
	rp := func(p Point) Point { return Point{round(p.X, 1), round(p.Y, 1)} }
	f.Box = Box{round(f.Box.X, 1), round(f.Box.Y, 1), round(f.Box.Width, 1), round(f.Box.Height, 1)}
	f.Score = round(f.Score, 3)
	f.Scale = round(f.Scale, 4)
	f.Pupils.Left, f.Pupils.Right = rp(f.Pupils.Left), rp(f.Pupils.Right)
	return f
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
