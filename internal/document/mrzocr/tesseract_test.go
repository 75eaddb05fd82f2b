package mrzocr_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/document/mrzocr"
	"github.com/openidv/openidv/internal/imaging"
)

// BenchmarkTesseract is the baseline for BenchmarkRead: Tesseract 5 (the
// Debian tesseract-ocr CLI, eng model, MRZ whitelist) reading only the
// zone strip that Read found, which is less work than Read does (Read
// also finds the strip in the whole page). It is skipped without the CLI.
func BenchmarkTesseract(b *testing.B) {
	bin, err := exec.LookPath("tesseract")
	if err != nil {
		b.Skip("tesseract not installed")
	}
	z := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	pages := map[string]*image.Gray{"synthetic-td3": page(b, z, 24)}
	for _, name := range benchScans {
		pages[filepath.Base(name)] = imaging.ToGray(loadScan(b, name))
	}
	for _, name := range append([]string{"synthetic-td3"}, baseNames()...) {
		b.Run(name, func(b *testing.B) {
			g := pages[name]
			rd, err := mrzocr.Read(g, now)
			if err != nil {
				b.Skipf("no zone found to crop: %v", err)
			}
			path := filepath.Join(b.TempDir(), "strip.png")
			var buf bytes.Buffer
			if err := png.Encode(&buf, g.SubImage(rd.Band)); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				b.Fatal(err)
			}
			var out []byte
			for b.Loop() {
				out, err = exec.Command(bin, path, "stdout", "--psm", "6", "-l", "eng",
					"-c", "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<").Output()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.Logf("tesseract read %q; Read read %q", strings.Fields(string(out)), rd.Lines)
		})
	}
}

func baseNames() []string {
	var out []string
	for _, n := range benchScans {
		out = append(out, filepath.Base(n))
	}
	return out
}
