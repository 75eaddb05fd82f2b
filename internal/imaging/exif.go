package imaging

import (
	"bytes"
	"encoding/binary"
)

// The EXIF Orientation tag (TIFF tag 0x0112, type SHORT) is the only piece
// of metadata the decoder needs, so it is read here with the standard
// library instead of a general metadata package (which cost more to compile
// than the rest of this package).
const (
	tagOrientation = 0x0112
	typeShort      = 3
	maxIFDEntries  = 1000
)

// readOrientation returns the EXIF orientation (1–8) of an encoding, or 1
// when it has none or its metadata cannot be read: broken metadata never
// rejects an image whose pixels decode.
func readOrientation(f Format, data []byte) int {
	var tiff []byte
	switch f {
	case JPEG:
		tiff = jpegEXIF(data)
	case PNG:
		tiff = pngEXIF(data)
	case WebP:
		tiff = webpEXIF(data)
	}
	o := tiffOrientation(tiff)
	if o < 1 || o > 8 {
		return 1
	}
	return o
}

// jpegEXIF returns the TIFF block of the first APP1 "Exif" segment met
// before the image data, or nil.
func jpegEXIF(data []byte) []byte {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return nil
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return nil
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg[6:]
		}
		i += 2 + n
	}
	return nil
}

// pngEXIF returns the payload of the eXIf chunk, or nil.
func pngEXIF(data []byte) []byte {
	const sig = "\x89PNG\r\n\x1a\n"
	if !bytes.HasPrefix(data, []byte(sig)) {
		return nil
	}
	for i := len(sig); i+8 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		if n < 0 || n > len(data)-i-12 {
			return nil
		}
		switch typ {
		case "eXIf":
			return data[i+8 : i+8+n]
		case "IDAT", "IEND":
			return nil
		}
		i += 12 + n // length, type, data, CRC
	}
	return nil
}

// webpEXIF returns the payload of the EXIF chunk of an extended WebP
// (whose VP8X header has the EXIF flag), without the "Exif\0\0" prefix
// some writers add, or nil.
func webpEXIF(data []byte) []byte {
	const exifFlag = 0x08
	if len(data) < 21 || string(data[:4]) != "RIFF" || string(data[8:16]) != "WEBPVP8X" || data[20]&exifFlag == 0 {
		return nil
	}
	for i := 12; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		if n < 0 || n > len(data)-i-8 {
			return nil
		}
		if string(data[i:i+4]) == "EXIF" {
			return bytes.TrimPrefix(data[i+8:i+8+n], []byte("Exif\x00\x00"))
		}
		i += 8 + n + n%2 // chunks are padded to an even size
	}
	return nil
}

// tiffOrientation returns the Orientation value of IFD0 of a TIFF block,
// or 0 when there is none or the block is malformed.
func tiffOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 0
	}
	var order binary.ByteOrder
	switch string(tiff[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return 0
	}
	ifd := order.Uint32(tiff[4:])
	if ifd < 8 || uint64(ifd)+2 > uint64(len(tiff)) {
		return 0
	}
	count := int(order.Uint16(tiff[ifd:]))
	entries := tiff[ifd+2:]
	for k := 0; k < count && k < maxIFDEntries && 12*(k+1) <= len(entries); k++ {
		e := entries[12*k : 12*(k+1)]
		if order.Uint16(e) == tagOrientation && order.Uint16(e[2:]) == typeShort && order.Uint32(e[4:]) >= 1 {
			return int(order.Uint16(e[8:]))
		}
	}
	return 0
}
