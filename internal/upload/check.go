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
	lim = lim.WithDefaults()
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

// CheckHeader is the cheap half of CheckImage: it reads only the header of
// b, already sniffed as kind k, and refuses dimensions outside lim (a
// decompression bomb) or a header that does not parse, without decoding
// any pixel. It costs microseconds where CheckImage costs a full decode,
// for an upload route that must answer fast and leaves the decode to the
// background check. It returns the stored (not EXIF-rotated) dimensions.
func CheckHeader(b []byte, k Kind, lim imaging.Limits) (w, h int, err error) {
	if !k.IsImage() {
		return 0, 0, idv.Errorf(idv.CodeUnsupportedMediaType, "this screen takes a JPEG, PNG or WebP image")
	}
	lim = lim.WithDefaults()
	f, cfg, err := imaging.DecodeHeader(b, lim)
	switch {
	case errors.Is(err, imaging.ErrTooLarge), errors.Is(err, imaging.ErrEmpty):
		return 0, 0, idv.Errorf(idv.CodeInvalid, "the image's dimensions (%d×%d) exceed the limit of %d px a side and %d pixels",
			cfg.Width, cfg.Height, lim.MaxSide, lim.MaxPixels)
	case err != nil:
		return 0, 0, &idv.Error{Code: idv.CodeInvalid, Err: err, Message: "the image's header is truncated or corrupt"}
	case f != imagingFormat[k]:
		return 0, 0, idv.Errorf(idv.CodeInvalid, "the image's header is truncated or corrupt")
	}
	return cfg.Width, cfg.Height, nil
}
