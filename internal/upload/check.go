package upload

import (
	"errors"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/imaging"
)

// imagingFormat maps an image kind to imaging's format name.
var imagingFormat = map[Kind]imaging.Format{JPEG: imaging.JPEG, PNG: imaging.PNG, WebP: imaging.WebP}

// CheckImage decodes b, already sniffed as kind k, within lim (imaging's
// defaults for zero fields). The declared dimensions are checked against
// lim before any pixel buffer is allocated, so a decompression bomb is
// refused from its header; a file that then fails to decode (truncated,
// corrupt) is refused too. A PDF or any other kind is
// CodeUnsupportedMediaType: the caller decides which screens take PDFs.
// The returned Info describes the upright image.
func CheckImage(b []byte, k Kind, lim imaging.Limits) (imaging.Info, error) {
	want, ok := imagingFormat[k]
	if !ok {
		return imaging.Info{}, idv.Errorf(idv.CodeUnsupportedMediaType, "this screen takes a JPEG, PNG or WebP image")
	}
	lim = withDefaults(lim)
	_, info, err := imaging.DecodeBytes(b, lim)
	switch {
	case errors.Is(err, imaging.ErrTooLarge):
		return imaging.Info{}, &idv.Error{Code: idv.CodeInvalid, Err: err,
			Message: "the image's dimensions exceed the limit of " + itoa(int64(lim.MaxSide)) +
				" px a side and " + itoa(int64(lim.MaxPixels)) + " pixels"}
	case errors.Is(err, imaging.ErrUnsupportedFormat):
		return imaging.Info{}, &idv.Error{Code: idv.CodeUnsupportedMediaType, Err: err,
			Message: "the file is not a JPEG, PNG or WebP image"}
	case err != nil:
		return imaging.Info{}, &idv.Error{Code: idv.CodeInvalid, Err: err,
			Message: "the image is truncated or corrupt and cannot be decoded"}
	case info.Format != want:
		return imaging.Info{}, idv.Errorf(idv.CodeInvalid, "the image's format does not match its bytes")
	}
	return info, nil
}

// withDefaults fills lim's zero fields from imaging.DefaultLimits, so that
// messages quote the limits in force.
func withDefaults(lim imaging.Limits) imaging.Limits {
	d := imaging.DefaultLimits()
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = d.MaxBytes
	}
	if lim.MaxPixels <= 0 {
		lim.MaxPixels = d.MaxPixels
	}
	if lim.MaxSide <= 0 {
		lim.MaxSide = d.MaxSide
	}
	return lim
}
