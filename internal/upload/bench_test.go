package upload

import (
	"encoding/base64"
	"testing"

	"github.com/openidv/openidv/internal/imaging"
)

// BenchmarkUpload compares, on the same 2 MB JPEG in the same run, a bare
// base64 decode (the baseline) with the upload's checks: strict parsing,
// parsing and sniffing, parsing, sniffing and reading the header
// (CheckHeader), and parsing, sniffing and decoding within
// imaging's limits (CheckImage).
func BenchmarkUpload(b *testing.B) {
	img := noiseJPEG(b, 2<<20)
	body := JSONBody{MediaBase64Strict: base64.StdEncoding.EncodeToString(img), AppScreen: "scan_id_document_front_screen"}
	b.Run("base64_baseline", func(b *testing.B) {
		b.SetBytes(int64(len(img)))
		for b.Loop() {
			if _, err := base64.StdEncoding.DecodeString(body.MediaBase64Strict); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(img)))
		for b.Loop() {
			if _, err := FromJSON(body, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse_sniff", func(b *testing.B) {
		b.SetBytes(int64(len(img)))
		for b.Loop() {
			u, err := FromJSON(body, 0)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Sniff(u.Data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse_sniff_checkheader", func(b *testing.B) {
		b.SetBytes(int64(len(img)))
		for b.Loop() {
			u, err := FromJSON(body, 0)
			if err != nil {
				b.Fatal(err)
			}
			k, err := Sniff(u.Data)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := CheckHeader(u.Data, k, imaging.Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parse_sniff_checkimage", func(b *testing.B) {
		b.SetBytes(int64(len(img)))
		for b.Loop() {
			u, err := FromJSON(body, 0)
			if err != nil {
				b.Fatal(err)
			}
			k, err := Sniff(u.Data)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := CheckImage(u.Data, k, imaging.Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
