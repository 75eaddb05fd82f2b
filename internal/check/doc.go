// Package check adapts the checker ports of internal/idv to the pure
// engines (internal/document, internal/face, internal/imaging). It decodes
// uploaded bytes within imaging's limits, runs an engine, maps the engine's
// report to the domain's reading (reasons.go holds the mapping table), and
// bounds the CPU the engines take: every check waits for one slot of a pool
// sized to GOMAXPROCS, so concurrent checks queue instead of
// oversubscribing the cores. A panic in an engine becomes an error.
package check
