package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"
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
		w.Header().Set("Connection", "close")
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			return nil, idv.Errorf(idv.CodeInvalid, "the request body did not arrive in time")
		}
		return nil, idv.Errorf(idv.CodeInvalid, "the request body could not be read")
	}
	return b, nil
}

func tooLarge(limit int64) *idv.Error {
	return idv.Errorf(idv.CodePayloadTooLarge, "the request body is larger than %d bytes", limit)
}

// checkJSONShape enforces what encoding/json lets through: valid UTF-8,
// exactly one value, bounded depth, no duplicate object keys (exact or
// differing only by case), no NUL characters and finite numbers. It also
// matches object keys against the Go type the body decodes into (nil: any
// shape). A key must name a field exactly: encoding/json would match
// "KYC_LEVEL" or "\u212Ayc_level" to kyc_level, so the decoder never sees
// such a key.
func checkJSONShape(b []byte, shape reflect.Type) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return idv.Errorf(idv.CodeInvalid, "the request body is empty; send a JSON object")
	}
	if !utf8.Valid(b) {
		return idv.Errorf(idv.CodeInvalid, "the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	w := jsonWalker{next: shape}
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
	keys    map[string]string // the keys seen, by folded key (foldKey)
	shape   reflect.Type      // struct, map, slice or array; nil: any
}

// jsonWalker follows the token stream of one JSON value.
type jsonWalker struct {
	stack []jsonFrame
	next  reflect.Type // the shape of the next value; nil: any
	done  bool
}

func (w *jsonWalker) step(tok json.Token) error {
	if n := len(w.stack); n > 0 && w.stack[n-1].wantKey {
		if d, ok := tok.(json.Delim); ok && d == '}' {
			w.pop()
			return nil
		}
		return w.key(&w.stack[n-1], tok.(string))
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
		f := jsonFrame{object: t == '{', wantKey: t == '{', shape: containerShape(w.next, t)}
		if f.object {
			f.keys = map[string]string{}
		} else if f.shape != nil {
			w.next = f.shape.Elem()
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

// key checks one object key: no NUL, not seen before in the object under
// Unicode case folding, and the exact name of a field when the object
// decodes into a struct. It sets the shape of the member's value.
func (w *jsonWalker) key(top *jsonFrame, key string) error {
	if strings.ContainsRune(key, 0) {
		return idv.Errorf(idv.CodeInvalid, "object keys must not contain NUL characters")
	}
	folded := foldKey(key)
	if first, dup := top.keys[folded]; dup {
		if first == key {
			return fieldError(key, "appears more than once")
		}
		return fieldError(key, "appears more than once (as "+strconv.Quote(first)+"; names differing only in letter case are the same field)")
	}
	top.keys[folded] = key
	top.wantKey = false
	w.next = nil
	switch {
	case top.shape == nil:
	case top.shape.Kind() == reflect.Map:
		w.next = top.shape.Elem()
	default:
		ft, ok := structField(top.shape, key)
		if !ok {
			return fieldError(key, "is not a known field")
		}
		w.next = ft
	}
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
	top := &w.stack[n-1]
	if top.object {
		top.wantKey = true
	} else if top.shape != nil {
		w.next = top.shape.Elem()
	}
}

// containerShape is the shape of an object or array opened by d whose Go
// type is t: nil (anything goes) unless t is a struct or map for an
// object, or a slice or array for an array. A mismatch is left to the
// decoder, which names the field.
func containerShape(t reflect.Type, d json.Delim) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t == reflect.TypeFor[json.RawMessage]() {
		return nil
	}
	switch k := t.Kind(); {
	case d == '{' && k == reflect.Struct, d == '{' && k == reflect.Map:
		return t
	case d == '[' && (k == reflect.Slice || k == reflect.Array):
		return t
	}
	return nil
}

// structField returns the type of the field of struct t whose JSON name is
// exactly name. Request types are flat structs with a few fields, so a
// scan costs less than a cache.
func structField(t reflect.Type, name string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if tag == name {
			return f.Type, true
		}
	}
	return nil, false
}

// foldKey returns the canonical form of s under Unicode simple case
// folding, the equivalence of strings.EqualFold (and of encoding/json's
// field matching): "KYC_LEVEL", "kyc_level" and "\u212Ayc_level" (Kelvin
// sign) fold alike. Keys without upper-case ASCII or non-ASCII letters,
// the usual snake_case, are returned as they are, without allocating.
func foldKey(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, i, len(s)+utf8.UTFMax)
	copy(b, s)
	for _, r := range s[i:] {
		b = utf8.AppendRune(b, foldRune(r))
	}
	return string(b)
}

// foldRune maps r to one member of its case-folding orbit: lower-case
// ASCII when the orbit holds an ASCII letter, else its smallest rune.
func foldRune(r rune) rune {
	canon := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		canon = min(canon, f)
	}
	if canon >= 'A' && canon <= 'Z' {
		canon += 'a' - 'A'
	}
	return canon
}

// decodeStrict checks b and decodes it into dst, refusing unknown fields
// and naming the field of a type mismatch. Field names match exactly and
// at most once (checkJSONShape); this is the one decoder of request bodies.
func decodeStrict(b []byte, dst any) error {
	if err := checkJSONShape(b, reflect.TypeOf(dst)); err != nil {
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
