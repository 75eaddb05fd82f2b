package check_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"slices"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/check"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/imaging"
)

// FuzzReadDocument feeds arbitrary bytes to the reader: it must answer
// with a typed error or a reading whose reason is one of the SDK's, never
// panic (a panic in the engine would come back as CodeInternal, which the
// fuzzer reports too).
func FuzzReadDocument(f *testing.F) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 40))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(3, 3, color.White)
	var p, j bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		f.Fatal(err)
	}
	if err := jpeg.Encode(&j, img, nil); err != nil {
		f.Fatal(err)
	}
	f.Add(p.Bytes())
	f.Add(j.Bytes())
	f.Add(j.Bytes()[:j.Len()/2])
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Add([]byte{})
	rd := check.NewDocumentReader(check.DocumentOptions{Limits: imaging.Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 18, MaxSide: 2048}})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	reasons := []string{idv.ReasonClassificationFailed, idv.ReasonLowSharpness, idv.ReasonGlareDetected}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := rd.ReadDocument(context.Background(), idv.DocumentRequest{Side: idv.DocumentFront, Image: data, Now: now})
		if err != nil {
			switch idv.ErrorCode(err) {
			case idv.CodeInvalid, idv.CodeUnsupportedMediaType, idv.CodePayloadTooLarge:
				return
			}
			t.Fatalf("untyped or internal error: %v", err)
		}
		if r.Accepted != (r.Reason == "") || (!r.Accepted && !slices.Contains(reasons, r.Reason)) {
			t.Fatalf("accepted %v with reason %q", r.Accepted, r.Reason)
		}
	})
}
