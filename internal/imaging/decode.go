// Package imaging decodes untrusted images with limits (bytes, pixels, side
// length) checked before any pixel buffer is allocated, applies the EXIF
// orientation, and provides fast conversions to *image.RGBA and *image.Gray
// and an area-averaging resize. Every failure is one of the package's
// sentinel errors (ErrUnsupportedFormat, ErrCorrupt, ErrTooLarge, ErrEmpty),
// wrapped with detail; decoding never panics on hostile input.
package imaging

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// Sentinel errors returned (wrapped) by Decode. Test with errors.Is.
var (
	// ErrUnsupportedFormat: the bytes are not JPEG, PNG or WebP.
	ErrUnsupportedFormat = errors.New("imaging: unsupported image format")
	// ErrCorrupt: the header or pixel data is malformed or truncated.
	ErrCorrupt = errors.New("imaging: corrupt image")
	// ErrTooLarge: the file or its declared dimensions exceed the Limits.
	ErrTooLarge = errors.New("imaging: image too large")
	// ErrEmpty: no bytes, or an image with a zero width or height.
	ErrEmpty = errors.New("imaging: empty image")
)

// Format names an encoded image format.
type Format string

// The formats Decode accepts.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	WebP Format = "webp"
)

// Limits bound what Decode accepts. Zero fields take the DefaultLimits value.
type Limits struct {
	// MaxBytes is the largest encoded size read.
	MaxBytes int64
	// MaxPixels is the largest width×height decoded.
	MaxPixels int
	// MaxSide is the largest width or height decoded.
	MaxSide int
}

// DefaultLimits returns 32 MiB, 40 megapixels and 8,000 px a side.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 32 << 20, MaxPixels: 40_000_000, MaxSide: 8000}
}

// WithDefaults returns l with its zero fields taken from DefaultLimits: the
// limits in force, for messages that quote them.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = d.MaxSide
	}
	return l
}

// Info describes a decoded image.
type Info struct {
	// Format is the encoded format.
	Format Format
	// Orientation is the EXIF orientation tag (1–8; 1 when absent), already
	// applied to the returned image.
	Orientation int
	// Width and Height are the dimensions after orientation.
	Width, Height int
}

// Decode reads at most lim.MaxBytes from r and decodes a JPEG, PNG or WebP
// image, rotated upright by its EXIF orientation. The returned image's
// bounds start at (0, 0).
func Decode(r io.Reader, lim Limits) (image.Image, Info, error) {
	lim = lim.WithDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, Info{}, fmt.Errorf("imaging: read: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, Info{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, lim.MaxBytes)
	}
	return DecodeBytes(data, lim)
}

// DecodeBytes is Decode for an in-memory encoding.
func DecodeBytes(data []byte, lim Limits) (image.Image, Info, error) {
	lim = lim.WithDefaults()
	if len(data) == 0 {
		return nil, Info{}, fmt.Errorf("%w: no data", ErrEmpty)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, Info{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, lim.MaxBytes)
	}
	f, err := Sniff(data)
	if err != nil {
		return nil, Info{}, err
	}
	if w, h, ok := pngDims(data); ok && (w == 0 || h == 0) {
		return nil, Info{}, fmt.Errorf("%w: %dx%d", ErrEmpty, w, h)
	}
	cfg, err := decodeConfig(f, data)
	if err != nil {
		return nil, Info{}, err
	}
	if err := checkDims(cfg.Width, cfg.Height, lim); err != nil {
		return nil, Info{}, err
	}
	img, err := decodePixels(f, data)
	if err != nil {
		return nil, Info{}, err
	}
	b := img.Bounds()
	if b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, Info{}, fmt.Errorf("%w: decoded %dx%d, header says %dx%d", ErrCorrupt, b.Dx(), b.Dy(), cfg.Width, cfg.Height)
	}
	o := readOrientation(f, data)
	img = Orient(img, o)
	b = img.Bounds()
	return img, Info{Format: f, Orientation: o, Width: b.Dx(), Height: b.Dy()}, nil
}

// DecodeHeader reads only the header of an encoding: its format and
// dimensions, checked against lim (ErrEmpty, ErrTooLarge) without decoding a
// pixel, so a decompression bomb is refused for microseconds. The returned
// config holds the stored (not EXIF-rotated) dimensions whenever the header
// parsed, also when they are refused.
func DecodeHeader(data []byte, lim Limits) (Format, image.Config, error) {
	lim = lim.WithDefaults()
	f, err := Sniff(data)
	if err != nil {
		return "", image.Config{}, err
	}
	cfg, err := decodeConfig(f, data)
	if err != nil {
		return f, cfg, err
	}
	return f, cfg, checkDims(cfg.Width, cfg.Height, lim)
}

// Sniff returns the format of an encoding from its magic bytes.
func Sniff(data []byte) (Format, error) {
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return JPEG, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return WebP, nil
	}
	return "", ErrUnsupportedFormat
}

// pngDims reads the IHDR dimensions of a PNG, which image/png rejects with
// a generic error when zero.
func pngDims(data []byte) (w, h int, ok bool) {
	if len(data) < 24 || string(data[12:16]) != "IHDR" {
		return 0, 0, false
	}
	return int(binary.BigEndian.Uint32(data[16:])), int(binary.BigEndian.Uint32(data[20:])), true
}

// checkDims reports ErrEmpty or ErrTooLarge for dimensions outside lim.
func checkDims(w, h int, lim Limits) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: %dx%d", ErrEmpty, w, h)
	}
	if w > lim.MaxSide || h > lim.MaxSide {
		return fmt.Errorf("%w: %dx%d exceeds %d px a side", ErrTooLarge, w, h, lim.MaxSide)
	}
	if int64(w)*int64(h) > int64(lim.MaxPixels) {
		return fmt.Errorf("%w: %dx%d exceeds %d pixels", ErrTooLarge, w, h, lim.MaxPixels)
	}
	return nil
}

func decodeConfig(f Format, data []byte) (cfg image.Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: header: decoder panic: %v", ErrCorrupt, r)
		}
	}()
	r := bytes.NewReader(data)
	switch f {
	case JPEG:
		cfg, err = jpeg.DecodeConfig(r)
	case PNG:
		cfg, err = png.DecodeConfig(r)
	default:
		cfg, err = webp.DecodeConfig(r)
	}
	if err != nil {
		return cfg, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	return cfg, nil
}

func decodePixels(f Format, data []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: decoder panic: %v", ErrCorrupt, r)
		}
	}()
	r := bytes.NewReader(data)
	switch f {
	case JPEG:
		img, err = jpeg.Decode(r)
	case PNG:
		img, err = png.Decode(r)
	default:
		img, err = webp.Decode(r)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return img, nil
}
