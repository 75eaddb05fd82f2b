package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/face"
	"github.com/openidv/openidv/internal/imaging"
)

const docUsage = `usage:
  openidv doc inspect [flags] IMAGE...
Prints one JSON report per image: type, quality, reasons (the SDK's
attemptFailed keys), the MRZ with its fields and checks, the portrait box
and timings. The exit code is 0 whenever every image was inspected
(whatever the verdict), 1 when an image could not be read, 2 for bad usage.`

// docOutput is one image's report with the file it came from.
type docOutput struct {
	File string `json:"file"`
	*document.Report
}

// runDoc runs `openidv doc inspect`.
func runDoc(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "inspect" {
		if len(args) > 0 {
			fmt.Fprintf(stderr, "openidv doc: unknown subcommand %q\n", args[0])
		}
		fmt.Fprintln(stderr, docUsage)
		return 2
	}
	fs := flag.NewFlagSet("doc inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nowFlag := fs.String("now", "", "reference date YYYY-MM-DD for expiry and ages (default: today)")
	portrait := fs.Bool("portrait", true, "locate the holder's portrait")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "openidv doc inspect: want at least one image\n%s\n", docUsage)
		return 2
	}
	opts := document.Options{Now: time.Now().UTC(), Clock: time.Now}
	if *nowFlag != "" {
		t, err := time.Parse(time.DateOnly, *nowFlag)
		if err != nil {
			fmt.Fprintf(stderr, "openidv doc inspect: -now: %v\n", err)
			return 2
		}
		opts.Now = t
	}
	if *portrait {
		// pigo alone: the portrait on a rectified document is large and
		// frontal, and the networks would only add load time.
		fe, err := face.NewEngine(face.DefaultConfig(), face.Models{})
		if err != nil {
			fmt.Fprintf(stderr, "openidv doc inspect: %v\n", err)
			return 1
		}
		opts.Faces = fe
	}
	code := 0
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // MRZ fillers are '<'
	for _, path := range fs.Args() {
		rep, err := inspectFile(path, opts)
		if err != nil {
			fmt.Fprintf(stderr, "openidv doc inspect: %v\n", err)
			code = 1
			continue
		}
		if err := enc.Encode(docOutput{File: path, Report: rep}); err != nil {
			fmt.Fprintf(stderr, "openidv doc inspect: %v\n", err)
			return 1
		}
	}
	return code
}

// inspectFile decodes one image with the default limits and inspects it.
func inspectFile(path string, opts document.Options) (*document.Report, error) {
	t0 := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := imaging.Decode(f, imaging.Limits{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	decode := float64(time.Since(t0).Microseconds()) / 1000
	rep, err := document.Inspect(img, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rep.TimingsMS["decode"] = decode
	total := 0.0
	for k, ms := range rep.TimingsMS {
		rep.TimingsMS[k] = math.Round(ms*1000) / 1000
		total += ms
	}
	rep.TimingsMS["total"] = math.Round(total*1000) / 1000
	return rep, nil
}
