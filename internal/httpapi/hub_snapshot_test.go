package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// TestHubReadsOncePerChange checks that the subscribers of one session
// share one read of its preflight per published change.
func TestHubReadsOncePerChange(t *testing.T) {
	h := newHub(time.Hour)
	const n = 50
	for range n {
		sub, ok := h.subscribe("ses_a", func(uint32) {})
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
				snap, err := h.snapshot(context.Background(), "ses_a", read)
				if err != nil || len(snap.msg) == 0 {
					t.Errorf("snapshot = %+v, %v", snap, err)
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
	h := newHub(time.Hour)
	sub, _ := h.subscribe("ses_b", func(uint32) {})
	defer h.unsubscribe(sub)
	fail := true
	read := func(ctx context.Context, id string) (idv.Preflight, error) {
		if fail {
			return idv.Preflight{}, idv.Errorf(idv.CodeInternal, "database down")
		}
		return idv.Preflight{SessionID: id}, nil
	}
	if _, err := h.snapshot(context.Background(), "ses_b", read); err == nil {
		t.Fatal("first read: want the error")
	}
	fail = false
	if _, err := h.snapshot(context.Background(), "ses_b", read); err != nil {
		t.Fatalf("second read kept the transient error: %v", err)
	}
}

// TestHubRunsASubscriberOnOneWorker marks one subscriber from many
// goroutines and checks its work never runs twice at once and none is lost.
func TestHubRunsASubscriberOnOneWorker(t *testing.T) {
	h := newHub(time.Hour)
	var inFlight, overlaps, pushes atomic.Int32
	sub, _ := h.subscribe("ses_c", func(work uint32) {
		if inFlight.Add(1) > 1 {
			overlaps.Add(1)
		}
		time.Sleep(50 * time.Microsecond)
		if work&workPush != 0 {
			pushes.Add(1)
		}
		inFlight.Add(-1)
	})
	defer h.unsubscribe(sub)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				h.Publish("ses_c")
			}
		})
	}
	wg.Wait()
	waitFor(t, func() bool { return sub.pending.Load() == 0 })
	if got := overlaps.Load(); got != 0 {
		t.Errorf("the subscriber's work ran concurrently %d times", got)
	}
	if pushes.Load() == 0 {
		t.Error("no push ran")
	}
	before := pushes.Load()
	h.Publish("ses_c")
	waitFor(t, func() bool { return pushes.Load() == before+1 })
}

// TestSnapshotEncodesEachFrameOnce checks that subscribers of one session
// share the encoded push frame of their identifier.
func TestSnapshotEncodesEachFrameOnce(t *testing.T) {
	snap := &preflightSnapshot{msg: json.RawMessage(`{"screen":{"show":"consent_screen"}}`)}
	a, err := snap.frame(kycIdent)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"identifier":"{\"channel\":\"KycChannel\"}","message":{"screen":{"show":"consent_screen"}}}`; string(a) != want {
		t.Errorf("frame = %s, want %s", a, want)
	}
	again, _ := snap.frame(kycIdent)
	if &again[0] != &a[0] {
		t.Errorf("the same identifier's frame was encoded twice")
	}
	other, _ := snap.frame(`{"channel":"BynnKycChannel"}`)
	if !strings.Contains(string(other), `BynnKycChannel`) {
		t.Errorf("other identifier's frame = %s", other)
	}
}
