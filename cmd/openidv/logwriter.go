package main

import (
	"io"
	"sync"
	"time"
)

// logBufferSize is how many bytes of log lines are held before a write
// flushes them at once.
const logBufferSize = 64 << 10

// bufferedLog batches the server's log lines into few write calls: each
// line is appended to a buffer, which is flushed every interval, when it
// grows past logBufferSize, and on Close. Under load the access log then
// costs a copy per request instead of a system call; at most one interval
// of lines is lost if the process is killed.
type bufferedLog struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	err  error // the first write error; later lines are dropped
	stop chan struct{}
	done chan struct{}
}

// newBufferedLog starts the flushing goroutine; Close stops it.
func newBufferedLog(w io.Writer, interval time.Duration) *bufferedLog {
	b := &bufferedLog{w: w, buf: make([]byte, 0, logBufferSize), stop: make(chan struct{}), done: make(chan struct{})}
	go b.run(interval)
	return b
}

// Write implements io.Writer. It never blocks on the destination unless
// the buffer is full.
func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) >= logBufferSize {
		b.flushLocked()
	}
	return len(p), nil
}

// Close flushes what is buffered and stops the flushing goroutine.
func (b *bufferedLog) Close() error {
	close(b.stop)
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	return b.err
}

func (b *bufferedLog) run(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			b.flushLocked()
			b.mu.Unlock()
		}
	}
}

func (b *bufferedLog) flushLocked() {
	if len(b.buf) == 0 || b.err != nil {
		return
	}
	_, b.err = b.w.Write(b.buf)
	b.buf = b.buf[:0]
}
