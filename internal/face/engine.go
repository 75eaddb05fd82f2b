package face

import (
	"errors"
	"fmt"

	pigo "github.com/esimov/pigo/core"
	"github.com/openidv/openidv/internal/face/cascade"
)

// Errors returned by the Engine.
var (
	// ErrEmptyImage: the image has no pixels.
	ErrEmptyImage = errors.New("face: empty image")
	// ErrNoRecognizer: Embed or Compare was called on an Engine built
	// without Models.DescribeChip.
	ErrNoRecognizer = errors.New("face: no recognition model")
)

// Engine holds the parsed cascades, the networks and the configuration. It
// is immutable after NewEngine and safe for concurrent use: build one per
// process and share it.
type Engine struct {
	cfg    Config
	finder *pigo.Pigo
	pup    *puploc
	models Models
}

// NewEngine validates cfg and parses the embedded pigo cascades.
func NewEngine(cfg Config, m Models) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	finder, err := unpackFinder(cascade.FaceFinder())
	if err != nil {
		return nil, err
	}
	pup, err := parsePuploc(cascade.Puploc())
	if err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg, finder: finder, pup: pup, models: m}, nil
}

// unpackFinder parses the facefinder cascade, turning a panic on a
// malformed file into an error.
func unpackFinder(b []byte) (p *pigo.Pigo, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("face: malformed facefinder cascade: %v", r)
		}
	}()
	return pigo.NewPigo().Unpack(b)
}

// Config returns the engine's configuration.
func (e *Engine) Config() Config { return e.cfg }
