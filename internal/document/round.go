package document

import "math"

// roundTo rounds v to d decimals, so reports carry meaningful digits only
// (and stay identical across CPUs whose floating point differs in the
// last bits).
func roundTo(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(v*p) / p
}

func (q Quad) rounded(d int) Quad {
	for i := range q {
		q[i] = Point{roundTo(q[i].X, d), roundTo(q[i].Y, d)}
	}
	return q
}

// round trims the report's measurements for output.
func (r *Report) round() {
	q := &r.Quality
	q.Sharpness, q.MRZSharpness = roundTo(q.Sharpness, 1), roundTo(q.MRZSharpness, 1)
	q.Isotropy, q.Glare, q.Screen = roundTo(q.Isotropy, 3), roundTo(q.Glare, 4), roundTo(q.Screen, 4)
	q.Brightness, q.Width, q.Height = roundTo(q.Brightness, 1), roundTo(q.Width, 1), roundTo(q.Height, 1)
	d := &r.Document
	d.Quad = d.Quad.rounded(1)
	d.Coverage, d.Fill, d.Content = roundTo(d.Coverage, 3), roundTo(d.Fill, 3), roundTo(d.Content, 3)
	if r.MRZ != nil {
		r.MRZ.Angle = roundTo(r.MRZ.Angle, 2)
		r.MRZ.Confidence = float32(roundTo(float64(r.MRZ.Confidence), 3))
	}
	if r.Portrait != nil {
		r.Portrait.Score = roundTo(r.Portrait.Score, 1)
	}
}
