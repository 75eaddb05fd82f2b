package document

import (
	"image"
	"image/draw"
	"math"

	"github.com/openidv/openidv/internal/face"
)

// Portrait is the holder's photo found on the document.
type Portrait struct {
	// Box is the face's bounding box in photo pixels.
	Box face.Box `json:"box"`
	// Score is the face detector's confidence.
	Score float64 `json:"score"`
	// Crop is the face with a margin, cut from the rectified document,
	// ready for face matching (face.IDPortrait).
	Crop *image.RGBA `json:"-"`
}

// findPortrait runs the face detector on the rectified colour document and
// returns the largest face, mapped back to the photo through toPhoto.
func findPortrait(fe *face.Engine, doc *image.RGBA, toPhoto Homography) (*Portrait, error) {
	faces, err := fe.Detect(doc)
	if err != nil || len(faces) == 0 {
		return nil, err
	}
	f := faces[0]
	b := f.Box
	// The photo box (rectified pixels) mapped to the photo's bounding box.
	q := Quad{{b.X, b.Y}, {b.X + b.Width, b.Y}, {b.X + b.Width, b.Y + b.Height}, {b.X, b.Y + b.Height}}
	r := toPhoto.ApplyQuad(q).Bounds()
	p := &Portrait{Box: face.Box{X: float64(r.Min.X), Y: float64(r.Min.Y), Width: float64(r.Dx()), Height: float64(r.Dy())}, Score: f.Score}
	// Crop with 40 % margin on each side, inside the document.
	m := 0.4 * math.Max(b.Width, b.Height)
	cr := image.Rect(int(b.X-m), int(b.Y-m), int(b.X+b.Width+m), int(b.Y+b.Height+m)).Intersect(doc.Rect)
	crop := image.NewRGBA(image.Rect(0, 0, cr.Dx(), cr.Dy()))
	draw.Draw(crop, crop.Rect, doc, cr.Min, draw.Src)
	p.Crop = crop
	return p, nil
}
