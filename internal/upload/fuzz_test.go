package upload

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/imaging"
)

// FuzzFromJSON: no input panics, and an accepted body's media re-encodes
// to exactly the text sent (strict base64 has one spelling per file).
func FuzzFromJSON(f *testing.F) {
	f.Add([]byte(`{"media_base64_strict":"/9j/","app_screen":"scan_id_document_front_screen"}`))
	f.Add([]byte(`{"media_base64_strict":"data:image/png;base64,AAAA","app_screen":"x"}`))
	f.Add([]byte(`{"media_base64_strict":"AA\nAA","app_screen":"x","frame_index":2,"captured_at_ms":5,"capture_id":"c"}`))
	f.Add([]byte(`{"media_base64_strict":"AB==","app_screen":"x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var b JSONBody
		if json.Unmarshal(body, &b) != nil {
			return
		}
		u, err := FromJSON(b, 1<<16)
		if err != nil {
			return
		}
		if got := base64.StdEncoding.EncodeToString(u.Data); got != b.MediaBase64Strict {
			t.Errorf("accepted %q, which re-encodes to %q", b.MediaBase64Strict, got)
		}
		if u.AppScreen != b.AppScreen {
			t.Errorf("AppScreen %q, want %q", u.AppScreen, b.AppScreen)
		}
	})
}

// FuzzParseMultipart: no input panics, and an accepted body written again
// by mime/multipart parses to the same upload.
func FuzzParseMultipart(f *testing.F) {
	body, boundary := multipartBody(f, part{"file", "a.jpg", "\xff\xd8\xff"}, part{"app_screen", "", "s"})
	f.Add(body.Bytes(), boundary)
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--B--\r\n"), "B")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		u, err := ParseMultipart(bytes.NewReader(body), boundary, 1<<16)
		if err != nil {
			return
		}
		again, b2 := multipartBody(t, part{"file", "f", string(u.Data)}, part{"app_screen", "", u.AppScreen})
		u2, err := ParseMultipart(again, b2, 1<<16)
		if err != nil {
			t.Fatalf("re-encoded upload refused: %v", err)
		}
		if diff := cmp.Diff(u, u2); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}

// FuzzSniff: no input panics Sniff, CheckHeader or CheckImage, accepted
// images have positive dimensions, and CheckImage never accepts what
// CheckHeader refuses.
func FuzzSniff(f *testing.F) {
	f.Add(jpegOf(f, 8, 8))
	f.Add(pngOf(f, 8, 8))
	f.Add(webp1x1())
	f.Add(minimalPDF())
	f.Add(pngBomb(50000, 50000))
	f.Add(jpegWithCOM(f, "<html>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := Sniff(b)
		if err != nil || !k.IsImage() {
			return
		}
		lim := imaging.Limits{MaxPixels: 1 << 20, MaxSide: 4096}
		w, h, herr := CheckHeader(b, k, lim)
		if herr == nil && (w <= 0 || h <= 0) {
			t.Errorf("CheckHeader accepted a %dx%d image", w, h)
		}
		info, err := CheckImage(b, k, lim)
		if err == nil && (info.Width <= 0 || info.Height <= 0) {
			t.Errorf("accepted a %dx%d image", info.Width, info.Height)
		}
		if err == nil && herr != nil {
			t.Errorf("CheckImage accepted what CheckHeader refused: %v", herr)
		}
	})
}
