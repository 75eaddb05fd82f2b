//go:build race

package document_test

// raceEnabled skips the synthetic-set reports under the race detector,
// which runs them ten times slower; Inspect still runs under it in the
// fuzz seeds, the real specimens and the CLI tests.
const raceEnabled = true
