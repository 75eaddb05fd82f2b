package config

import "fmt"

// EventsConfig bounds the events a client (the SDK) reports to a session's
// timeline. Server events are never counted or refused.
type EventsConfig struct {
	// MaxPerSession is how many SDK events one session keeps in all.
	MaxPerSession int `koanf:"max_per_session"`
	// MaxPayloadBytes is the largest payload (JSON bytes) of one SDK event.
	MaxPayloadBytes int `koanf:"max_payload_bytes"`
}

// eventSettings are the events.* keys.
func eventSettings() []setting {
	return []setting{
		{key: "events.max_per_session", def: 500, usage: "SDK events one session keeps; more are refused with 409"},
		{key: "events.max_payload_bytes", def: 4096, usage: "largest SDK event payload in bytes; larger is refused with 400"},
	}
}

// validate checks the bounds.
func (e EventsConfig) validate() []string {
	var p []string
	if e.MaxPerSession < 1 || e.MaxPerSession > 100_000 {
		p = append(p, fmt.Sprintf("events.max_per_session %d must be between 1 and 100000", e.MaxPerSession))
	}
	if e.MaxPayloadBytes < 16 || e.MaxPayloadBytes > 64<<10 {
		p = append(p, fmt.Sprintf("events.max_payload_bytes %d must be between 16 and 65536", e.MaxPayloadBytes))
	}
	return p
}
