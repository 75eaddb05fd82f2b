package mrzocr

import (
	"math"
	"slices"
	"sort"

	"github.com/openidv/openidv/internal/document/mrz"
	"github.com/openidv/openidv/internal/document/ocrb"
)

// hypothesis is one way of laying cells on a group: a number per line
// between the extents, upright or upside down, sheared or not.
type hypothesis struct {
	flip  bool
	shear float64
	cells [][]ocrb.Cell // in reading order (after any flip)
	after [][]ocrb.Cell // for 36-wide zones, the two cells past each line's end
	probe float64       // mean best score over a sample of cells
}

// slantEdge is the lead in probe score that upright cells need over cells
// sheared to a measured slant: the probe samples too few cells to tell
// them apart reliably, and a slanted I read upright is a confident Z.
const slantEdge = 0.01

// fullReads bounds the hypotheses per group that are read in full, best
// probe first.
const fullReads = 4

// readGroup reads g as every width its line count allows, upright and
// upside down, over a few guesses of where the zone starts and ends (a
// stray mark beside one line widens that line's ink), and with upright
// cells and, when shear is not 0, cells sheared by it (the slant measured
// from the glyphs' edges), which win near ties of the probe. It
// classifies a sample of cells for every guess and reads the most
// convincing guesses in full, stopping at the first valid reading.
func (r *reader) readGroup(g group, shear float64) []*Reading {
	shears := []float64{0}
	if shear != 0 {
		shears = append(shears, shear)
	}
	widths := []int{44, 36}
	if len(g) == 3 {
		widths = []int{30}
	}
	h := 0.0
	for _, l := range g {
		h += l.h / float64(len(g))
	}
	var hyps []hypothesis
	for _, s := range shears {
		d := lineOffsets(g, s)
		// Every line of a zone starts and ends with ink in the same
		// columns (once the slant's offset of each line is undone), and
		// all use one type size: measure them together.
		outer := [2]float64{math.Inf(1), math.Inf(-1)}
		inner := [2]float64{math.Inf(-1), math.Inf(1)}
		for i, l := range g {
			outer = [2]float64{min(outer[0], l.u0-d[i]), max(outer[1], l.u1-d[i])}
			inner = [2]float64{max(inner[0], l.u0-d[i]), min(inner[1], l.u1-d[i])}
		}
		for _, n := range widths {
			pitch := (inner[1] - inner[0]) / (float64(n) - 0.45)
			extents := [][2]float64{inner}
			if outer[0] < inner[0]-0.4*pitch || outer[1] > inner[1]+0.4*pitch {
				extents = append(extents, outer)
			}
			extents = append(extents, [2]float64{inner[0] + pitch, inner[1]}, [2]float64{inner[0], inner[1] - pitch})
			for _, ext := range extents {
				for _, flip := range []bool{false, true} {
					if cells, after, ok := r.layout(g, n, flip, ext, h, s, d); ok {
						hyps = append(hyps, hypothesis{flip: flip, shear: s, cells: cells, after: after})
					}
				}
			}
		}
	}
	for i := range hyps {
		if r.exhausted() {
			hyps = hyps[:i]
			break
		}
		hyps[i].probe = r.probe(hyps[i].cells)
	}
	key := func(hy hypothesis) float64 {
		if hy.shear != 0 {
			return hy.probe + slantEdge
		}
		return hy.probe
	}
	sort.SliceStable(hyps, func(i, j int) bool { return key(hyps[i]) > key(hyps[j]) })
	var out []*Reading
	for i := 0; i < len(hyps) && i < fullReads && !r.exhausted(); i++ {
		rd := r.readAs(g, hyps[i])
		if rd == nil {
			continue
		}
		out = append(out, rd)
		if rd.Result.Valid {
			break
		}
	}
	return out
}

