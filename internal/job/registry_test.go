package job

import (
	"context"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

func noop(context.Context, idv.ClaimedJob) error { return nil }

func TestRegistryRefuses(t *testing.T) {
	reg := NewRegistry()
	must(t, reg.Register("a", Kind{Handler: noop}))
	for _, tc := range []struct {
		name string
		kind string
		k    Kind
	}{
		{"twice", "a", Kind{Handler: noop}},
		{"empty name", "", Kind{Handler: noop}},
		{"nil handler", "b", Kind{}},
		{"negative timeout", "c", Kind{Handler: noop, Timeout: -time.Second}},
	} {
		if err := reg.Register(tc.kind, tc.k); err == nil {
			t.Errorf("%s: got nil error", tc.name)
		}
	}
	if got := reg.Kinds(); len(got) != 1 || got[0] != "a" {
		t.Errorf("Kinds: got %v, want [a]", got)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	reg := NewRegistry()
	must(t, reg.Register("a", Kind{Handler: noop}))
	reserved := NewRegistry()
	must(t, reserved.Register(purgeKind, Kind{Handler: noop}))
	for _, tc := range []struct {
		name string
		reg  *Registry
		cfg  Config
	}{
		{"reserved kind", reserved, Config{}},
		{"unregistered periodic", reg, Config{Periodic: []Periodic{{Kind: "b", Every: time.Minute}}}},
		{"zero period", reg, Config{Periodic: []Periodic{{Kind: "a"}}}},
		{"period past retention", reg, Config{Periodic: []Periodic{{Kind: "a", Every: 48 * time.Hour}}}},
	} {
		if _, err := New(nil, tc.reg, tc.cfg); err == nil {
			t.Errorf("%s: got nil error", tc.name)
		}
	}
}

func TestDefaultBackoffGrows(t *testing.T) {
	prev := time.Duration(0)
	for attempt := 1; attempt <= 8; attempt++ {
		d := DefaultBackoff(attempt)
		base := time.Duration(attempt*attempt*attempt*attempt) * time.Second
		if d < base || d > base+base/10 || d <= prev {
			t.Errorf("DefaultBackoff(%d) = %s, want in [%s, %s] and above %s", attempt, d, base, base+base/10, prev)
		}
		prev = d
	}
	if d := DefaultBackoff(1000); d > 24*time.Hour+24*time.Hour/10 {
		t.Errorf("DefaultBackoff(1000) = %s, want at most a day plus jitter", d)
	}
}
