package tinyface

import (
	"image"
	"image/color"
	"testing"
)

// BenchmarkDetect640x480 times one detection (preprocessing, network, box
// decoding) on a 640×480 RGBA frame at the default input size 416. Compare
// with tools/faceapi/bench.mjs (tiny_face_detector_640x480), run back to
// back on the same machine.
func BenchmarkDetect640x480(b *testing.B) {
	benchDetect(b, gradient(640, 480))
}

// BenchmarkDetect640x480YCbCr is the same on a 4:2:0 YCbCr frame, the type
// image/jpeg decodes camera JPEGs into.
func BenchmarkDetect640x480YCbCr(b *testing.B) {
	src := gradient(640, 480)
	img := image.NewYCbCr(src.Bounds(), image.YCbCrSubsampleRatio420)
	for y := range 480 {
		for x := range 640 {
			c := src.RGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			img.Y[img.YOffset(x, y)] = yy
			img.Cb[img.COffset(x, y)] = cb
			img.Cr[img.COffset(x, y)] = cr
		}
	}
	benchDetect(b, img)
}

func benchDetect(b *testing.B, img image.Image) {
	d, err := New()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Detect(img, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
