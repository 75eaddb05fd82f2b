package imaging

import (
	"image"
	"testing"

	xdraw "golang.org/x/image/draw"
)

// BenchmarkResizeGray shrinks a 1920×1080 luma plane to 800×450, as
// detection does with a camera frame.
func BenchmarkResizeGray(b *testing.B) {
	src := ToGray(gradient(1920, 1080))
	b.ReportAllocs()
	for b.Loop() {
		ResizeGray(src, 800, 450)
	}
}

// BenchmarkResizeGrayXDrawApproxBiLinear is the baseline a user would pick:
// golang.org/x/image/draw's ApproxBiLinear on the same plane (faster, but
// it aliases when shrinking 2.4×).
func BenchmarkResizeGrayXDrawApproxBiLinear(b *testing.B) {
	src := ToGray(gradient(1920, 1080))
	b.ReportAllocs()
	for b.Loop() {
		dst := image.NewGray(image.Rect(0, 0, 800, 450))
		xdraw.ApproxBiLinear.Scale(dst, dst.Rect, src, src.Rect, xdraw.Src, nil)
	}
}

// BenchmarkResizeGrayXDrawBiLinear is x/image/draw's exact BiLinear, the
// baseline of the same quality class.
func BenchmarkResizeGrayXDrawBiLinear(b *testing.B) {
	src := ToGray(gradient(1920, 1080))
	b.ReportAllocs()
	for b.Loop() {
		dst := image.NewGray(image.Rect(0, 0, 800, 450))
		xdraw.BiLinear.Scale(dst, dst.Rect, src, src.Rect, xdraw.Src, nil)
	}
}

// BenchmarkDecodeJPEG decodes a 1280×960 JPEG with limits and converts it
// to luma (the first step of every check).
func BenchmarkDecodeJPEG(b *testing.B) {
	data := encodeJPEG(b, gradient(1280, 960))
	b.ReportAllocs()
	for b.Loop() {
		img, _, err := DecodeBytes(data, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		ToGray(img)
	}
}
