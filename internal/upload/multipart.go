package upload

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"

	"github.com/openidv/openidv/internal/idv"
)

// ParseMultipart reads a multipart/form-data body with exactly one `file`
// part and one `app_screen` part. The file is read into a buffer of at
// most limit bytes (DefaultMaxBytes when limit <= 0): a larger file is
// refused with CodePayloadTooLarge as soon as the limit is passed. A
// second file, a repeated app_screen or any other part is refused. The
// caller bounds the whole body (http.MaxBytesReader) for the headers and
// boundaries around the parts.
func ParseMultipart(r io.Reader, boundary string, limit int64) (Upload, error) {
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	if boundary == "" {
		return Upload{}, idv.Errorf(idv.CodeInvalid, "the multipart body has no boundary")
	}
	mr := multipart.NewReader(r, boundary)
	var u Upload
	var haveFile, haveScreen bool
	for { // at most three parts: a repeated or unknown one ends the loop
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return finishMultipart(u, haveFile, haveScreen)
		}
		if err != nil {
			return Upload{}, idv.Errorf(idv.CodeInvalid, "malformed multipart body")
		}
		switch name := p.FormName(); name {
		case FieldFile:
			if haveFile {
				return Upload{}, fieldErr(idv.CodeInvalid, FieldFile, "appears more than once: send one file per upload")
			}
			haveFile = true
			if u.Data, err = readBounded(p, limit); err != nil {
				return Upload{}, err
			}
		case FieldAppScreen:
			if haveScreen {
				return Upload{}, fieldErr(idv.CodeInvalid, FieldAppScreen, "appears more than once")
			}
			haveScreen = true
			b, err := io.ReadAll(io.LimitReader(p, maxScreenLen+1))
			if err != nil {
				return Upload{}, idv.Errorf(idv.CodeInvalid, "malformed multipart body")
			}
			u.AppScreen = string(b)
		case "":
			return Upload{}, idv.Errorf(idv.CodeInvalid, "a multipart part has no form name")
		default:
			return Upload{}, fieldErr(idv.CodeInvalid, name, "is not a known field")
		}
	}
}

func finishMultipart(u Upload, haveFile, haveScreen bool) (Upload, error) {
	if !haveFile || len(u.Data) == 0 {
		return Upload{}, fieldErr(idv.CodeInvalid, FieldFile, "is required: send the file as a part named file")
	}
	if !haveScreen {
		return Upload{}, fieldErr(idv.CodeInvalid, FieldAppScreen, "is required: name the screen the file is for")
	}
	if err := checkScreen(u.AppScreen); err != nil {
		return Upload{}, err
	}
	return u, nil
}

// readBounded reads r into memory, refusing more than limit bytes.
func readBounded(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, idv.Errorf(idv.CodeInvalid, "malformed multipart body")
	}
	if n > limit {
		return nil, fieldErr(idv.CodePayloadTooLarge, FieldFile, "is larger than the limit of "+itoa(limit)+" bytes")
	}
	return buf.Bytes(), nil
}
