// Package idv is the domain of OpenIDV: sessions, levels, steps, screens,
// timeline events, outbox messages, API keys and the typed errors that the
// HTTP layer maps to status codes in one place.
//
// It does no I/O, reads no clock and no randomness. The ports that the
// application layer drives (stores, senders, notifiers) are declared here
// because every adapter implements the same contract.
package idv
