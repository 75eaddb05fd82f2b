package face

import (
	"image"
	"math"
	"slices"

	pigo "github.com/esimov/pigo/core"
	"github.com/openidv/openidv/internal/imaging"
)

// minImageSide is the smallest width or height that can hold a face.
const minImageSide = 20

// Detect finds the faces of img and their pupils, largest first. Images
// longer than Config.MaxDetectSide are downscaled for the face cascade;
// boxes and pupils are returned in img's pixels (relative to its bounds'
// origin).
func (e *Engine) Detect(img image.Image) ([]Face, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, ErrEmptyImage
	}
	if b.Dx() < minImageSide || b.Dy() < minImageSide {
		return nil, nil // too thin to hold a face
	}
	g := imaging.ToGray(img)
	mode := e.cfg.Fallback
	if e.models.DetectBoxes == nil {
		mode = FallbackNever
	}
	var faces []Face
	if mode != FallbackAlways {
		faces = e.detectPigo(g)
	}
	if mode == FallbackAlways || mode == FallbackMerge || (mode == FallbackAuto && len(faces) == 0) {
		boxes, err := e.models.DetectBoxes(img)
		if err != nil {
			return nil, err
		}
		faces = mergeFaces(faces, e.facesFromBoxes(g, boxes))
	}
	slices.SortStableFunc(faces, func(a, b Face) int {
		return cmpFloat(b.Box.Area(), a.Box.Area())
	})
	return faces, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// detectPigo runs the face cascade on g downscaled to MaxDetectSide, then
// non-maximum suppression, then the pupil localiser at full resolution.
func (e *Engine) detectPigo(g *image.Gray) []Face {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	dw, dh, scale := imaging.FitSize(w, h, e.cfg.MaxDetectSide)
	dg := g
	if scale < 1 {
		dg = imaging.ResizeGray(g, dw, dh)
	}
	if min(dw, dh) < e.cfg.MinFaceSize {
		return nil
	}
	ip := pigo.ImageParams{Pixels: dg.Pix, Rows: dh, Cols: dw, Dim: dg.Stride}
	dets := e.finder.ClusterDetections(e.runScales(ip, min(dw, dh)), 0.2)
	var cands []Face
	for _, d := range dets {
		if float64(d.Q) < e.cfg.MinScore {
			continue
		}
		side := float64(d.Scale) / scale
		cx, cy := float64(d.Col)/scale, float64(d.Row)/scale
		cands = append(cands, Face{
			Box:      Box{X: cx - side/2, Y: cy - side/2, Width: side, Height: side},
			Score:    float64(d.Q),
			Detector: DetectorPigo,
			Scale:    scale,
		})
	}
	faces := suppress(cands, e.cfg.NMSIoU)
	src := gray{pix: g.Pix, w: w, h: h, step: g.Stride}
	for i := range faces {
		faces[i].Pupils = e.pupils(src, faces[i].Box)
	}
	return faces
}

// runScales runs the face cascade at every window size pigo's RunCascade
// would visit (MinFaceSize up to maxSize, ×1.1 each step), spreading the
// sizes over up to two goroutines; the detections are identical to one
// RunCascade call, in an order that does not depend on scheduling.
func (e *Engine) runScales(ip pigo.ImageParams, maxSize int) []pigo.Detection {
	var scales []int
	for s := e.cfg.MinFaceSize; s <= maxSize; s = int(float64(s) + math.Max(2, float64(s)*0.1)) {
		scales = append(scales, s)
	}
	run := func(part int, out *[]pigo.Detection) {
		for i := part; i < len(scales); i += 2 {
			cp := pigo.CascadeParams{MinSize: scales[i], MaxSize: scales[i], ShiftFactor: 0.1, ScaleFactor: 1.1, ImageParams: ip}
			*out = append(*out, e.finder.RunCascade(cp, 0)...)
		}
	}
	var even, odd []pigo.Detection
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(1, &odd)
	}()
	run(0, &even)
	<-done
	return append(even, odd...)
}

