//go:build !race

package mrzocr_test

const raceEnabled = false
