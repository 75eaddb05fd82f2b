package upload

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/idv"
)

func TestDecodeBase64(t *testing.T) {
	data := []byte("\xff\xd8\xff\xe0 some bytes >>> ???")
	std := base64.StdEncoding.EncodeToString(data)
	tests := []struct {
		name      string
		in        string
		limit     int64
		wantCode  idv.Code
		wantInMsg string
	}{
		{"standard with padding", std, 0, "", ""},
		{"empty", "", 0, idv.CodeInvalid, "is required"},
		{"data url", "data:image/jpeg;base64," + std, 0, idv.CodeInvalid, "a data: URL prefix is not allowed: send the base64 text only"},
		{"upper-case data url", "DATA:image/png;base64," + std, 0, idv.CodeInvalid, "data: URL prefix"},
		{"line break", std[:8] + "\n" + std[8:], 0, idv.CodeInvalid, "line break at character 8"},
		{"crlf", std[:8] + "\r\n" + std[8:], 0, idv.CodeInvalid, "line break"},
		{"space", std[:4] + " " + std[4:], 0, idv.CodeInvalid, "white space at character 4"},
		{"tab", "\t" + std, 0, idv.CodeInvalid, "white space"},
		{"url-safe alphabet", base64.URLEncoding.EncodeToString(data), 0, idv.CodeInvalid, "URL-safe alphabet"},
		{"missing padding", base64.RawStdEncoding.EncodeToString(data[:5]), 0, idv.CodeInvalid, "padding"},
		{"bad character", "AAA*", 0, idv.CodeInvalid, "not valid base64"},
		{"padding in the middle", "AA==AAAA", 0, idv.CodeInvalid, "not valid base64"},
		{"non-zero pad bits", "AB==", 0, idv.CodeInvalid, "not valid base64"},
		{"at the limit", std, int64(len(data)), "", ""},
		{"one byte over the limit", std, int64(len(data)) - 1, idv.CodePayloadTooLarge, "more than the limit of"},
		{"100 MB against the default", strings.Repeat("AAAA", 25<<20), 0, idv.CodePayloadTooLarge, "15728640 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeBase64(tt.in, tt.limit)
			if c := codeOf(err); c != tt.wantCode {
				t.Fatalf("DecodeBase64: code %q, want %q (err %v)", c, tt.wantCode, err)
			}
			if err == nil {
				if !bytes.Equal(got, data) {
					t.Errorf("DecodeBase64 = %q, want %q", got, data)
				}
				return
			}
			e := err.(*idv.Error)
			if len(e.Fields) != 1 || e.Fields[0].Name != FieldMedia || !strings.Contains(e.Fields[0].Message, tt.wantInMsg) {
				t.Errorf("DecodeBase64 fields = %+v, want one on %s containing %q", e.Fields, FieldMedia, tt.wantInMsg)
			}
		})
	}
}

