package upload

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"testing"
)

// gradient is a w×h test image.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x + y), 255})
		}
	}
	return img
}

func jpegOf(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, gradient(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, gradient(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webp1x1 is a 1×1 lossless WebP.
func webp1x1() []byte {
	return []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
}

// minimalPDF is a one-page PDF with no content.
func minimalPDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
		"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n" +
		"trailer<</Root 1 0 R>>\n%%EOF\n")
}

// zipOf is a ZIP archive holding one small file.
func zipOf(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("payload.html")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte("<b>hello</b>"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// jpegWithCOM inserts a comment segment holding text after the SOI.
func jpegWithCOM(t testing.TB, text string) []byte {
	t.Helper()
	j := jpegOf(t, 16, 16)
	seg := []byte{0xFF, 0xFE, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(text)+2))
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	out = append(out, text...)
	return append(out, j[2:]...)
}

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// pngBomb is a PNG whose IHDR declares w×h 8-bit RGBA pixels over a tiny
// IDAT: decoding it would allocate w×h×4 bytes.
func pngBomb(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(make([]byte, 4096))
	_ = zw.Close()
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// pngWithText inserts a tEXt chunk after the IHDR of a small PNG.
func pngWithText(t testing.TB, text string) []byte {
	t.Helper()
	p := pngOf(t, 8, 8)
	out := append([]byte{}, p[:33]...)
	out = append(out, pngChunk("tEXt", append([]byte("Comment\x00"), text...))...)
	return append(out, p[33:]...)
}

// noiseJPEG is a JPEG of random noise of at least n bytes.
func noiseJPEG(t testing.TB, n int) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for side := 512; ; side += 128 {
		img := image.NewRGBA(image.Rect(0, 0, side, side*3/4))
		for i := range img.Pix {
			img.Pix[i] = uint8(r.UintN(256))
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
			t.Fatal(err)
		}
		if buf.Len() >= n {
			return buf.Bytes()
		}
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// webpWithChunk appends a chunk to the 1×1 WebP and fixes the RIFF size.
func webpWithChunk(fourcc, data string) []byte {
	out := append([]byte{}, webp1x1()...)
	out = append(out, fourcc...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(data)))
	out = append(out, data...)
	if len(data)%2 == 1 {
		out = append(out, 0)
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

// webpChunkTooLong is webpWithChunk whose last chunk claims more bytes
// than the RIFF holds.
func webpChunkTooLong() []byte {
	b := webpWithChunk("XMP ", "abcd")
	binary.LittleEndian.PutUint32(b[len(b)-8:], 1000)
	return b
}
