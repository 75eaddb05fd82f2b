package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/openidv/openidv/internal/idv"
)

// maxJSONDepth bounds nesting of request bodies (SDK event payloads are
// the deepest legitimate input).
const maxJSONDepth = 32

// readJSONBody checks the content type and encoding and reads at most
// limit bytes of a request body.
func readJSONBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if enc := r.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return nil, idv.Errorf(idv.CodeUnsupportedMediaType, "Content-Encoding %q is not accepted; send the body uncompressed", enc)
	}
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" {
		return nil, idv.Errorf(idv.CodeUnsupportedMediaType, "Content-Type must be application/json")
	}
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		return nil, tooLarge(limit)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge(limit)
		}
		return nil, idv.Errorf(idv.CodeInvalid, "the request body could not be read")
	}
	return b, nil
}

func tooLarge(limit int64) *idv.Error {
	return idv.Errorf(idv.CodePayloadTooLarge, "the request body is larger than %d bytes", limit)
}

// checkJSON enforces what encoding/json lets through: valid UTF-8, exactly
// one value, bounded depth, no duplicate object keys, no NUL characters and
// finite numbers.
func checkJSON(b []byte) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return idv.Errorf(idv.CodeInvalid, "the request body is empty; send a JSON object")
	}
	if !utf8.Valid(b) {
		return idv.Errorf(idv.CodeInvalid, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	w := jsonWalker{}
	for !w.done {
		tok, err := dec.Token()
		if err != nil {
			return malformed(err, dec.InputOffset())
		}
		if err := w.step(tok); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return idv.Errorf(idv.CodeInvalid, "malformed JSON: more than one value in the body")
	}
	return nil
}

func malformed(err error, offset int64) *idv.Error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return idv.Errorf(idv.CodeInvalid, "malformed JSON: unexpected end of the body")
	}
	return idv.Errorf(idv.CodeInvalid, "malformed JSON near byte %d", offset)
}

// jsonFrame is one open object or array.
type jsonFrame struct {
	object  bool
	wantKey bool
	keys    map[string]struct{}
}

// jsonWalker follows the token stream of one JSON value.
type jsonWalker struct {
	stack []jsonFrame
	done  bool
}

func (w *jsonWalker) step(tok json.Token) error {
	if n := len(w.stack); n > 0 && w.stack[n-1].wantKey {
		if d, ok := tok.(json.Delim); ok && d == '}' {
			w.pop()
			return nil
		}
		key := tok.(string)
		top := &w.stack[n-1]
		if strings.ContainsRune(key, 0) {
			return idv.Errorf(idv.CodeInvalid, "object keys must not contain NUL characters")
		}
		if _, dup := top.keys[key]; dup {
			return fieldError(key, "appears more than once")
		}
		top.keys[key] = struct{}{}
		top.wantKey = false
		return nil
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '}' || t == ']' {
			w.pop()
			return nil
		}
		if len(w.stack) >= maxJSONDepth {
			return idv.Errorf(idv.CodeInvalid, "JSON nested deeper than %d levels", maxJSONDepth)
		}
		f := jsonFrame{object: t == '{', wantKey: t == '{'}
		if f.object {
			f.keys = map[string]struct{}{}
		}
		w.stack = append(w.stack, f)
		return nil
	case string:
		if strings.ContainsRune(t, 0) {
			return idv.Errorf(idv.CodeInvalid, "strings must not contain NUL characters")
		}
	case json.Number:
		if _, err := strconv.ParseFloat(string(t), 64); err != nil {
			return idv.Errorf(idv.CodeInvalid, "number %.20s is out of range", string(t))
		}
	}
	w.valueDone()
	return nil
}

func (w *jsonWalker) pop() {
	w.stack = w.stack[:len(w.stack)-1]
	w.valueDone()
}

func (w *jsonWalker) valueDone() {
	n := len(w.stack)
	if n == 0 {
		w.done = true
		return
	}
	if w.stack[n-1].object {
		w.stack[n-1].wantKey = true
	}
}

// decodeStrict checks b and decodes it into dst, refusing unknown fields
// and naming the field of a type mismatch.
func decodeStrict(b []byte, dst any) error {
	if err := checkJSON(b); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		return nil
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if te.Field == "" {
			return idv.Errorf(idv.CodeInvalid, "the request body must be %s", describeType(reflect.TypeOf(dst).Elem()))
		}
		return fieldError(te.Field, "must be "+describeType(te.Type))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if uq, err := strconv.Unquote(name); err == nil {
			name = uq
		}
		return fieldError(name, "is not a known field")
	}
	return idv.Errorf(idv.CodeInvalid, "malformed JSON")
}

// describeType names a Go type the way a JSON client thinks of it.
func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		if t == reflect.TypeFor[json.RawMessage]() {
			return "a JSON value"
		}
		return "an array"
	case reflect.Struct, reflect.Map:
		return "a JSON object"
	}
	return fmt.Sprintf("a %s", t.Kind())
}
