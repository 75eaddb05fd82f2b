// Package cascade embeds the pigo v1.4.6 cascade files (github.com/esimov/pigo,
// MIT licence, see LICENSE in this directory): facefinder, the frontal face
// classifier, and puploc, the pupil localisation cascade.
package cascade

import _ "embed"

//go:embed facefinder
var facefinder []byte

//go:embed puploc
var puploc []byte

// FaceFinder returns a copy of pigo's facefinder cascade, ready for
// pigo.(*Pigo).Unpack.
func FaceFinder() []byte { return append([]byte(nil), facefinder...) }

// Puploc returns a copy of pigo's pupil localisation cascade.
func Puploc() []byte { return append([]byte(nil), puploc...) }
