// Package upload parses media uploads from outside: the strict base64 of a
// JSON body and the file part of a multipart body, and checks the bytes
// themselves (Sniff, CheckImage) before anything is stored. It is pure: no
// store, no clock, no I/O beyond the reader it is given. Every refusal is
// an *idv.Error: CodeInvalid with a field error for a malformed field,
// CodePayloadTooLarge for a file over the size limit, and
// CodeUnsupportedMediaType for bytes that are not JPEG, PNG, WebP or PDF.
//
// The JSON body itself is decoded by the HTTP layer's strict decoder
// (exact field names, each at most once) into JSONBody; FromJSON then
// checks the fields. Keeping the JSON walker in one place avoids a second
// copy that could drift, and httpapi may import upload but not the reverse.
package upload

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/openidv/openidv/internal/idv"
)

// DefaultMaxBytes is the default limit of a file's decoded size: 15 MB.
const DefaultMaxBytes = 15 << 20

// The field names of an upload, as they appear in errors.
const (
	FieldMedia     = "media_base64_strict"
	FieldFile      = "file"
	FieldAppScreen = "app_screen"
)

// maxScreenLen bounds app_screen; screen names are short identifiers.
const maxScreenLen = 128

// Upload is one parsed upload: the file's bytes and the fields sent with
// it. The bytes are not checked yet: call Sniff and CheckImage.
type Upload struct {
	// Data is the file's decoded bytes.
	Data []byte
	// AppScreen is the screen the client says it uploads for.
	AppScreen string
	// CaptureID, FrameIndex and CapturedAtMS are reserved for liveness
	// frames; they are returned as sent (nil or empty when absent).
	CaptureID    string
	FrameIndex   *int
	CapturedAtMS *int64
}

// JSONBody is the JSON form of an upload, for the HTTP layer's strict
// decoder.
type JSONBody struct {
	MediaBase64Strict string `json:"media_base64_strict"`
	AppScreen         string `json:"app_screen"`
	CaptureID         string `json:"capture_id,omitempty"`
	FrameIndex        *int   `json:"frame_index,omitempty"`
	CapturedAtMS      *int64 `json:"captured_at_ms,omitempty"`
}

// FromJSON checks a decoded JSON body and decodes its base64, refusing a
// file whose decoded size exceeds limit (DefaultMaxBytes when limit <= 0)
// before decoding it.
func FromJSON(b JSONBody, limit int64) (Upload, error) {
	if err := checkScreen(b.AppScreen); err != nil { // before the costly decode
		return Upload{}, err
	}
	if len(b.CaptureID) > maxScreenLen {
		return Upload{}, fieldErr(idv.CodeInvalid, "capture_id", "is longer than 128 characters")
	}
	if b.FrameIndex != nil && *b.FrameIndex < 0 {
		return Upload{}, fieldErr(idv.CodeInvalid, "frame_index", "must not be negative")
	}
	if b.CapturedAtMS != nil && *b.CapturedAtMS < 0 {
		return Upload{}, fieldErr(idv.CodeInvalid, "captured_at_ms", "must not be negative")
	}
	data, err := DecodeBase64(b.MediaBase64Strict, limit)
	if err != nil {
		return Upload{}, err
	}
	return Upload{Data: data, AppScreen: b.AppScreen, CaptureID: b.CaptureID,
		FrameIndex: b.FrameIndex, CapturedAtMS: b.CapturedAtMS}, nil
}

// DecodeBase64 decodes s as RFC 4648 base64 with the standard alphabet and
// padding, strictly: no line breaks, spaces, data: URL prefix, URL-safe
// alphabet or missing padding, each refused with its own message naming
// media_base64_strict. The decoded size is checked against limit
// (DefaultMaxBytes when limit <= 0) from the encoded length, before
// anything is allocated.
func DecodeBase64(s string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	if s == "" {
		return nil, mediaErr("is required: send the file as base64 text")
	}
	if len(s) >= 5 && strings.EqualFold(s[:5], "data:") {
		return nil, mediaErr("a data: URL prefix is not allowed: send the base64 text only")
	}
	if n := decodedLen(s); n > limit {
		return nil, fieldErr(idv.CodePayloadTooLarge, FieldMedia,
			"decodes to more than the limit of "+itoa(limit)+" bytes")
	}
	// The decoders of encoding/base64 skip \r and \n, even Strict ones.
	if i := indexLineBreak(s); i >= 0 {
		return nil, mediaErr("contains a line break at character " + itoa(int64(i)) + ": send the base64 text on one line")
	}
	data, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, diagnose(s, err)
	}
	return data, nil
}

// indexLineBreak is the index of the first \r or \n in s, or -1.
func indexLineBreak(s string) int {
	i, j := strings.IndexByte(s, '\n'), strings.IndexByte(s, '\r')
	if i < 0 || j >= 0 && j < i {
		return j
	}
	return i
}

// diagnose names what is wrong with s, which failed to decode with err.
// It runs only on refused input, so its scans cost nothing on the way in.
func diagnose(s string, err error) error {
	if i := strings.IndexAny(s, " \t\f\v"); i >= 0 {
		return mediaErr("contains white space at character " + itoa(int64(i)) + ": send the base64 text without spaces")
	}
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		return mediaErr("uses the URL-safe alphabet ('-' or '_' at character " + itoa(int64(i)) +
			"): use the standard alphabet with '+' and '/'")
	}
	if len(s)%4 != 0 {
		return mediaErr("has a length that is not a multiple of 4: the '=' padding is missing or the text is cut short")
	}
	msg := "is not valid base64 (RFC 4648, standard alphabet, with padding)"
	if ce, ok := err.(base64.CorruptInputError); ok {
		msg += " at character " + itoa(int64(ce))
	}
	return mediaErr(msg)
}

// decodedLen is the size s decodes to, an upper bound when s is malformed.
func decodedLen(s string) int64 {
	n := int64(len(s)+3) / 4 * 3
	if strings.HasSuffix(s, "==") {
		n -= 2
	} else if strings.HasSuffix(s, "=") {
		n--
	}
	return n
}

func checkScreen(s string) error {
	switch {
	case s == "":
		return fieldErr(idv.CodeInvalid, FieldAppScreen, "is required: name the screen the file is for")
	case len(s) > maxScreenLen:
		return fieldErr(idv.CodeInvalid, FieldAppScreen, "is longer than 128 characters")
	}
	for i := range len(s) {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fieldErr(idv.CodeInvalid, FieldAppScreen, "must be a screen name (lower-case letters, digits and '_')")
		}
	}
	return nil
}

func mediaErr(msg string) *idv.Error { return fieldErr(idv.CodeInvalid, FieldMedia, msg) }

// fieldErr is an *idv.Error with one field error; the message names the
// field so that it reads on its own.
func fieldErr(code idv.Code, field, msg string) *idv.Error {
	return &idv.Error{Code: code, Message: field + ": " + msg,
		Fields: []idv.FieldError{{Name: field, Message: msg}}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
