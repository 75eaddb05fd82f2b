package face

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// puploc is pigo's pupil localisation cascade (same file format and tree
// evaluation as github.com/esimov/pigo/core/puploc.go, MIT) with one
// change: the perturbations of the start window come from a fixed
// low-discrepancy sequence instead of math/rand, so results are
// reproducible.
type puploc struct {
	stages, trees, depth int
	scale                float32
	codes                []int8
	preds                []float32
}

// numPerturbs is how many perturbed windows are run per eye (the median of
// their results is kept). pigo's examples use 63.
const numPerturbs = 31

var errPuplocFormat = errors.New("face: malformed puploc cascade")

// parsePuploc reads a puploc cascade, checking every length.
func parsePuploc(b []byte) (*puploc, error) {
	if len(b) < 16 {
		return nil, errPuplocFormat
	}
	p := &puploc{
		stages: int(binary.LittleEndian.Uint32(b[0:])),
		scale:  math.Float32frombits(binary.LittleEndian.Uint32(b[4:])),
		trees:  int(binary.LittleEndian.Uint32(b[8:])),
		depth:  int(binary.LittleEndian.Uint32(b[12:])),
	}
	if p.depth < 1 || p.depth > 10 || p.stages < 1 || p.trees < 1 || p.stages*p.trees > 1<<16 {
		return nil, fmt.Errorf("%w: %d stages, %d trees, depth %d", errPuplocFormat, p.stages, p.trees, p.depth)
	}
	leaves := 1 << p.depth
	codeLen, predLen := 4*leaves-4, 2*leaves
	n := p.stages * p.trees
	if len(b) != 16+n*(codeLen+4*predLen) {
		return nil, fmt.Errorf("%w: %d bytes", errPuplocFormat, len(b))
	}
	p.codes = make([]int8, 0, n*codeLen)
	p.preds = make([]float32, 0, n*predLen)
	pos := 16
	for range n {
		for _, c := range b[pos : pos+codeLen] {
			p.codes = append(p.codes, int8(c))
		}
		pos += codeLen
		for range predLen {
			p.preds = append(p.preds, math.Float32frombits(binary.LittleEndian.Uint32(b[pos:])))
			pos += 4
		}
	}
	return p, nil
}

// gray is a read-only 8-bit luma plane.
type gray struct {
	pix        []uint8
	w, h, step int
}

// run refines one window (row r, column c, size s) and returns the
// refined position. flip mirrors the trees for the right eye.
func (p *puploc) run(r, c, s float32, img gray, flip bool) (float32, float32) {
	leaves := 1 << p.depth
	root := 0
	for i := 0; i < p.stages; i++ {
		var dr, dc float32
		si := int(math.Round(float64(s)))
		ri, ci := int(r), int(c)
		for j := 0; j < p.trees; j++ {
			idx := 0
			for k := 0; k < p.depth; k++ {
				n := root + 4*idx
				c1, c2 := int(p.codes[n+1]), int(p.codes[n+3])
				if flip {
					c1, c2 = -c1, -c2
				}
				r1 := clampIdx((256*ri+int(p.codes[n+0])*si)>>8, img.h)
				r2 := clampIdx((256*ri+int(p.codes[n+2])*si)>>8, img.h)
				x1 := clampIdx((256*ci+c1*si)>>8, img.w)
				x2 := clampIdx((256*ci+c2*si)>>8, img.w)
				bit := 0
				if img.pix[r1*img.step+x1] > img.pix[r2*img.step+x2] {
					bit = 1
				}
				idx = 2*idx + 1 + bit
			}
			lut := 2 * (p.trees*leaves*i + leaves*j + idx - (leaves - 1))
			dr += p.preds[lut]
			if flip {
				dc -= p.preds[lut+1]
			} else {
				dc += p.preds[lut+1]
			}
			root += 4*leaves - 4
		}
		r += dr * s
		c += dc * s
		s *= p.scale
	}
	return r, c
}

func clampIdx(v, n int) int { return min(max(v, 0), n-1) }

// locate runs numPerturbs perturbed windows around (r, c, s) and returns
// the median refined position (x, y).
func (p *puploc) locate(r, c, s float64, img gray, flip bool) Point {
	var rows, cols [numPerturbs]float32
	for i := range numPerturbs {
		u, v, w := lowDiscrepancy(i)
		rr := float32(r + s*0.15*(0.5-u))
		cc := float32(c + s*0.15*(0.5-v))
		ss := float32(s * (0.925 + 0.15*w))
		rows[i], cols[i] = p.run(rr, cc, ss, img, flip)
	}
	slices.Sort(rows[:])
	slices.Sort(cols[:])
	return Point{X: float64(cols[numPerturbs/2]), Y: float64(rows[numPerturbs/2])}
}

// lowDiscrepancy returns the i-th point of a 3-d additive recurrence
// (R3 sequence), each coordinate in [0, 1).
func lowDiscrepancy(i int) (u, v, w float64) {
	const g = 1.2207440846057596 // plastic-number generalisation for 3-d
	n := float64(i + 1)
	frac := func(x float64) float64 { return x - math.Floor(x) }
	return frac(0.5 + n/g), frac(0.5 + n/(g*g)), frac(0.5 + n/(g*g*g))
}
