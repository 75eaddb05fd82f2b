package face

import (
	"image"
)

// Analysis is the outcome of detecting, aligning and gating one image.
type Analysis struct {
	// Kind is the kind of image analysed.
	Kind Kind `json:"kind"`
	// Width and Height are the image's dimensions.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Faces are all faces found, largest first.
	Faces []Face `json:"faces"`
	// Face is the dominant face (Faces[0]), nil when none was found.
	Face *Face `json:"face,omitempty"`
	// Chip is the aligned 150×150 chip of Face.
	Chip *image.RGBA `json:"-"`
	// InterPupil is Face's inter-pupil distance in source pixels.
	InterPupil float64 `json:"inter_pupil"`
	// Sharpness is the variance of the Laplacian over the chip's face region.
	Sharpness float64 `json:"sharpness"`
	// Glare is the fraction of clipped-white pixels in the chip's face region.
	Glare float64 `json:"glare"`
	// Outside is the fraction of the chip's face region, or of the face box
	// if larger, that lies outside the image.
	Outside float64 `json:"outside"`
	// Reasons are the failed gates, empty when the face is usable.
	Reasons []Reason `json:"reasons"`
}

// Usable reports whether every gate passed.
func (a *Analysis) Usable() bool { return a.Face != nil && len(a.Reasons) == 0 }

// Analyze detects the faces of img and checks the gates that must pass
// before the dominant face is matched: a selfie must not be landscape;
// exactly one dominant face; a minimum inter-pupil distance; the face
// inside the frame; sharpness; no glare. All failing gates are reported.
func (e *Engine) Analyze(img image.Image, kind Kind) (*Analysis, error) {
	b := img.Bounds()
	a := &Analysis{Kind: kind, Width: b.Dx(), Height: b.Dy(), Reasons: []Reason{}}
	if kind == Selfie && a.Width > a.Height {
		a.Reasons = append(a.Reasons, ReasonImageNotPortrait)
	}
	faces, err := e.Detect(img)
	if err != nil {
		return nil, err
	}
	a.Faces = faces
	if len(faces) == 0 {
		a.Reasons = append(a.Reasons, ReasonFaceNotDetected)
		return a, nil
	}
	a.Face = &a.Faces[0]
	if len(faces) > 1 && faces[1].Box.Width >= e.cfg.DominanceRatio*faces[0].Box.Width {
		a.Reasons = append(a.Reasons, ReasonMultipleFaces)
	}
	a.InterPupil = a.Face.Pupils.Distance()
	if a.InterPupil < e.cfg.MinInterPupil {
		a.Reasons = append(a.Reasons, ReasonTooFar)
	}
	a.Chip, a.Outside = Align(img, a.Face.Pupils)
	a.Outside = max(a.Outside, boxOutside(a.Face.Box, a.Width, a.Height))
	if a.Outside > e.cfg.MaxOutside {
		a.Reasons = append(a.Reasons, ReasonCropTooSmall)
	}
	a.Sharpness = Sharpness(a.Chip)
	if a.Sharpness < e.cfg.MinSharpness {
		a.Reasons = append(a.Reasons, ReasonLowSharpness)
	}
	a.Glare = Glare(a.Chip)
	if a.Glare > e.cfg.MaxGlare {
		a.Reasons = append(a.Reasons, ReasonGlare)
	}
	return a, nil
}

// boxOutside is the fraction of b outside a w×h frame.
func boxOutside(b Box, w, h int) float64 {
	if b.Area() <= 0 {
		return 0
	}
	in := Box{X: 0, Y: 0, Width: float64(w), Height: float64(h)}
	iw := min(b.X+b.Width, in.Width) - max(b.X, 0)
	ih := min(b.Y+b.Height, in.Height) - max(b.Y, 0)
	if iw <= 0 || ih <= 0 {
		return 1
	}
	return 1 - iw*ih/b.Area()
}

// chipLuma returns the BT.601 luma of a chip pixel.
func chipLuma(p []uint8) float64 {
	return 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
}

// Sharpness returns the variance of the 4-neighbour Laplacian of the luma
// over the face region of a 150×150 chip. Blurred faces score low.
func Sharpness(chip *image.RGBA) float64 {
	r := faceRegion.Intersect(chip.Rect.Inset(1))
	var sum, sq float64
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := chipLuma(chip.Pix[chip.PixOffset(x, y):])
			l := chipLuma(chip.Pix[chip.PixOffset(x-1, y):]) + chipLuma(chip.Pix[chip.PixOffset(x+1, y):]) +
				chipLuma(chip.Pix[chip.PixOffset(x, y-1):]) + chipLuma(chip.Pix[chip.PixOffset(x, y+1):]) - 4*c
			sum += l
			sq += l * l
			n++
		}
	}
	if n == 0 {
		return 0
	}
	m := sum / float64(n)
	return sq/float64(n) - m*m
}

// Glare returns the fraction of the chip's face region whose three
// channels are all clipped (≥ 250).
func Glare(chip *image.RGBA) float64 {
	r := faceRegion.Intersect(chip.Rect)
	n, clipped := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			p := chip.Pix[chip.PixOffset(x, y):]
			n++
			if p[0] >= 250 && p[1] >= 250 && p[2] >= 250 {
				clipped++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(clipped) / float64(n)
}
