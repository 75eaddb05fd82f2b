package upload

import (
	"bytes"
	"encoding/binary"

	"github.com/openidv/openidv/internal/idv"
)

// Kind is the type of an uploaded file, as a media type, decided from its
// bytes only.
type Kind string

// The kinds Sniff recognises.
const (
	JPEG Kind = "image/jpeg"
	PNG  Kind = "image/png"
	WebP Kind = "image/webp"
	PDF  Kind = "application/pdf"
)

// IsImage reports whether k is an image kind (not a PDF).
func (k Kind) IsImage() bool { return k == JPEG || k == PNG || k == WebP }

// trailingSlack is how many bytes may follow an image's end marker,
// provided they hold no hostile marker. Encoders pad, and some scanners
// leave a few kilobytes of their own data after the EOI (one of the real
// passport photos in the test data carries 4,087 bytes); a ZIP or a page
// hidden there is caught by its markers, whatever its size.
const trailingSlack = 8 << 10

// pdfTail is how near the end a PDF's %%EOF must be.
const pdfTail = 1024

// hostile are byte strings that make a file readable as something else:
// the ZIP local header, central directory and end of central directory
// signatures, the starts of HTML a browser would render, and a PDF header
// (a reader looks for it in the first kilobyte). They are
// matched case-insensitively.
var hostile = [][]byte{
	[]byte("PK\x03\x04"), []byte("PK\x01\x02"), []byte("PK\x05\x06"),
	[]byte("<html"), []byte("<script"), []byte("<!doctype html"), []byte("<svg"), []byte("<iframe"), []byte("%PDF-"),
}

// Sniff decides the kind of b from its bytes: JPEG (SOI, segments, EOI),
// PNG (signature, IHDR first, chunks up to IEND), WebP (RIFF/WEBP with a
// VP8, VP8L or VP8X chunk) or PDF (%PDF- at byte 0 and %%EOF near the
// end). It refuses a truncated image, data after an image's end beyond a
// small slack, and a ZIP or HTML marker after the end or inside a JPEG
// comment or application segment, a PNG ancillary chunk or a WebP
// metadata chunk: such a file is
// also a ZIP archive or a web page. Other bytes are
// CodeUnsupportedMediaType.
func Sniff(b []byte) (Kind, error) {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return JPEG, sniffJPEG(b)
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, sniffPNG(b)
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return WebP, sniffWebP(b)
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return PDF, sniffPDF(b)
	}
	return "", idv.Errorf(idv.CodeUnsupportedMediaType, "the file is not a JPEG, PNG, WebP or PDF")
}

func truncated(kind string) *idv.Error {
	return idv.Errorf(idv.CodeInvalid, "the %s is truncated or malformed", kind)
}

func polyglot(kind, where string) *idv.Error {
	return idv.Errorf(idv.CodeInvalid, "the %s carries %s: upload the image alone", kind, where)
}

// hasHostile reports whether b contains one of the hostile markers.
func hasHostile(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	lower := bytes.ToLower(b)
	for _, m := range hostile {
		if bytes.Contains(lower, bytes.ToLower(m)) {
			return true
		}
	}
	return false
}

// checkTrailer refuses what follows an image's end marker.
func checkTrailer(kind string, rest []byte) error {
	if len(rest) > trailingSlack { // checked first: hasHostile copies what it scans
		return polyglot(kind, itoa(int64(len(rest)))+" bytes after its end")
	}
	if hasHostile(rest) {
		return polyglot(kind, "an archive or HTML after its end")
	}
	return nil
}

// sniffJPEG walks the JPEG's segments from SOI to EOI, skipping the
// entropy-coded data after each SOS (where 0xFF is stuffed as FF 00).
func sniffJPEG(b []byte) error {
	i := 2
	for {
		for i < len(b) && b[i] == 0xFF && i+1 < len(b) && b[i+1] == 0xFF {
			i++ // fill bytes
		}
		if i+2 > len(b) || b[i] != 0xFF {
			return truncated("JPEG")
		}
		m := b[i+1]
		i += 2
		switch {
		case m == 0xD9: // EOI
			return checkTrailer("JPEG", b[i:])
		case m == 0x01 || m >= 0xD0 && m <= 0xD7: // TEM, RSTn: no length
			continue
		case m == 0xD8 || m == 0x00:
			return truncated("JPEG")
		}
		if i+2 > len(b) {
			return truncated("JPEG")
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return truncated("JPEG")
		}
		seg := b[i+2 : i+n]
		if (m == 0xFE || m >= 0xE0 && m <= 0xEF) && hasHostile(seg) {
			return polyglot("JPEG", "an archive or HTML in a comment or metadata segment")
		}
		i += n
		if m == 0xDA { // SOS: skip the entropy-coded data
			i = skipEntropy(b, i)
		}
	}
}

// skipEntropy returns the index of the first marker after entropy-coded
// data starting at i, or len(b) when none.
func skipEntropy(b []byte, i int) int {
	for {
		j := bytes.IndexByte(b[i:], 0xFF)
		if j < 0 || i+j+1 >= len(b) {
			return len(b)
		}
		i += j
		if c := b[i+1]; c != 0x00 && !(c >= 0xD0 && c <= 0xD7) && c != 0xFF {
			return i
		}
		i++
	}
}

// sniffPNG walks the PNG's chunks from IHDR (which must come first) to
// IEND. CRCs are left to the decoder.
func sniffPNG(b []byte) error {
	i := 8
	first := true
	for {
		if i+12 > len(b) {
			return truncated("PNG")
		}
		n := int64(binary.BigEndian.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n > int64(len(b)-i-12) {
			return truncated("PNG")
		}
		if first && (typ != "IHDR" || n != 13) {
			return truncated("PNG")
		}
		first = false
		data := b[i+8 : i+8+int(n)]
		i += 12 + int(n)
		switch {
		case typ == "IEND":
			return checkTrailer("PNG", b[i:])
		case typ != "IDAT" && hasHostile(data):
			return polyglot("PNG", "an archive or HTML in a "+typ+" chunk")
		}
	}
}

// sniffWebP checks the RIFF size against the file, the first chunk, and
// the chunks' sizes, scanning the metadata chunks for hostile markers.
func sniffWebP(b []byte) error {
	if len(b) < 20 {
		return truncated("WebP")
	}
	size := int64(binary.LittleEndian.Uint32(b[4:])) + 8
	if size > int64(len(b)) || size < 20 {
		return truncated("WebP")
	}
	switch string(b[12:16]) {
	case "VP8 ", "VP8L", "VP8X":
	default:
		return truncated("WebP")
	}
	for i := int64(12); i+8 <= size; {
		n := int64(binary.LittleEndian.Uint32(b[i+4:]))
		if n > size-i-8 {
			return truncated("WebP")
		}
		switch string(b[i : i+4]) {
		case "VP8 ", "VP8L", "ALPH", "ANMF":
		default: // EXIF, XMP, ICC profile and unknown chunks
			if hasHostile(b[i+8 : i+8+n]) {
				return polyglot("WebP", "an archive or HTML in a "+string(b[i:i+4])+" chunk")
			}
		}
		i += 8 + n + n%2
	}
	return checkTrailer("WebP", b[size:])
}

// sniffPDF requires %%EOF within the last bytes of the file. A PDF reader
// also accepts a header after other bytes; Sniff only looks at byte 0, so
// a file that starts as something else is never a PDF here.
func sniffPDF(b []byte) error {
	tail := b[max(0, len(b)-pdfTail):]
	if !bytes.Contains(tail, []byte("%%EOF")) {
		return truncated("PDF")
	}
	return nil
}
