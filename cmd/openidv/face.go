package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"time"

	"github.com/openidv/openidv/internal/face"
	"github.com/openidv/openidv/internal/imaging"
)

const faceUsage = `usage:
  openidv face detect [flags] IMAGE
  openidv face compare [flags] A B
  openidv face embed [flags] IMAGE
JSON goes to stdout; the exit code is 0 whenever the command ran (whatever
the verdict), 1 for unreadable input, 2 for bad usage.`

// runFace runs `openidv face detect|compare|embed`.
func runFace(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, faceUsage)
		return 2
	}
	fs := flag.NewFlagSet("face "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := face.DefaultConfig()
	fs.Float64Var(&cfg.MatchThreshold, "match", cfg.MatchThreshold, "largest distance that is a match")
	fs.Float64Var(&cfg.ReviewThreshold, "review", cfg.ReviewThreshold, "largest distance that goes to review")
	fs.Float64Var(&cfg.MinInterPupil, "min-inter-pupil", cfg.MinInterPupil, "smallest inter-pupil distance in pixels")
	fs.Float64Var(&cfg.MinSharpness, "min-sharpness", cfg.MinSharpness, "smallest Laplacian variance of the face chip")
	detector := fs.String("detector", "auto", "face detector: auto (pigo, TinyFaceDetector where pigo finds none), pigo, tiny, merge")
	kindA := fs.String("kind-a", "selfie", "compare: kind of A (selfie or id_portrait)")
	kindB := fs.String("kind-b", "id_portrait", "compare: kind of B (selfie or id_portrait)")
	crop := fs.Bool("crop", false, "embed: the image is already an aligned face crop (no detection)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	mode, err := fallbackMode(*detector)
	if err != nil {
		fmt.Fprintf(stderr, "openidv face: %v\n", err)
		return 2
	}
	cfg.Fallback = mode
	c := faceCLI{cfg: cfg, stdout: stdout, stderr: stderr, timings: map[string]float64{}}
	switch args[0] {
	case "detect":
		return c.needArgs(fs.Args(), 1, c.detect)
	case "compare":
		ka, errA := parseKind(*kindA)
		kb, errB := parseKind(*kindB)
		if err := errors.Join(errA, errB); err != nil {
			fmt.Fprintf(stderr, "openidv face: %v\n", err)
			return 2
		}
		return c.needArgs(fs.Args(), 2, func(p []string) int { return c.compare(p, ka, kb) })
	case "embed":
		return c.needArgs(fs.Args(), 1, func(p []string) int { return c.embed(p[0], *crop) })
	}
	fmt.Fprintf(stderr, "openidv face: unknown subcommand %q\n%s\n", args[0], faceUsage)
	return 2
}

func fallbackMode(s string) (face.FallbackMode, error) {
	switch s {
	case "auto":
		return face.FallbackAuto, nil
	case "pigo":
		return face.FallbackNever, nil
	case "tiny":
		return face.FallbackAlways, nil
	case "merge":
		return face.FallbackMerge, nil
	}
	return 0, fmt.Errorf("unknown -detector %q", s)
}

func parseKind(s string) (face.Kind, error) {
	switch s {
	case "selfie":
		return face.Selfie, nil
	case "id_portrait", "id":
		return face.IDPortrait, nil
	}
	return 0, fmt.Errorf("unknown image kind %q (want selfie or id_portrait)", s)
}

// faceCLI carries one invocation's configuration, outputs and timings.
type faceCLI struct {
	cfg            face.Config
	stdout, stderr io.Writer
	timings        map[string]float64
}

func (c *faceCLI) needArgs(args []string, n int, run func([]string) int) int {
	if len(args) != n {
		fmt.Fprintf(c.stderr, "openidv face: want %d image argument(s), got %d\n%s\n", n, len(args), faceUsage)
		return 2
	}
	return run(args)
}

// timed runs f and adds its duration in milliseconds to timings[name].
func (c *faceCLI) timed(name string, f func()) {
	t0 := time.Now()
	f()
	c.timings[name] += float64(time.Since(t0).Microseconds()) / 1000
}

// engine loads the models (once per process) and builds the engine.
func (c *faceCLI) engine() (*face.Engine, error) {
	var m face.Models
	var err error
	c.timed("load_models", func() { m, err = face.DefaultModels() })
	if err != nil {
		return nil, err
	}
	return face.NewEngine(c.cfg, m)
}

// decode reads and decodes one image file with the default limits.
func (c *faceCLI) decode(path string) (img image.Image, err error) {
	c.timed("decode", func() {
		var f *os.File
		if f, err = os.Open(path); err != nil {
			return
		}
		defer f.Close()
		img, _, err = imaging.Decode(f, imaging.Limits{})
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

func (c *faceCLI) fail(err error) int {
	fmt.Fprintf(c.stderr, "openidv face: %v\n", err)
	return 1
}

func (c *faceCLI) write(v any) int {
	for k, ms := range c.timings {
		c.timings[k] = math.Round(ms*1000) / 1000
	}
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return c.fail(err)
	}
	return 0
}

func (c *faceCLI) detect(paths []string) int {
	img, err := c.decode(paths[0])
	if err != nil {
		return c.fail(err)
	}
	e, err := c.engine()
	if err != nil {
		return c.fail(err)
	}
	var faces []face.Face
	c.timed("detect", func() { faces, err = e.Detect(img) })
	if err != nil {
		return c.fail(err)
	}
	b := img.Bounds()
	r := face.NewDetectReport(b.Dx(), b.Dy(), faces)
	r.TimingsMS = c.timings
	return c.write(r)
}

func (c *faceCLI) compare(paths []string, ka, kb face.Kind) int {
	t0 := time.Now()
	a, err := c.decode(paths[0])
	if err != nil {
		return c.fail(err)
	}
	b, err := c.decode(paths[1])
	if err != nil {
		return c.fail(err)
	}
	e, err := c.engine()
	if err != nil {
		return c.fail(err)
	}
	t1 := time.Now()
	var aa, ab *face.Analysis
	c.timed("analyze", func() {
		if aa, err = e.Analyze(a, ka); err == nil {
			ab, err = e.Analyze(b, kb)
		}
	})
	if err != nil {
		return c.fail(err)
	}
	var cmp *face.Comparison
	c.timed("embed", func() { cmp, err = e.CompareAnalyses(aa, ab) })
	if err != nil {
		return c.fail(err)
	}
	r := face.NewCompareReport(cmp)
	c.timings["compare_without_load"] = float64(time.Since(t1).Microseconds())/1000 + c.timings["decode"]
	c.timings["total"] = float64(time.Since(t0).Microseconds()) / 1000
	r.TimingsMS = c.timings
	return c.write(r)
}

// embedReport is the JSON of `openidv face embed`.
type embedReport struct {
	Descriptor *face.Descriptor   `json:"descriptor"`
	Face       *face.Face         `json:"face,omitempty"`
	Reasons    []face.Reason      `json:"reasons"`
	TimingsMS  map[string]float64 `json:"timings_ms"`
}

func (c *faceCLI) embed(path string, crop bool) int {
	img, err := c.decode(path)
	if err != nil {
		return c.fail(err)
	}
	e, err := c.engine()
	if err != nil {
		return c.fail(err)
	}
	r := embedReport{Reasons: []face.Reason{}, TimingsMS: c.timings}
	var d face.Descriptor
	if crop {
		c.timed("embed", func() { d, err = e.DescribeCrop(img) })
		if err != nil {
			return c.fail(err)
		}
		r.Descriptor = &d
		return c.write(r)
	}
	var an *face.Analysis
	c.timed("analyze", func() { an, err = e.Analyze(img, face.IDPortrait) })
	if err != nil {
		return c.fail(err)
	}
	r.Reasons, r.Face = an.Reasons, an.Face
	if an.Face == nil {
		return c.write(r)
	}
	c.timed("embed", func() { d, err = e.Embed(an.Chip) })
	if err != nil {
		return c.fail(err)
	}
	r.Descriptor = &d
	return c.write(r)
}
