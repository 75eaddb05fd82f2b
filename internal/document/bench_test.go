package document_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"math/rand"
	"testing"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/imaging"
)

// benchPhoto is a 1280×960 synthetic TD3 photo, JPEG-decoded (so
// *image.YCbCr, as a browser capture arrives), with its document outline.
func benchPhoto(b *testing.B) (image.Image, *docsynth.Sample) {
	b.Helper()
	rd := synthRenderer(b)
	r := rand.New(rand.NewSource(2))
	page := rd.Render(docsynth.TD3, docsynth.Specimen(docsynth.TD3), nil, r)
	s, err := docsynth.Photo(page, docsynth.RandomPlacement(docsynth.TD3, r), docsynth.Clean, r)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, s.Image, &jpeg.Options{Quality: 90}); err != nil {
		b.Fatal(err)
	}
	img, _, err := imaging.DecodeBytes(buf.Bytes(), imaging.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	return img, s
}

// BenchmarkQuality measures the quality metrics (luma, sharpness on the
// document and MRZ band, glare blobs, exposure) on a 1280×960 YCbCr photo.
func BenchmarkQuality(b *testing.B) {
	img, s := benchPhoto(b)
	reg := document.Regions{Document: s.Quad, MRZ: s.MRZQuad}
	for b.Loop() {
		document.Assess(img, nil, reg)
	}
}

// BenchmarkQualityGenericBaseline is the same through image.Image's At
// method only (the code one writes first): the baseline for the typed
// fast paths.
func BenchmarkQualityGenericBaseline(b *testing.B) {
	img, s := benchPhoto(b)
	reg := document.Regions{Document: s.Quad, MRZ: s.MRZQuad}
	for b.Loop() {
		document.Assess(generic{img}, nil, reg)
	}
}

// BenchmarkInspect is the whole pipeline without the portrait: luma,
// detection, rectification, MRZ read, quality, classification.
func BenchmarkInspect(b *testing.B) {
	img, _ := benchPhoto(b)
	for b.Loop() {
		rep, err := document.Inspect(img, document.Options{Now: now})
		if err != nil || rep.MRZ == nil || !rep.MRZ.Accepted {
			b.Fatalf("inspect: %v %+v", err, rep)
		}
	}
}

// BenchmarkDetectRectify is detection and rectification alone.
func BenchmarkDetectRectify(b *testing.B) {
	img, _ := benchPhoto(b)
	g := imaging.ToGray(img)
	for b.Loop() {
		d := document.Detect(g)
		if _, ok := document.Rectify(g, d.Quad); !ok {
			b.Fatal("no rectification")
		}
	}
}
