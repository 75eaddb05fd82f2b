package imaging

import (
	"image"
)

// Orient returns img turned upright for an EXIF orientation o (1–8). For
// o = 1 or an unknown value it returns img unchanged; otherwise a new
// *image.RGBA with bounds starting at (0, 0).
func Orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	src := ToRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for dy := 0; dy < dh; dy++ {
		row := dst.Pix[dy*dst.Stride : dy*dst.Stride+4*dw]
		for dx := 0; dx < dw; dx++ {
			sx, sy := orientSource(o, dx, dy, w, h)
			si := sy*src.Stride + 4*sx
			copy(row[4*dx:4*dx+4], src.Pix[si:si+4])
		}
	}
	return dst
}

// orientSource maps a destination pixel to its source pixel for an EXIF
// orientation, with w×h the source size.
func orientSource(o, dx, dy, w, h int) (sx, sy int) {
	switch o {
	case 2:
		return w - 1 - dx, dy
	case 3:
		return w - 1 - dx, h - 1 - dy
	case 4:
		return dx, h - 1 - dy
	case 5:
		return dy, dx
	case 6:
		return dy, h - 1 - dx
	case 7:
		return w - 1 - dy, h - 1 - dx
	default: // 8
		return w - 1 - dy, dx
	}
}
