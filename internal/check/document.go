package check

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"slices"

	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/face"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/imaging"
)

// DocumentOptions configure NewDocumentReader.
type DocumentOptions struct {
	// Limits bound the decoded image; zero fields take imaging's defaults.
	Limits imaging.Limits
	// Quality holds the engine's gates; nil means its defaults.
	Quality *document.QualityConfig
	// Faces, when set, locates the holder's portrait (the engine must be
	// safe for concurrent use, as face.Engine is).
	Faces *face.Engine
	// Pool bounds concurrent engine runs; nil means a pool of GOMAXPROCS
	// slots of the reader's own. Share one pool between checkers so all
	// checks together stay within the cores.
	Pool *Pool
}

// DocumentReader implements idv.DocumentReader with internal/document.
type DocumentReader struct {
	opts DocumentOptions
	pool *Pool
}

var _ idv.DocumentReader = (*DocumentReader)(nil)

// NewDocumentReader returns a reader with the given options.
func NewDocumentReader(o DocumentOptions) *DocumentReader {
	p := o.Pool
	if p == nil {
		p = NewPool(0)
	}
	return &DocumentReader{opts: o, pool: p}
}

// ReadDocument decodes req.Image within the limits (applying its EXIF
// orientation), inspects it and maps the report (see readingOf). It waits
// for a pool slot, giving up when ctx ends.
func (r *DocumentReader) ReadDocument(ctx context.Context, req idv.DocumentRequest) (idv.DocumentReading, error) {
	var out idv.DocumentReading
	err := r.pool.run(ctx, func() error {
		img, _, err := imaging.DecodeBytes(req.Image, r.opts.Limits)
		if err != nil {
			return decodeError(err)
		}
		rep, err := document.Inspect(img, document.Options{Now: req.Now, Quality: r.opts.Quality, Faces: r.opts.Faces})
		if err != nil {
			if errors.Is(err, document.ErrEmptyImage) {
				return &idv.Error{Code: idv.CodeInvalid, Message: "the image is empty", Err: err}
			}
			return &idv.Error{Code: idv.CodeInternal, Message: "the document check failed", Err: err}
		}
		out, err = readingOf(rep, req)
		return err
	})
	return out, err
}

// decodeError turns an imaging error into a typed domain error.
func decodeError(err error) error {
	e := &idv.Error{Code: idv.CodeInvalid, Message: "the image could not be decoded", Err: err}
	switch {
	case errors.Is(err, imaging.ErrTooLarge):
		e.Code, e.Message = idv.CodePayloadTooLarge, "the image is too large"
	case errors.Is(err, imaging.ErrUnsupportedFormat):
		e.Code, e.Message = idv.CodeUnsupportedMediaType, "the image is not JPEG, PNG or WebP"
	case errors.Is(err, imaging.ErrEmpty):
		e.Message = "the image is empty"
	}
	return e
}

// readingOf maps an engine report to the domain's reading: the engine's
// issues first (through issueReasons), then the checks of the document
// read (validity, see validityCodes). It fails only when the portrait
// cannot be encoded.
func readingOf(rep *document.Report, req idv.DocumentRequest) (idv.DocumentReading, error) {
	out := idv.DocumentReading{Codes: []string{}, Quality: qualityOf(rep.Quality)}
	out.DocumentType, out.NeedsBack = typeOf(rep, req.Side)
	for _, is := range rep.Issues {
		out.Codes = appendOnce(out.Codes, string(is.Code))
	}
	validity := validityCodes(rep, req)
	if rep.MRZ != nil {
		out.Fields = fieldsOf(rep.MRZ)
		if len(out.Codes) == 0 && !rep.MRZ.Accepted && len(validity) == 0 {
			// The engine found no issue but doubts the zone.
			out.Codes = append(out.Codes, string(document.IssueMRZUnclear))
		}
	}
	for _, c := range validity {
		out.Codes = appendOnce(out.Codes, c)
	}
	if len(out.Codes) == 0 {
		out.Accepted = true
	} else {
		out.Code = out.Codes[0]
		out.Reason = reasonOf(out.Code)
	}
	if p := rep.Portrait; p != nil && p.Crop != nil {
		var b bytes.Buffer
		if err := png.Encode(&b, p.Crop); err != nil {
			return idv.DocumentReading{}, &idv.Error{Code: idv.CodeInternal, Message: "the portrait could not be encoded", Err: err}
		}
		out.Portrait = b.Bytes()
	}
	return out, nil
}

func appendOnce(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

func qualityOf(q document.Quality) idv.DocumentQuality {
	return idv.DocumentQuality{
		Sharpness: q.Sharpness, MRZSharpness: q.MRZSharpness, Brightness: q.Brightness,
		Glare: q.Glare, Screen: q.Screen, Width: int(q.Width), Height: int(q.Height),
	}
}

func fieldsOf(m *document.MRZReport) *idv.DocumentFields {
	f := m.Fields
	checks := make(map[string]bool, len(m.Checks))
	for k, v := range m.Checks {
		checks[k] = v
	}
	return &idv.DocumentFields{
		Format: string(m.Format), DocumentCode: f.DocumentCode, DocumentNumber: f.DocumentNumber,
		Surname: f.Surname, GivenNames: f.GivenNames, Nationality: f.Nationality, IssuingState: f.IssuingState,
		BirthDate: f.BirthDate, ExpiryDate: f.ExpiryDate, Sex: f.Sex, OptionalData: f.OptionalData,
		OptionalData2: f.OptionalData2, MRZLines: append([]string(nil), m.Lines...), Checks: checks,
		ChecksValid: m.ChecksValid, Expired: m.Expired, Age: m.Age,
	}
}
