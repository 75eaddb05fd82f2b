package tinyface

import (
	"cmp"
	"math"
	"slices"
)

const (
	// numAnchors is the number of boxes predicted per grid cell.
	numAnchors = 5
	// boxEncoding is the number of values per box: x, y, w, h, score
	// (one class, so no class scores).
	boxEncoding = 5
	// iouThreshold is face-api's NMS overlap limit: a box overlapping a
	// better one by more than this is dropped.
	iouThreshold = 0.4
)

// anchors returns the TinyFaceDetector anchor sizes in grid cells
// (BOX_ANCHORS of face-api's tinyFaceDetector/const.ts).
func anchors() [numAnchors][2]float64 {
	return [numAnchors][2]float64{
		{1.603231, 2.094468},
		{6.041143, 7.080126},
		{2.882459, 3.518061},
		{4.266906, 5.178857},
		{9.041765, 10.66308},
	}
}

// candidate is a decoded box relative to the image (0..1 on each axis).
type candidate struct {
	x, y, w, h float64
	score      float64
}

// decode turns the network output grid into boxes in pixels of the w×h
// source image, as face-api's TinyYolov2Base.detect does.
func decode(out activation, w, h int, opt Options) []Box {
	cands := extractBoxes(out, w, h, opt)
	size := float64(opt.InputSize)
	keep := nonMaxSuppression(cands, size)
	if len(keep) == 0 {
		return nil
	}
	boxes := make([]Box, len(keep))
	for i, k := range keep {
		c := cands[k]
		boxes[i] = Box{X: c.x * float64(w), Y: c.y * float64(h), Width: c.w * float64(w), Height: c.h * float64(h), Score: c.score}
	}
	return boxes
}

// extractBoxes decodes every grid cell and anchor whose score is above the
// threshold. Coordinates are relative to the unpadded image: face-api
// scales by inputSize over the image's size once resized into the input.
func extractBoxes(out activation, w, h int, opt Options) []candidate {
	cells := out.h
	rw, rh := reshapedSize(w, h, opt.InputSize)
	size := float64(max(rw, rh))
	corrX, corrY := size/float64(rw), size/float64(rh)
	n := float64(cells)
	anc := anchors()
	thr := float64(opt.ScoreThreshold)
	var cands []candidate
	for row := range cells {
		for col := range cells {
			cell := out.data[(row*cells+col)*numAnchors*boxEncoding:]
			for a := range numAnchors {
				v := cell[a*boxEncoding : (a+1)*boxEncoding : (a+1)*boxEncoding]
				score := sigmoid(float64(v[4]))
				if !(score > thr) {
					continue
				}
				ctX := (float64(col) + sigmoid(float64(v[0]))) / n * corrX
				ctY := (float64(row) + sigmoid(float64(v[1]))) / n * corrY
				bw := math.Exp(float64(v[2])) * anc[a][0] / n * corrX
				bh := math.Exp(float64(v[3])) * anc[a][1] / n * corrY
				cands = append(cands, candidate{x: ctX - bw/2, y: ctY - bh/2, w: bw, h: bh, score: score})
			}
		}
	}
	return cands
}

// reshapedSize is face-api's computeReshapedDimensions: the image size once
// its longer side is scaled to inputSize, rounded half away from zero as
// JavaScript's Math.round does for positive values.
func reshapedSize(w, h, inputSize int) (rw, rh int) {
	scale := float64(inputSize) / float64(max(w, h))
	return int(math.Floor(float64(w)*scale + 0.5)), int(math.Floor(float64(h)*scale + 0.5))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// nonMaxSuppression returns the indices of the boxes kept, best first, as
// face-api's nonMaxSuppression does on the boxes scaled to the input size:
// repeatedly take the best remaining box and drop every remaining box whose
// IoU with it is above iouThreshold. Equal scores keep their original order
// the way face-api's stable ascending sort and pop do (the later one first).
func nonMaxSuppression(cands []candidate, size float64) []int {
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cands[a].score, cands[b].score) })
	var pick []int
	for len(order) > 0 {
		cur := order[len(order)-1]
		order = order[:len(order)-1]
		pick = append(pick, cur)
		kept := order[:0]
		for _, i := range order {
			if iou(cands[cur], cands[i], size) <= iouThreshold {
				kept = append(kept, i)
			}
		}
		order = kept
	}
	return pick
}

// iou is the intersection over union of two boxes scaled by size.
func iou(a, b candidate, size float64) float64 {
	ax0, ay0, ax1, ay1 := a.x*size, a.y*size, (a.x+a.w)*size, (a.y+a.h)*size
	bx0, by0, bx1, by1 := b.x*size, b.y*size, (b.x+b.w)*size, (b.y+b.h)*size
	iw := max(0, min(ax1, bx1)-max(ax0, bx0))
	ih := max(0, min(ay1, by1)-max(ay0, by0))
	inter := iw * ih
	areaA := (ax1 - ax0) * (ay1 - ay0)
	areaB := (bx1 - bx0) * (by1 - by0)
	return inter / (areaA + areaB - inter)
}
