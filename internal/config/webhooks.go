package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// WebhooksConfig tunes webhook delivery.
type WebhooksConfig struct {
	// AllowHTTP accepts http:// endpoint URLs (local development only).
	AllowHTTP bool `koanf:"allow_http"`
	// AllowNetworks lists CIDR prefixes that endpoints may reach although
	// they are not public (loopback, private, link-local, …).
	AllowNetworks []string `koanf:"allow_networks"`
	// RetrySchedule is the wait before each retry (durations).
	RetrySchedule []string      `koanf:"retry_schedule"`
	Timeout       time.Duration `koanf:"timeout"`
	Lease         time.Duration `koanf:"lease"`
	Workers       int           `koanf:"workers"`
	DisableAfter  time.Duration `koanf:"disable_after"`

	// PerEndpoint bounds the attempts of one endpoint in flight.
	PerEndpoint int `koanf:"per_endpoint"`
	// Endpoints are endpoints declared in the configuration file only.
	Endpoints []WebhookEndpointConfig `koanf:"endpoints"`
}

// WebhookEndpointConfig is an endpoint of the configuration file.
type WebhookEndpointConfig struct {
	Name       string   `koanf:"name"`
	URL        string   `koanf:"url"`
	Secret     string   `koanf:"secret"`
	EventTypes []string `koanf:"event_types"`
	Sandbox    bool     `koanf:"sandbox"`
}

// defaultRetrySchedule is immediately, then 5 s, 5 min, 30 min, 2 h, 5 h and
// 10 h twelve times: about 5.3 days.
const defaultRetrySchedule = "5s,5m,30m,2h,5h,10h,10h,10h,10h,10h,10h,10h,10h,10h,10h,10h,10h"

// webhookSettings are the webhooks.* keys.
func webhookSettings() []setting {
	return []setting{
		{key: "webhooks.allow_http", def: false, usage: "accept http:// webhook URLs (local development only)"},
		{key: "webhooks.allow_networks", def: []string{}, usage: "comma-separated CIDR prefixes webhooks may reach although not public (e.g. 10.1.0.0/16)", list: true},
		{key: "webhooks.retry_schedule", def: strings.Split(defaultRetrySchedule, ","), usage: "comma-separated waits before each webhook retry", list: true},
		{key: "webhooks.timeout", def: "15s", usage: "timeout of one webhook attempt"},
		{key: "webhooks.lease", def: "60s", usage: "how long a claimed delivery is exclusive (at least twice the timeout)"},
		{key: "webhooks.workers", def: 32, usage: "concurrent webhook attempts per process"},
		{key: "webhooks.per_endpoint", def: 4, usage: "concurrent webhook attempts per endpoint and process"},
		{key: "webhooks.disable_after", def: "120h", usage: "disable an endpoint whose attempts all failed for this long"},
		{key: "webhooks.endpoints", def: []any{}, usage: "endpoints declared in the configuration file", fileOnly: true},
	}
}

// Schedule parses RetrySchedule.
func (w WebhooksConfig) Schedule() ([]time.Duration, error) {
	out := make([]time.Duration, 0, len(w.RetrySchedule))
	for _, s := range w.RetrySchedule {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 0 {
			return nil, fmt.Errorf("webhooks.retry_schedule: %q is not a duration", s)
		}
		out = append(out, d)
	}
	return out, nil
}

// Networks parses AllowNetworks.
func (w WebhooksConfig) Networks() ([]netip.Prefix, error) {
	return parsePrefixes("webhooks.allow_networks", w.AllowNetworks)
}

// parsePrefixes parses the CIDR prefixes of the list setting key.
func parsePrefixes(key string, list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a CIDR prefix", key, s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

var endpointName = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

func (w WebhooksConfig) validate() []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	if _, err := w.Schedule(); err != nil {
		add("%v", err)
	}
	if _, err := w.Networks(); err != nil {
		add("%v", err)
	}
	if w.Timeout <= 0 || w.Timeout > 5*time.Minute {
		add("webhooks.timeout %s must be between 1ns and 5m", w.Timeout)
	}
	if w.Lease < 2*w.Timeout {
		add("webhooks.lease %s must be at least twice webhooks.timeout %s", w.Lease, w.Timeout)
	}
	if w.Workers < 1 || w.Workers > 1024 {
		add("webhooks.workers %d must be between 1 and 1024", w.Workers)
	}
	if w.PerEndpoint < 1 || w.PerEndpoint > w.Workers {
		add("webhooks.per_endpoint %d must be between 1 and webhooks.workers", w.PerEndpoint)
	}
	if w.DisableAfter <= 0 {
		add("webhooks.disable_after %s must be positive", w.DisableAfter)
	}
	seen := map[string]bool{}
	for i, e := range w.Endpoints {
		if !endpointName.MatchString(e.Name) || seen[e.Name] {
			add("webhooks.endpoints[%d].name %q must be unique, 1-40 of a-z, 0-9 and _", i, e.Name)
		}
		seen[e.Name] = true
		if !strings.HasPrefix(e.Secret, "whsec_") || len(e.Secret) < len("whsec_")+32 {
			add("webhooks.endpoints[%d].secret must be a whsec_ secret of at least 24 bytes", i)
		}
	}
	return p
}
