package idv

import (
	"strings"
	"testing"
	"time"
)

// TestEventCursor checks cursors survive their encoding and that other
// tokens are refused.
func TestEventCursor(t *testing.T) {
	at := time.Date(2026, 11, 21, 12, 0, 0, 123456000, time.UTC)
	for _, c := range []EventCursor{{CreatedAt: at, Seq: 1}, {CreatedAt: at, Seq: 1 << 40}, {CreatedAt: time.Unix(0, 0).UTC(), Seq: 7}} {
		got, ok := ParseEventCursor(c.String())
		if !ok || !got.CreatedAt.Equal(c.CreatedAt) || got.Seq != c.Seq {
			t.Errorf("ParseEventCursor(%v.String()) = %v, %v; want the cursor back", c, got, ok)
		}
	}
	for _, token := range []string{"", "bm9wZQ", "!!!", "MTIzLjA", "MTIzLi0x", strings.Repeat("A", 65)} {
		if got, ok := ParseEventCursor(token); ok {
			t.Errorf("ParseEventCursor(%q) = %v, true; want false", token, got)
		}
	}
}
