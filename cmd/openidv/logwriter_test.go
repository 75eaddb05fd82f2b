package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the flusher and the test.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) snapshot() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String(), l.writes
}

func TestBufferedLogKeepsOrderAndFlushesOnClose(t *testing.T) {
	var dst lockedBuffer
	b := newBufferedLog(&dst, time.Hour)
	var want strings.Builder
	for i := range 1000 {
		line := fmt.Sprintf("{\"n\":%d}\n", i)
		want.WriteString(line)
		if _, err := b.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := dst.snapshot(); got != "" {
		t.Fatalf("lines reached the destination before a flush: %d bytes", len(got))
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	got, writes := dst.snapshot()
	if got != want.String() {
		t.Fatalf("got %d bytes, want %d in order", len(got), want.Len())
	}
	if writes != 1 {
		t.Errorf("got %d writes for 1000 lines, want 1", writes)
	}
}

func TestBufferedLogFlushesWhenFull(t *testing.T) {
	var dst lockedBuffer
	b := newBufferedLog(&dst, time.Hour)
	defer b.Close()
	line := bytes.Repeat([]byte("x"), 1000)
	for range logBufferSize/len(line) + 1 {
		b.Write(line)
	}
	if got, _ := dst.snapshot(); len(got) < logBufferSize {
		t.Fatalf("got %d bytes written, want at least %d once the buffer is full", len(got), logBufferSize)
	}
}

func TestBufferedLogFlushesPeriodically(t *testing.T) {
	var dst lockedBuffer
	b := newBufferedLog(&dst, 10*time.Millisecond)
	defer b.Close()
	b.Write([]byte("hello\n"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if got, _ := dst.snapshot(); got == "hello\n" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the line was not flushed by the ticker")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
