package check

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/openidv/openidv/internal/idv"
)

func TestPoolTurnsAPanicIntoAnError(t *testing.T) {
	p := NewPool(1)
	err := p.run(context.Background(), func() error { panic("boom") })
	if got := idv.ErrorCode(err); got != idv.CodeInternal {
		t.Fatalf("got %v (code %q), want a CodeInternal error", err, got)
	}
	// The slot was released: the next run proceeds.
	if err := p.run(context.Background(), func() error { return nil }); err != nil {
		t.Fatalf("after a panic: %v", err)
	}
}

func TestPoolDefaultsToGOMAXPROCS(t *testing.T) {
	if got := NewPool(0).Size(); got < 1 {
		t.Fatalf("size %d", got)
	}
}

func TestPoolWaiterHonoursCancellation(t *testing.T) {
	p := NewPool(1)
	hold, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- p.run(context.Background(), func() error { close(hold); <-release; return nil })
	}()
	<-hold
	ctx, cancel := context.WithCancel(context.Background())
	waited := make(chan error, 1)
	ran := false
	go func() { waited <- p.run(ctx, func() error { ran = true; return nil }) }()
	cancel()
	if err := <-waited; !errors.Is(err, context.Canceled) {
		t.Fatalf("waiter: got %v, want context.Canceled", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("a cancelled waiter ran")
	}
}

// TestPoolBoundsConcurrency starts 4×size runs that each wait until told
// to finish, and checks that never more than size run at once and all end.
func TestPoolBoundsConcurrency(t *testing.T) {
	const size = 2
	p := NewPool(size)
	var mu sync.Mutex
	running, peak := 0, 0
	started := make(chan struct{}, 4*size)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 * size {
		wg.Go(func() {
			err := p.run(context.Background(), func() error {
				mu.Lock()
				running++
				peak = max(peak, running)
				mu.Unlock()
				started <- struct{}{}
				<-release
				mu.Lock()
				running--
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	// Exactly size runs can start while none is released.
	for range size {
		<-started
	}
	mu.Lock()
	if running != size {
		t.Errorf("running %d, want %d", running, size)
	}
	mu.Unlock()
	close(release)
	wg.Wait()
	if peak > size {
		t.Fatalf("peak %d runs at once, want at most %d", peak, size)
	}
}
