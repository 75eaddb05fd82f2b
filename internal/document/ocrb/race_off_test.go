//go:build !race

package ocrb_test

const raceEnabled = false
