package check

import (
	"context"
	"fmt"
	"runtime"

	"github.com/openidv/openidv/internal/idv"
)

// Pool bounds how many engine runs proceed at once. Its zero value is not
// usable; use NewPool.
type Pool struct {
	slots chan struct{}
}

// NewPool returns a pool of n slots; n ≤ 0 means runtime.GOMAXPROCS(0).
func NewPool(n int) *Pool {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return &Pool{slots: make(chan struct{}, n)}
}

// Size is the number of slots.
func (p *Pool) Size() int { return cap(p.slots) }

// run waits for a slot (or ctx's end), then calls f, turning a panic in f
// into a CodeInternal error.
func (p *Pool) run(ctx context.Context, f func() error) (err error) {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.slots }()
	if err := ctx.Err(); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = &idv.Error{Code: idv.CodeInternal, Message: "the check failed", Err: fmt.Errorf("check: engine panic: %v", r)}
		}
	}()
	return f()
}
