package httpapi

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/openidv/openidv/internal/idv"
)

// TestHubReadsOncePerChange checks that the subscribers of one session
// share one read of its preflight per published change.
func TestHubReadsOncePerChange(t *testing.T) {
	h := newHub()
	const n = 50
	for range n {
		sub, ok := h.subscribe("ses_a")
		if !ok {
			t.Fatal("subscribe refused")
		}
		defer h.unsubscribe(sub)
	}
	var reads atomic.Int32
	read := func(ctx context.Context, id string) (idv.Preflight, error) {
		reads.Add(1)
		return idv.Preflight{SessionID: id, Status: idv.StatusInProgress}, nil
	}
	askAll := func() {
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				msg, err := h.preflight(context.Background(), "ses_a", read)
				if err != nil || len(msg) == 0 {
					t.Errorf("preflight = %q, %v", msg, err)
				}
			})
		}
		wg.Wait()
	}
	for i, tc := range []struct {
		publish bool
		want    int32
	}{{false, 1}, {false, 1}, {true, 2}, {true, 3}, {false, 3}} {
		if tc.publish {
			h.Publish("ses_a")
		}
		askAll()
		if got := reads.Load(); got != tc.want {
			t.Fatalf("round %d: %d reads in all, want %d", i, got, tc.want)
		}
	}
}

// TestHubRetriesAfterAFailedRead checks that a transient error is not
// kept for the next subscriber.
func TestHubRetriesAfterAFailedRead(t *testing.T) {
	h := newHub()
	sub, _ := h.subscribe("ses_b")
	defer h.unsubscribe(sub)
	fail := true
	read := func(ctx context.Context, id string) (idv.Preflight, error) {
		if fail {
			return idv.Preflight{}, idv.Errorf(idv.CodeInternal, "database down")
		}
		return idv.Preflight{SessionID: id}, nil
	}
	if _, err := h.preflight(context.Background(), "ses_b", read); err == nil {
		t.Fatal("first read: want the error")
	}
	fail = false
	if _, err := h.preflight(context.Background(), "ses_b", read); err != nil {
		t.Fatalf("second read kept the transient error: %v", err)
	}
}
