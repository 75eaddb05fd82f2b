package imaging

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
)

// ifdEntry is one 12-byte TIFF directory entry with a value that fits in
// its last four bytes.
type ifdEntry struct {
	Tag, Type uint16
	Count     uint32
	Value     [4]byte
}

// tiffWithOrientation is a TIFF block whose IFD0 holds an unrelated tag
// and then Orientation = o, in the given byte order.
func tiffWithOrientation(order binary.ByteOrder, o uint16) []byte {
	var b bytes.Buffer
	if order == binary.BigEndian {
		b.WriteString("MM\x00*")
	} else {
		b.WriteString("II*\x00")
	}
	var short [4]byte
	order.PutUint16(short[:], o)
	_ = binary.Write(&b, order, uint32(8))
	_ = binary.Write(&b, order, uint16(2))
	_ = binary.Write(&b, order, ifdEntry{Tag: 0x010F, Type: 2, Count: 4, Value: [4]byte{'a', 'b', 'c', 0}}) // Make
	_ = binary.Write(&b, order, ifdEntry{Tag: tagOrientation, Type: typeShort, Count: 1, Value: short})
	_ = binary.Write(&b, order, uint32(0))
	return b.Bytes()
}

// pngWithEXIF inserts an eXIf chunk after the IHDR chunk of a PNG.
func pngWithEXIF(png, tiff []byte) []byte {
	ihdrEnd := 8 + 12 + int(binary.BigEndian.Uint32(png[8:]))
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(tiff)))
	chunk = append(chunk, "eXIf"...)
	chunk = append(chunk, tiff...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := append([]byte{}, png[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, png[ihdrEnd:]...)
}

// webpWithEXIF turns a simple 1×1 WebP into an extended one (a VP8X
// header with the given flags) ending with an EXIF chunk (odd-sized
// payloads are padded).
func webpWithEXIF(webp []byte, flags byte, payload []byte) []byte {
	out := append([]byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00"), flags, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	out = append(out, webp[12:]...)
	out = append(out, "EXIF"...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(payload)))
	out = append(out, payload...)
	if len(payload)%2 == 1 {
		out = append(out, 0)
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

func TestReadOrientation(t *testing.T) {
	jpg := encodeJPEG(t, halves(8, 6))
	png := encodePNG(t, halves(8, 6))
	le, be := tiffWithOrientation(binary.LittleEndian, 3), tiffWithOrientation(binary.BigEndian, 8)
	tests := []struct {
		name string
		f    Format
		data []byte
		want int
	}{
		{"jpeg without exif", JPEG, jpg, 1},
		{"jpeg exif 6", JPEG, withEXIFOrientation(jpg, 6), 6},
		{"png without exif", PNG, png, 1},
		{"png exif little-endian", PNG, pngWithEXIF(png, le), 3},
		{"png exif big-endian", PNG, pngWithEXIF(png, be), 8},
		{"webp without exif", WebP, webp1x1(), 1},
		{"webp exif", WebP, webpWithEXIF(webp1x1(), 0x08, le), 3},
		{"webp exif with prefix, odd size", WebP, webpWithEXIF(webp1x1(), 0x08, append([]byte("Exif\x00\x00"), append(be, 0)...)), 8},
		{"webp exif chunk without the vp8x flag", WebP, webpWithEXIF(webp1x1(), 0, le), 1},
		{"simple webp with a stray exif chunk", WebP, append(webp1x1(), webpWithEXIF(webp1x1(), 0x08, le)[32:]...), 1},
		{"out of range", PNG, pngWithEXIF(png, tiffWithOrientation(binary.LittleEndian, 9)), 1},
		{"truncated tiff", PNG, pngWithEXIF(png, le[:20]), 1},
		{"ifd offset past the end", PNG, pngWithEXIF(png, append([]byte("II*\x00\xff\xff\xff\x7f"), le[8:]...)), 1},
		{"bad byte order", PNG, pngWithEXIF(png, append([]byte("XX*\x00"), le[4:]...)), 1},
		{"truncated jpeg segment", JPEG, withEXIFOrientation(jpg, 6)[:12], 1},
		{"huge webp chunk size", WebP, append(webpWithEXIF(webp1x1(), 0x08, nil)[:38], "EXIF\xff\xff\xff\xff"...), 1},
		{"empty", JPEG, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readOrientation(tt.f, tt.data); got != tt.want {
				t.Errorf("readOrientation = %d, want %d", got, tt.want)
			}
		})
	}
}

// FuzzReadOrientation checks that no input makes the reader panic or
// answer outside 1–8.
func FuzzReadOrientation(f *testing.F) {
	f.Add(withEXIFOrientation([]byte{0xFF, 0xD8, 0xFF, 0xD9}, 6))
	f.Add(webpWithEXIF(webp1x1(), 0x08, tiffWithOrientation(binary.BigEndian, 5)))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fm := range []Format{JPEG, PNG, WebP} {
			if o := readOrientation(fm, data); o < 1 || o > 8 {
				t.Fatalf("readOrientation(%v) = %d", fm, o)
			}
		}
	})
}
