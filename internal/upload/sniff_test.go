package upload

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/imaging"
	"github.com/openidv/openidv/internal/testdatadir"
)

func TestSniff(t *testing.T) {
	j := jpegOf(t, 32, 24)
	p := pngOf(t, 32, 24)
	tests := []struct {
		name     string
		in       []byte
		wantKind Kind
		wantCode idv.Code // "" when accepted
	}{
		{"jpeg", j, JPEG, ""},
		{"png", p, PNG, ""},
		{"webp", webp1x1(), WebP, ""},
		{"pdf", minimalPDF(), PDF, ""},
		{"jpeg with small zero padding", cat(j, make([]byte, 32)), JPEG, ""},
		{"jpeg with a plain comment", jpegWithCOM(t, "made by a scanner"), JPEG, ""},
		{"jpeg then zip", cat(j, zipOf(t)), JPEG, idv.CodeInvalid},
		{"jpeg then short html", cat(j, []byte("<html>")), JPEG, idv.CodeInvalid},
		{"jpeg with 4 KiB of scanner data after eoi", cat(j, make([]byte, 4096)), JPEG, ""},
		{"jpeg with a long trailer", cat(j, make([]byte, 9000)), JPEG, idv.CodeInvalid},
		{"jpeg with html in a comment", jpegWithCOM(t, "<html><script>alert(1)</script>"), JPEG, idv.CodeInvalid},
		{"jpeg with upper-case html in a comment", jpegWithCOM(t, "<HTML>"), JPEG, idv.CodeInvalid},
		{"jpeg with a zip directory in a comment", jpegWithCOM(t, string(zipOf(t))), JPEG, idv.CodeInvalid},
		{"jpeg with a pdf header in a comment", jpegWithCOM(t, "%PDF-1.4"), JPEG, idv.CodeInvalid},
		{"jpeg truncated", j[:len(j)/2], JPEG, idv.CodeInvalid},
		{"jpeg without eoi", j[:len(j)-2], JPEG, idv.CodeInvalid},
		{"jpeg soi only", []byte{0xFF, 0xD8, 0xFF}, JPEG, idv.CodeInvalid},
		{"png then zip", cat(p, zipOf(t)), PNG, idv.CodeInvalid},
		{"png with a long trailer", cat(p, make([]byte, 9000)), PNG, idv.CodeInvalid},
		{"png with script in tEXt", pngWithText(t, "<script>x</script>"), PNG, idv.CodeInvalid},
		{"png with plain tEXt", pngWithText(t, "hello"), PNG, ""},
		{"png truncated", p[:len(p)-20], PNG, idv.CodeInvalid},
		{"png signature only", p[:8], PNG, idv.CodeInvalid},
		{"png without ihdr first", cat(p[:8], pngChunk("tEXt", []byte("a\x00b")), p[8:]), PNG, idv.CodeInvalid},
		{"png chunk length past the end", cat(p[:8], []byte{0x7F, 0xFF, 0xFF, 0xFF}, []byte("IHDR"), make([]byte, 20)), PNG, idv.CodeInvalid},
		{"webp truncated", webp1x1()[:24], WebP, idv.CodeInvalid},
		{"webp unknown chunk", cat([]byte("RIFF\x1a\x00\x00\x00WEBPABCD"), webp1x1()[16:]), WebP, idv.CodeInvalid},
		{"webp with plain xmp", webpWithChunk("XMP ", "<x:xmpmeta/>"), WebP, ""},
		{"webp with html in xmp", webpWithChunk("XMP ", "<html><script>"), WebP, idv.CodeInvalid},
		{"webp with a chunk past the riff end", webpChunkTooLong(), WebP, idv.CodeInvalid},
		{"webp then zip", cat(webp1x1(), zipOf(t)), WebP, idv.CodeInvalid},
		{"pdf truncated", minimalPDF()[:40], PDF, idv.CodeInvalid},
		{"pdf after other bytes", cat([]byte("GIF89a"), minimalPDF()), "", idv.CodeUnsupportedMediaType},
		{"zip", zipOf(t), "", idv.CodeUnsupportedMediaType},
		{"html", []byte("<html><body>hi</body></html>"), "", idv.CodeUnsupportedMediaType},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "", idv.CodeUnsupportedMediaType},
		{"empty", nil, "", idv.CodeUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Sniff(tt.in)
			if gotCode := codeOf(err); gotCode != tt.wantCode {
				t.Fatalf("Sniff: code %q, want %q (err %v)", gotCode, tt.wantCode, err)
			}
			if got != tt.wantKind {
				t.Errorf("Sniff: kind %q, want %q", got, tt.wantKind)
			}
		})
	}
}

