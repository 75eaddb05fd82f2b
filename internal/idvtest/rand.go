package idvtest

import (
	"io"
	"math/rand/v2"
	"sync"
)

// lockedRand is a ChaCha8 stream safe for concurrent use.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

func (l *lockedRand) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// NewRand returns a deterministic random source, safe for concurrent use:
// the same seed gives the same bytes, so identifiers and secrets repeat
// from run to run (golden files rely on it). It is not for production.
func NewRand(seed byte) io.Reader {
	return &lockedRand{r: rand.NewChaCha8([32]byte{seed})}
}