// suppress keeps the strongest of overlapping boxes: a box is dropped when
// its IoU with a stronger kept box exceeds iou, or when it lies mostly
// (over 60 %) inside one.
func suppress(cands []Face, iou float64) []Face {
	slices.SortStableFunc(cands, func(a, b Face) int { return cmpFloat(b.Score, a.Score) })
	var kept []Face
	for _, c := range cands {
		ok := true
		for _, k := range kept {
			if c.Box.IoU(k.Box) > iou || containment(c.Box, k.Box) > 0.6 {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, c)
		}
	}
	return kept
}

// containment is the fraction of the smaller box covered by the other.
func containment(a, b Box) float64 {
	iw := min(a.X+a.Width, b.X+b.Width) - max(a.X, b.X)
	ih := min(a.Y+a.Height, b.Y+b.Height) - max(a.Y, b.Y)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	return iw * ih / min(a.Area(), b.Area())
}

// mergeFaces adds to base the extra faces whose centre lies in no base box
// and that overlap none.
func mergeFaces(base, extra []Face) []Face {
	for _, x := range extra {
		dup := false
		for _, b := range base {
			if inside(x.Box.Center(), b.Box, 0) || inside(b.Box.Center(), x.Box, 0) || x.Box.IoU(b.Box) > 0.2 {
				dup = true
				break
			}
		}
		if !dup {
			base = append(base, x)
		}
	}
	return base
}

// facesFromBoxes turns box-detector output into faces with pupils.
func (e *Engine) facesFromBoxes(g *image.Gray, boxes []ScoredBox) []Face {
	src := gray{pix: g.Pix, w: g.Rect.Dx(), h: g.Rect.Dy(), step: g.Stride}
	var cands []Face
	for _, sb := range boxes {
		if sb.Box.Width <= 1 || sb.Box.Height <= 1 {
			continue
		}
		cands = append(cands, Face{Box: sb.Box, Score: sb.Score, Detector: DetectorTinyFace, Scale: 1})
	}
	faces := suppress(cands, e.cfg.NMSIoU)
	for i := range faces {
		faces[i].Pupils = e.pupils(src, tinyToPigoWindow(faces[i].Box))
	}
	return faces
}

// tinyToPigoWindow maps a TinyFaceDetector box to the square window pigo
// would report for the same face: the TinyFaceDetector's boxes reach
// further below the chin and to the sides. Measured on the 17 faces of the
// group photos both detectors find: pigo's centre sits at the box's
// horizontal centre and a third of its height, its side is 0.73 of the
// box's width.
func tinyToPigoWindow(b Box) Box {
	side := 0.73 * b.Width
	cx, cy := b.X+b.Width/2, b.Y+0.33*b.Height
	return Box{X: cx - side/2, Y: cy - side/2, Width: side, Height: side}
}

// pupils locates both pupils inside a square face window, falling back to
// the window's average eye positions when the result is implausible.
func (e *Engine) pupils(g gray, b Box) Pupils {
	side := b.Width
	cx, cy := b.Center().X, b.Center().Y
	r := cy - 0.075*side
	est := Pupils{
		Left:      Point{X: cx - 0.175*side, Y: r},
		Right:     Point{X: cx + 0.185*side, Y: r},
		Estimated: true,
	}
	if side < 8 {
		return est
	}
	p := Pupils{
		Left:  e.pup.locate(r, est.Left.X, 0.25*side, g, false),
		Right: e.pup.locate(r, est.Right.X, 0.25*side, g, false),
	}
	d := p.Distance()
	dy := math.Abs(p.Right.Y - p.Left.Y)
	if p.Left.X >= p.Right.X || d < 0.2*side || d > 0.75*side || dy > 0.5*d ||
		!inside(p.Left, b, 0.1) || !inside(p.Right, b, 0.1) {
		return est
	}
	return p
}

// inside reports whether p lies in b grown by margin×side on each side.
func inside(p Point, b Box, margin float64) bool {
	mx, my := margin*b.Width, margin*b.Height
	return p.X >= b.X-mx && p.X <= b.X+b.Width+mx && p.Y >= b.Y-my && p.Y <= b.Y+b.Height+my
}

func hypot(x, y float64) float64 { return math.Hypot(x, y) }
