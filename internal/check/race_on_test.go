//go:build race

package check_test

// raceEnabled trims the specimen loop under the race detector, which runs
// the engine ten times slower; every test still runs the adapter under it.
const raceEnabled = true
