// Package httpapi serves OpenIDV over HTTP: the REST session API of
// api/openapi.yaml, the ActionCable-style websocket of docs/contracts.md, health,
// readiness and Prometheus metrics, and the development inbox.
//
// It owns the one table that maps idv error codes to HTTP statuses, the
// strict JSON request decoder, authentication of bearer keys and client
// tokens, per-principal rate limiting and Idempotency-Key handling. All
// business rules live behind the Service interface (implemented by
// *app.Service).
package httpapi
