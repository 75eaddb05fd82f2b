package imaging

import (
	"image"
	"image/draw"
)

// ToRGBA returns img as an *image.RGBA with bounds starting at (0, 0). An
// *image.RGBA that already starts at the origin is returned as is (callers
// must not modify it); other types are converted with image/draw, whose
// fast paths cover *image.YCbCr, *image.NRGBA, *image.Gray and *image.CMYK.
func ToRGBA(img image.Image) *image.RGBA {
	if m, ok := img.(*image.RGBA); ok && m.Rect.Min == (image.Point{}) {
		return m
	}
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, img, b.Min, draw.Src)
	return dst
}

// ToGray returns the luma (BT.601: 0.299 R + 0.587 G + 0.114 B) of img as an
// *image.Gray with bounds starting at (0, 0). An *image.Gray at the origin is
// returned as is; an *image.YCbCr shares its Y plane (or copies it when
// its bounds do not start at the origin); in both cases callers must not
// modify the result. *image.RGBA and
// *image.NRGBA are converted directly from their pixel slices (alpha is
// ignored).
func ToGray(img image.Image) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.Gray:
		if m.Rect.Min == (image.Point{}) {
			return m
		}
		dst := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			copy(dst.Pix[y*dst.Stride:y*dst.Stride+w], m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):])
		}
		return dst
	case *image.YCbCr:
		if m.Rect.Min == (image.Point{}) {
			// The Y plane is the luma: share it instead of copying.
			return &image.Gray{Pix: m.Y, Stride: m.YStride, Rect: m.Rect}
		}
		dst := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(dst.Pix[y*dst.Stride:y*dst.Stride+w], m.Y[off:off+w])
		}
		return dst
	case *image.RGBA:
		return grayFromInterleaved(m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, w, h)
	case *image.NRGBA:
		return grayFromInterleaved(m.Pix[m.PixOffset(b.Min.X, b.Min.Y):], m.Stride, w, h)
	}
	rgba := ToRGBA(img)
	return grayFromInterleaved(rgba.Pix, rgba.Stride, w, h)
}

// grayFromInterleaved converts 4-byte RGBx pixels, row stride s, to luma.
func grayFromInterleaved(pix []uint8, s, w, h int) *image.Gray {
	dst := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		src := pix[y*s : y*s+4*w]
		out := dst.Pix[y*dst.Stride : y*dst.Stride+w]
		for x := range out {
			r, g, b := uint32(src[4*x]), uint32(src[4*x+1]), uint32(src[4*x+2])
			out[x] = uint8((19595*r + 38470*g + 7471*b + 1<<15) >> 16)
		}
	}
	return dst
}
