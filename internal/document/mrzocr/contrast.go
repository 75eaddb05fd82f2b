package mrzocr

import (
	"image"
	"math"
	"slices"

	"github.com/openidv/openidv/internal/document/ocrb"
)

// Problems the reader adds to Result.Problems (clearing Result.Valid).
const (
	// ProblemLowContrast: some cell has far less contrast than the rest
	// of the zone (glare, a fold, missing print): its character cannot be
	// trusted even if the check digits pass.
	ProblemLowContrast = "ocr_low_contrast"
	// ProblemTruncated: beyond the last cell the line seems to go on
	// (ink, or glare brighter than the paper), so the zone may be wider
	// than read.
	ProblemTruncated = "ocr_zone_truncated"
)

// cellStats samples the window of cell c on a coarse grid and returns its
// mean, darkest and brightest values.
func cellStats(g *image.Gray, c ocrb.Cell) (mean, lo, hi float64) {
	cos, sin := math.Cos(c.Angle), math.Sin(c.Angle)
	lo, hi = 255, 0
	const nu, nv = 7, 9
	for j := range nv {
		v := (float64(j)+0.5)/nv*c.CapHeight*1.1 - c.CapHeight*0.55
		for i := range nu {
			u := (float64(i)+0.5)/nu*c.Pitch - c.Pitch/2
			p := sampleGray(g, c.CX+u*cos-v*sin, c.CY+u*sin+v*cos)
			mean += p
			lo, hi = min(lo, p), max(hi, p)
		}
	}
	return mean / (nu * nv), lo, hi
}

func sampleGray(g *image.Gray, x, y float64) float64 {
	b := g.Bounds()
	ix := min(max(int(math.Floor(x)), b.Min.X), b.Max.X-1)
	iy := min(max(int(math.Floor(y)), b.Min.Y), b.Max.Y-1)
	return float64(g.Pix[(iy-b.Min.Y)*g.Stride+(ix-b.Min.X)])
}

// checkContrast flags cells far fainter than the zone's typical cell, and
// lines that seem to continue beyond their last cell or end less than a
// cell before the picture's edge (a 44-wide zone cut at 36 characters
// reads as a valid visa or TD2 zone). cells are in image order (not
// flipped); ext are the next cells beyond each line's end, or nil.
func (r *reader) checkContrast(cells [][]ocrb.Cell, ext [][]ocrb.Cell) []string {
	var contrasts, papers []float64
	for _, row := range cells {
		for _, c := range row {
			_, lo, hi := cellStats(r.g, c)
			contrasts = append(contrasts, hi-lo)
			papers = append(papers, hi)
		}
	}
	if len(contrasts) == 0 {
		return nil
	}
	medC := median(contrasts)
	paper := median(papers)
	var problems []string
	if slices.Min(contrasts) < 0.35*medC {
		problems = append(problems, ProblemLowContrast)
	}
	for _, row := range ext {
		for k, c := range row {
			if !r.inside(c, r.picture) {
				if k == 0 {
					// No blank cell past the line: it may go on.
					return append(problems, ProblemTruncated)
				}
				continue
			}
			mean, lo, hi := cellStats(r.g, c)
			if hi-lo > 0.6*medC || mean > paper+12 {
				return append(problems, ProblemTruncated)
			}
		}
	}
	return problems
}
