package mrzocr_test

import (
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/openidv/openidv/internal/document/mrzocr"
	"github.com/openidv/openidv/internal/imaging"
	"github.com/openidv/openidv/internal/testdatadir"
)

// BenchmarkRead reads a synthetic TD3 page and real specimen scans. The
// baseline in the same run is BenchmarkToGray: converting the decoded
// image to grey, the cheapest step every reader pays anyway.
func BenchmarkRead(b *testing.B) {
	z := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	b.Run("synthetic-td3", func(b *testing.B) {
		g := page(b, z, 24)
		for b.Loop() {
			if _, err := mrzocr.Read(g, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, name := range benchScans {
		b.Run(filepath.Base(name), func(b *testing.B) {
			img := loadScan(b, name)
			g := imaging.ToGray(img)
			for b.Loop() {
				_, _ = mrzocr.Read(g, now)
			}
		})
	}
}

func BenchmarkToGray(b *testing.B) {
	for _, name := range benchScans {
		b.Run(filepath.Base(name), func(b *testing.B) {
			img := loadScan(b, name)
			for b.Loop() {
				imaging.ToGray(img)
			}
		})
	}
}

var benchScans = []string{"passporteye/passport-td3.jpg", "passporteye/100_pass-cze.jpg", "arg0s-mrz/id_cards_Sweden.png"}

func loadScan(b *testing.B, name string) image.Image {
	b.Helper()
	data, err := os.ReadFile(testdatadir.Path(b, "documents", name))
	if err != nil {
		b.Fatal(err)
	}
	img, _, err := imaging.DecodeBytes(data, imaging.DefaultLimits())
	if err != nil {
		b.Fatal(err)
	}
	return img
}
