package tinyface

import (
	"math"
	"slices"
	"testing"
)

func TestNonMaxSuppression(t *testing.T) {
	// Boxes relative to a 100-pixel input.
	cands := []candidate{
		{x: 0.10, y: 0.10, w: 0.20, h: 0.20, score: 0.6},  // 0: overlaps 1 by IoU 0.82: dropped
		{x: 0.12, y: 0.10, w: 0.20, h: 0.20, score: 0.9},  // 1: best
		{x: 0.50, y: 0.50, w: 0.20, h: 0.20, score: 0.7},  // 2: apart
		{x: 0.50, y: 0.62, w: 0.20, h: 0.20, score: 0.65}, // 3: IoU with 2 = 0.25: kept
		{x: 0.60, y: 0.50, w: 0.20, h: 0.20, score: 0.55}, // 4: IoU with 2 = 1/3: kept
		{x: 0.55, y: 0.50, w: 0.20, h: 0.20, score: 0.5},  // 5: IoU with 2 = 0.6: dropped
	}
	got := nonMaxSuppression(cands, 100)
	want := []int{1, 2, 3, 4}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := nonMaxSuppression(nil, 100); len(got) != 0 {
		t.Errorf("no candidates: got %v, want none", got)
	}
}

func TestIoU(t *testing.T) {
	a := candidate{x: 0, y: 0, w: 0.2, h: 0.2}
	tests := []struct {
		b    candidate
		want float64
	}{
		{a, 1},
		{candidate{x: 0.1, y: 0, w: 0.2, h: 0.2}, 1.0 / 3},
		{candidate{x: 0.2, y: 0, w: 0.2, h: 0.2}, 0},
		{candidate{x: 0.5, y: 0.5, w: 0.1, h: 0.1}, 0},
	}
	for _, tc := range tests {
		if got := iou(a, tc.b, 416); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("iou(%+v, %+v) = %v, want %v", a, tc.b, got, tc.want)
		}
	}
}

func TestReshapedSize(t *testing.T) {
	tests := []struct {
		w, h, size   int
		wantW, wantH int
	}{
		{640, 480, 416, 416, 312},
		{1366, 768, 416, 416, 234}, // 233.86
		{675, 469, 416, 416, 289},  // 289.04
		{150, 150, 416, 416, 416},
		{3, 2, 32, 32, 21}, // 21.33
		{2, 3, 32, 21, 32},
		{8, 1, 32, 32, 4},
		{64, 5, 32, 32, 3}, // 2.5 rounds up, as Math.round does
	}
	for _, tc := range tests {
		gotW, gotH := reshapedSize(tc.w, tc.h, tc.size)
		if gotW != tc.wantW || gotH != tc.wantH {
			t.Errorf("reshapedSize(%d, %d, %d) = %d×%d, want %d×%d", tc.w, tc.h, tc.size, gotW, gotH, tc.wantW, tc.wantH)
		}
	}
}

func TestExtractBoxes(t *testing.T) {
	// One cell (row 1, col 2) of a 13×13 grid, anchor 3, all logits 0:
	// centre ((2 + 0.5)/13, (1 + 0.5)/13), size anchor/13, score 0.5.
	out := activation{h: 13, w: 13, c: 25, data: make([]float32, 13*13*25)}
	for i := range out.data {
		out.data[i] = -20 // score ≈ 0
	}
	cell := out.data[(1*13+2)*25+3*5:]
	cell[0], cell[1], cell[2], cell[3], cell[4] = 0, 0, 0, 0, 2 // score sigmoid(2) ≈ 0.88
	got := extractBoxes(out, 416, 416, Options{InputSize: 416, ScoreThreshold: 0.5})
	if len(got) != 1 {
		t.Fatalf("got %d boxes, want 1", len(got))
	}
	anc := anchors()[3]
	want := candidate{
		x: 2.5/13 - anc[0]/13/2, y: 1.5/13 - anc[1]/13/2,
		w: anc[0] / 13, h: anc[1] / 13, score: 1 / (1 + math.Exp(-2)),
	}
	if d := math.Abs(got[0].x-want.x) + math.Abs(got[0].y-want.y) + math.Abs(got[0].w-want.w) +
		math.Abs(got[0].h-want.h) + math.Abs(got[0].score-want.score); d > 1e-9 {
		t.Errorf("got %+v, want %+v", got[0], want)
	}
	// A landscape image: x stays relative to the width, y is stretched by
	// inputSize over the resized height (face-api's correction factor).
	wide := extractBoxes(out, 640, 320, Options{InputSize: 416, ScoreThreshold: 0.5})
	if gotY, wantY := wide[0].y, want.y*2; math.Abs(gotY-wantY) > 1e-9 {
		t.Errorf("landscape y: got %v, want %v", gotY, wantY)
	}
	if none := extractBoxes(out, 416, 416, Options{InputSize: 416, ScoreThreshold: 0.9}); len(none) != 0 {
		t.Errorf("threshold 0.9: got %d boxes, want 0", len(none))
	}
}
