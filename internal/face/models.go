package face

import (
	"fmt"
	"image"

	"github.com/openidv/openidv/internal/face/nn"
	"github.com/openidv/openidv/internal/face/tinyface"
)

// DefaultModels loads the embedded networks: the dlib ResNet descriptor
// (package nn) and the TinyFaceDetector (package tinyface) at input size
// 416 and score threshold 0.5. Call it once per process and share the
// result; loading parses about 7 MB of weights.
func DefaultModels() (Models, error) {
	rec, err := nn.NewRecognizer()
	if err != nil {
		return Models{}, fmt.Errorf("face: load recogniser: %w", err)
	}
	det, err := tinyface.New()
	if err != nil {
		return Models{}, fmt.Errorf("face: load tiny face detector: %w", err)
	}
	return Models{
		DescribeChip:  rec.DescribeChip,
		DescribeImage: rec.Describe,
		DetectBoxes: func(img image.Image) ([]ScoredBox, error) {
			boxes, err := det.Detect(img, tinyface.Options{InputSize: 416, ScoreThreshold: 0.5})
			if err != nil {
				return nil, err
			}
			out := make([]ScoredBox, len(boxes))
			for i, b := range boxes {
				out[i] = ScoredBox{Box: Box{X: b.X, Y: b.Y, Width: b.Width, Height: b.Height}, Score: b.Score}
			}
			return out, nil
		},
	}, nil
}
