//go:build race

package ocrb_test

// raceEnabled trims the slowest tests under the race detector, which runs
// this pure arithmetic ten times slower and adds nothing to it.
const raceEnabled = true