// codeOf is err's code, "" for nil.
func codeOf(err error) idv.Code {
	if err == nil {
		return ""
	}
	return idv.ErrorCode(err)
}

func TestCheckImage(t *testing.T) {
	j := jpegOf(t, 40, 30)
	p := pngOf(t, 40, 30)
	tests := []struct {
		name      string
		in        []byte
		kind      Kind
		wantCode  idv.Code
		wantW     int
		wantInMsg string
	}{
		{"jpeg", j, JPEG, "", 40, ""},
		{"png", p, PNG, "", 40, ""},
		{"webp", webp1x1(), WebP, "", 1, ""},
		{"png bomb 50000x50000", pngBomb(50000, 50000), PNG, idv.CodeInvalid, 0, "dimensions exceed"},
		{"png bomb one long side", pngBomb(100000, 1), PNG, idv.CodeInvalid, 0, "dimensions exceed"},
		{"jpeg truncated", j[:len(j)*2/3], JPEG, idv.CodeInvalid, 0, "truncated or corrupt"},
		{"png truncated", p[:len(p)-30], PNG, idv.CodeInvalid, 0, "truncated or corrupt"},
		{"pdf on an image screen", minimalPDF(), PDF, idv.CodeUnsupportedMediaType, 0, "JPEG, PNG or WebP"},
		{"kind mismatch", p, JPEG, idv.CodeInvalid, 0, "does not match"},
		{"not an image", []byte("hello"), PNG, idv.CodeUnsupportedMediaType, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := CheckImage(tt.in, tt.kind, imaging.Limits{})
			if got := codeOf(err); got != tt.wantCode {
				t.Fatalf("CheckImage: code %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("CheckImage: %v, want a message containing %q", err, tt.wantInMsg)
			}
			if info.Width != tt.wantW {
				t.Errorf("CheckImage: width %d, want %d", info.Width, tt.wantW)
			}
		})
	}
}

func TestCheckHeader(t *testing.T) {
	j := jpegOf(t, 40, 30)
	tests := []struct {
		name     string
		in       []byte
		kind     Kind
		wantCode idv.Code
		wantW    int
	}{
		{"jpeg", j, JPEG, "", 40},
		{"png", pngOf(t, 40, 30), PNG, "", 40},
		{"webp", webp1x1(), WebP, "", 1},
		{"png bomb 50000x50000", pngBomb(50000, 50000), PNG, idv.CodeInvalid, 0},
		{"png 0x10", pngBomb(0, 10), PNG, idv.CodeInvalid, 0},
		{"jpeg cut in its header", j[:20], JPEG, idv.CodeInvalid, 0},
		{"pdf", minimalPDF(), PDF, idv.CodeUnsupportedMediaType, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _, err := CheckHeader(tt.in, tt.kind, imaging.Limits{})
			if got := codeOf(err); got != tt.wantCode {
				t.Fatalf("CheckHeader: code %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if w != tt.wantW {
				t.Errorf("CheckHeader: width %d, want %d", w, tt.wantW)
			}
		})
	}
}

// TestCheckImageBombAllocatesLittle proves that a decompression bomb is
// refused from its header: checking it allocates far less than one row
// of its declared pixels.
func TestCheckImageBombAllocatesLittle(t *testing.T) {
	bomb := pngBomb(50000, 50000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := CheckImage(bomb, PNG, imaging.Limits{}); err == nil {
		t.Fatal("CheckImage accepted a 50000×50000 PNG")
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("checking the bomb allocated %d bytes, want < 1 MiB", got)
	}
}

// TestRealDocuments accepts the photos of real documents from the shared
// test data (skipped when absent).
func TestRealDocuments(t *testing.T) {
	for _, dir := range []string{"passporteye", "arg0s-mrz"} {
		root := testdatadir.Path(t, "documents", dir)
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.IsDir() || n >= 8 && e.Name() != "98_pass-nld.jpg" { // with 4 KiB after its EOI
				continue
			}
			n++
			t.Run(dir+"/"+e.Name(), func(t *testing.T) {
				b, err := os.ReadFile(filepath.Join(root, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				k, err := Sniff(b)
				if err != nil {
					t.Fatalf("Sniff: %v", err)
				}
				if _, err := CheckImage(b, k, imaging.Limits{}); err != nil {
					t.Fatalf("CheckImage: %v", err)
				}
			})
		}
	}
}
