// Command docsynth writes a synthetic identity-document test set to a
// directory for eyeballing: one PNG per sample and a truth.json with each
// sample's kind, variant, MRZ lines, document quad and defects. The output
// is not committed.
//
//	go run ./tools/docsynth -out /tmp/docsynth -n 2
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/imaging"
)

type truth struct {
	Name     string        `json:"name"`
	Kind     docsynth.Kind `json:"kind"`
	Variant  string        `json:"variant"`
	MRZ      []string      `json:"mrz"`
	Quad     document.Quad `json:"quad"`
	Portrait document.Quad `json:"portrait"`
	Defects  []string      `json:"defects"`
}

func main() {
	out := flag.String("out", "docsynth-out", "output directory")
	n := flag.Int("n", 1, "identities per kind")
	seed := flag.Int64("seed", 1, "random seed")
	faces := flag.String("faces", "", "directory of portrait images (searched recursively)")
	flag.Parse()
	if err := run(*out, *n, *seed, *faces); err != nil {
		fmt.Fprintln(os.Stderr, "docsynth:", err)
		os.Exit(1)
	}
}

func run(out string, n int, seed int64, faces string) error {
	rd, err := docsynth.NewRenderer()
	if err != nil {
		return err
	}
	portraits, err := loadPortraits(faces)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var all []truth
	err = rd.Set(seed, docsynth.SetOptions{PerKind: n, Portraits: portraits}, func(s *docsynth.Sample) error {
		all = append(all, truth{s.Name, s.Kind, string(s.Variant), s.MRZ, s.Quad, s.Portrait, s.Defects})
		return writePNG(filepath.Join(out, s.Name+".png"), s.Image)
	})
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	fmt.Printf("%d samples in %s\n", len(all), out)
	return os.WriteFile(filepath.Join(out, "truth.json"), b, 0o644)
}

func loadPortraits(dir string) ([]image.Image, error) {
	if dir == "" {
		return nil, nil
	}
	var imgs []image.Image
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".png") {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		img, _, err := imaging.Decode(f, imaging.Limits{})
		if err == nil {
			imgs = append(imgs, img)
		}
		return err
	})
	return imgs, err
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