func TestFromJSON(t *testing.T) {
	media := base64.StdEncoding.EncodeToString([]byte("img"))
	idx, at := 3, int64(1700000000000)
	neg := -1
	tests := []struct {
		name      string
		in        JSONBody
		want      Upload
		wantField string // "" when accepted
	}{
		{"plain", JSONBody{MediaBase64Strict: media, AppScreen: "scan_id_document_front_screen"},
			Upload{Data: []byte("img"), AppScreen: "scan_id_document_front_screen"}, ""},
		{"liveness frame", JSONBody{MediaBase64Strict: media, AppScreen: "liveness_screen", CaptureID: "c1", FrameIndex: &idx, CapturedAtMS: &at},
			Upload{Data: []byte("img"), AppScreen: "liveness_screen", CaptureID: "c1", FrameIndex: &idx, CapturedAtMS: &at}, ""},
		{"no screen", JSONBody{MediaBase64Strict: media}, Upload{}, FieldAppScreen},
		{"screen with spaces", JSONBody{MediaBase64Strict: media, AppScreen: "a b"}, Upload{}, FieldAppScreen},
		{"screen too long", JSONBody{MediaBase64Strict: media, AppScreen: strings.Repeat("a", 129)}, Upload{}, FieldAppScreen},
		{"no media", JSONBody{AppScreen: "x"}, Upload{}, FieldMedia},
		{"negative frame", JSONBody{MediaBase64Strict: media, AppScreen: "x", FrameIndex: &neg}, Upload{}, "frame_index"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromJSON(tt.in, 0)
			if tt.wantField != "" {
				e, ok := err.(*idv.Error)
				if !ok || e.Code != idv.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Name != tt.wantField {
					t.Fatalf("FromJSON: %v, want a field error on %s", err, tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromJSON: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FromJSON (-want +got):\n%s", diff)
			}
		})
	}
}

// part is one multipart part for the tests.
type part struct{ name, filename, body string }

func multipartBody(t testing.TB, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		var pw io.Writer
		var err error
		if p.filename != "" {
			pw, err = w.CreateFormFile(p.name, p.filename)
		} else {
			pw, err = w.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(pw, p.body)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.Boundary()
}

func TestParseMultipart(t *testing.T) {
	file := part{"file", "id.jpg", "\xff\xd8\xffbytes"}
	screen := part{"app_screen", "", "scan_id_document_front_screen"}
	tests := []struct {
		name      string
		parts     []part
		limit     int64
		wantCode  idv.Code
		wantField string
	}{
		{"file and screen", []part{file, screen}, 0, "", ""},
		{"screen first", []part{screen, file}, 0, "", ""},
		{"at the limit", []part{file, screen}, int64(len(file.body)), "", ""},
		{"over the limit", []part{file, screen}, int64(len(file.body)) - 1, idv.CodePayloadTooLarge, FieldFile},
		{"second file", []part{file, file, screen}, 0, idv.CodeInvalid, FieldFile},
		{"second screen", []part{file, screen, screen}, 0, idv.CodeInvalid, FieldAppScreen},
		{"unknown part", []part{file, screen, {"comment", "", "hi"}}, 0, idv.CodeInvalid, "comment"},
		{"no file", []part{screen}, 0, idv.CodeInvalid, FieldFile},
		{"empty file", []part{{"file", "a.jpg", ""}, screen}, 0, idv.CodeInvalid, FieldFile},
		{"no screen", []part{file}, 0, idv.CodeInvalid, FieldAppScreen},
		{"bad screen", []part{file, {"app_screen", "", "<script>"}}, 0, idv.CodeInvalid, FieldAppScreen},
		{"part without a name", []part{file, {"", "", "x"}, screen}, 0, idv.CodeInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, boundary := multipartBody(t, tt.parts...)
			got, err := ParseMultipart(body, boundary, tt.limit)
			if c := codeOf(err); c != tt.wantCode {
				t.Fatalf("ParseMultipart: code %q, want %q (err %v)", c, tt.wantCode, err)
			}
			if err != nil {
				e := err.(*idv.Error)
				if tt.wantField != "" && (len(e.Fields) != 1 || e.Fields[0].Name != tt.wantField) {
					t.Errorf("ParseMultipart fields = %+v, want one on %q", e.Fields, tt.wantField)
				}
				return
			}
			want := Upload{Data: []byte(file.body), AppScreen: screen.body}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseMultipart (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseMultipartMalformed(t *testing.T) {
	for _, tt := range []struct{ name, body, boundary string }{
		{"no boundary", "x", ""},
		{"not multipart", "hello", "B"},
		{"unterminated", "--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc", "B"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseMultipart(strings.NewReader(tt.body), tt.boundary, 0); idv.ErrorCode(err) != idv.CodeInvalid {
				t.Errorf("ParseMultipart: %v, want invalid_request", err)
			}
		})
	}
}

// TestParseMultipartStopsAtTheLimit proves the file part is not read past
// the limit: a 100 MB stream is refused after about limit bytes.
func TestParseMultipartStopsAtTheLimit(t *testing.T) {
	const limit = 1 << 20
	head := "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n"
	cr := &countingReader{r: io.MultiReader(strings.NewReader(head), io.LimitReader(zeros{}, 100<<20))}
	_, err := ParseMultipart(cr, "B", limit)
	if idv.ErrorCode(err) != idv.CodePayloadTooLarge {
		t.Fatalf("ParseMultipart: %v, want payload_too_large", err)
	}
	if cr.n > 2*limit {
		t.Errorf("read %d bytes of a 100 MB body, want about %d", cr.n, limit)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
