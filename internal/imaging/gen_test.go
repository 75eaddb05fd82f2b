package imaging

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// encodeJPEG encodes img at quality 90.
func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encodePNG encodes img losslessly.
func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// halves is a w×h image, black on the left half and white on the right.
func halves(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := uint8(0)
			if x >= w/2 {
				v = 255
			}
			m.SetRGBA(x, y, color.RGBA{v, v, v, 255})
		}
	}
	return m
}

// pngChunk returns one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.ChecksumIEEE(append([]byte(typ), data...))
	_ = binary.Write(&b, binary.BigEndian, crc)
	return b.Bytes()
}

// pngHeaderOnly is a PNG whose IHDR claims w×h 8-bit grey pixels followed by
// a tiny (wrong) IDAT: a decompression bomb or a zero-sized image.
func pngHeaderOnly(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // depth 8, greyscale
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	b.Write(pngChunk("IHDR", ihdr))
	b.Write(pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}))
	b.Write(pngChunk("IEND", nil))
	return b.Bytes()
}

// jpegSegments splits a JPEG into marker segments (scan data stays attached
// to its SOS segment).
func jpegSegments(data []byte) [][]byte {
	var segs [][]byte
	i := 2
	for i+4 <= len(data) {
		m := data[i+1]
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if m == 0xDA { // SOS: the rest up to EOI
			segs = append(segs, data[i:len(data)-2])
			break
		}
		segs = append(segs, data[i:i+2+n])
		i += 2 + n
	}
	return segs
}

// withJPEGSize rewrites the SOF dimensions of a JPEG.
func withJPEGSize(data []byte, w, h uint16) []byte {
	out := append([]byte(nil), data...)
	for i := 2; i+9 < len(out); {
		m := out[i+1]
		n := int(binary.BigEndian.Uint16(out[i+2:]))
		if m == 0xC0 || m == 0xC2 {
			binary.BigEndian.PutUint16(out[i+5:], h)
			binary.BigEndian.PutUint16(out[i+7:], w)
			return out
		}
		i += 2 + n
	}
	return out
}

// cmykJPEG builds an 8×8 baseline JPEG with four components (CMYK, every
// block flat, DC 0) from the tables of a Go-encoded grey JPEG.
func cmykJPEG(t testing.TB) []byte {
	t.Helper()
	g := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range g.Pix {
		g.Pix[i] = 128
	}
	var out bytes.Buffer
	out.Write([]byte{0xFF, 0xD8})
	// Adobe APP14, transform 0: the four components are CMYK.
	out.Write([]byte{0xFF, 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0})
	for _, s := range jpegSegments(encodeJPEG(t, g)) {
		switch s[1] {
		case 0xC0:
			out.Write([]byte{0xFF, 0xC0, 0, 20, 8, 0, 8, 0, 8, 4})
			for c := byte(1); c <= 4; c++ {
				out.Write([]byte{c, 0x11, 0})
			}
		case 0xDA:
			out.Write([]byte{0xFF, 0xDA, 0, 14, 4})
			for c := byte(1); c <= 4; c++ {
				out.Write([]byte{c, 0x00})
			}
			out.Write([]byte{0, 63, 0})
			// Four blocks of "DC category 0" (00) + "EOB" (1010).
			out.Write([]byte{0x28, 0xA2, 0x8A})
		default:
			out.Write(s)
		}
	}
	out.Write([]byte{0xFF, 0xD9})
	return out.Bytes()
}

// withEXIFOrientation inserts an APP1 EXIF segment holding only the
// Orientation tag right after the SOI of a JPEG.
func withEXIFOrientation(data []byte, o uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("II*\x00")
	_ = binary.Write(&tiff, binary.LittleEndian, uint32(8))
	_ = binary.Write(&tiff, binary.LittleEndian, uint16(1))
	_ = binary.Write(&tiff, binary.LittleEndian, [4]uint16{0x0112, 3, 1, 0})
	_ = binary.Write(&tiff, binary.LittleEndian, [2]uint16{o, 0})
	_ = binary.Write(&tiff, binary.LittleEndian, uint32(0))
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{0xFF, 0xD8}, seg...)
	return append(out, data[2:]...)
}

// webp1x1 is a minimal lossless WebP (VP8L) holding one transparent pixel.
func webp1x1() []byte {
	return []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
}