// layout places n cells per line of g between the extents ext (moved by
// d[i] along line i), with glyph height h and slant shear, in reading
// order, and for 36-wide zones the two cells past each line's end.
func (r *reader) layout(g group, n int, flip bool, ext [2]float64, h, shear float64, d []float64) ([][]ocrb.Cell, [][]ocrb.Cell, bool) {
	cells := make([][]ocrb.Cell, len(g))
	after := make([][]ocrb.Cell, len(g))
	base := ext
	for i, l := range g {
		ext := [2]float64{base[0] + d[i], base[1] + d[i]}
		a, b, ok := gridFit(l, n, ext[0], ext[1], h)
		if !ok {
			return nil, nil, false
		}
		grid := fitCells(l, n, a, b)
		// The cells must span the ink: a grid of the wrong width that
		// locked onto the true pitch leaves glyphs beyond one end.
		first, last := grid.at(0)-grid.pitchAt(0)/2, grid.at(n-1)+grid.pitchAt(n-1)/2
		if math.Abs(first-ext[0]) > 0.7*grid.pitchAt(0) || math.Abs(last-ext[1]) > 0.7*grid.pitchAt(n-1) {
			return nil, nil, false
		}
		cellAt := func(k int) ocrb.Cell {
			x, y := l.point(grid.at(k), l.centreAt(grid.at(k)))
			c := ocrb.Cell{CX: x/r.scale + float64(r.origin.X), CY: y/r.scale + float64(r.origin.Y), Pitch: grid.pitchAt(k) / r.scale, CapHeight: h / r.scale, Angle: l.angle, Shear: shear}
			if flip {
				c.Angle += math.Pi
			}
			return c
		}
		row := make([]ocrb.Cell, n)
		for k := range n {
			row[k] = cellAt(k)
		}
		// Only a 36-wide zone could be a 44-wide one cut short (by glare
		// or the picture's edge); look past its end.
		if n == 36 {
			after[i] = []ocrb.Cell{cellAt(n), cellAt(n + 1)}
			if flip {
				after[i] = []ocrb.Cell{cellAt(-1), cellAt(-2)}
			}
		}
		if flip {
			slices.Reverse(row)
		}
		cells[i] = row
	}
	if flip {
		slices.Reverse(cells)
	}
	return cells, after, true
}

// probe classifies every fourth cell and returns the mean best score.
func (r *reader) probe(cells [][]ocrb.Cell) float64 {
	var sum float64
	n := 0
	for _, row := range cells {
		for k := 1; k < len(row); k += 4 {
			sum += float64(r.classify(row[k])[0].Score)
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// readAs classifies every cell of hypothesis hy, then corrects and parses
// the lines.
func (r *reader) readAs(g group, hy hypothesis) *Reading {
	ranked := make([][][]ocrb.Candidate, len(hy.cells))
	for i, row := range hy.cells {
		ranked[i] = make([][]ocrb.Candidate, len(row))
		for k, c := range row {
			ranked[i][k] = r.classifyCareful(c)
		}
	}
	lines, conf, corrected := correct(ranked)
	res, err := mrz.Parse(lines, r.now)
	if err != nil {
		return nil
	}
	rd := &Reading{Lines: lines, Format: res.Format, Confidence: conf, Corrected: corrected, Result: res}
	least := float32(MinUnprotectedConfidence)
	if hy.shear != 0 {
		least = MinSlantedConfidence
	}
	gateConfidence(rd, least)
	if problems := r.checkContrast(hy.cells, hy.after); len(problems) > 0 {
		rd.Result.Valid = false
		rd.Result.Problems = append(rd.Result.Problems, problems...)
	}
	rd.Angle = g[0].angle * 180 / math.Pi
	if hy.flip {
		rd.Angle += 180
	}
	rd.Quad, rd.Band = r.bounds(g)
	return rd
}

// lineOffsets returns how far along the lines slant s moves each line of
// g relative to the group's middle: a line lower by dv starts s·dv further
// along, since every column of the zone leans with its glyphs.
func lineOffsets(g group, s float64) []float64 {
	d := make([]float64, len(g))
	if s == 0 {
		return d
	}
	vs := make([]float64, len(g))
	mean := 0.0
	for i, l := range g {
		x, y := l.point((l.u0+l.u1)/2, l.v)
		_, vs[i] = frame(g[0].angle, x, y)
		mean += vs[i] / float64(len(g))
	}
	for i := range g {
		d[i] = s * (vs[i] - mean)
	}
	return d
}
