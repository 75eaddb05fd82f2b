// Package flow is OpenIDV's pure verification flow engine.
//
// It compiles level definitions (YAML) into idv.Level values, moves a
// session's State from one input to the next with Advance, and renders the
// preflight payload (the Preflight schema of api/openapi.yaml) with View. It
// does no I/O and reads no clock or randomness: the current time and every
// random value (one-time codes and their MACs) are passed in by the caller.
//
// Each step kind lives in one file (consent.go, otp.go, document.go,
// liveness.go, proof.go, nfc.go, videocall.go) behind the unexported
// stepKind interface of kinds.go, whose kindOf is the registry: the kind's
// preflight names and settings (info), its handler for the inputs addressed
// to a step (advance) and its screen parameters. advance.go keeps what
// concerns the whole session (expiry, cancellation, ended sessions);
// docs/architecture.md describes the routing of a step input.
//
// Contract with the application layer (stable; internal/app is written
// against it):
//
//   - Start makes the State of a new session; Advance returns the next State
//     and the Effects to commit. The caller commits the returned State and
//     its Effects in one transaction whenever len(effects) > 0, even when
//     Advance also returns an error (a wrong code or a late input that first
//     expired the session both change the state and return an error). When
//     effects is empty, nothing changed and the returned State equals the
//     input.
//   - Errors are *idv.Error values; a refused resend wraps a *RetryAfter
//     that says when a new code may be sent (see RetryAt).
//   - View renders the preflight payload of any State at a given time.
package flow
