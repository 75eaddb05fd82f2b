package httpapi

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// BenchmarkWSWriteText is one ~1 KB push: a pooled buffer, no allocation.
func BenchmarkWSWriteText(b *testing.B) {
	ws := &wsConn{conn: discardConn{}}
	msg := bytes.Repeat([]byte("x"), 1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := ws.writeText(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWSReadMessage reads a subscribe frame: the payload is the only
// allocation.
func BenchmarkWSReadMessage(b *testing.B) {
	frame := clientFrame(0x81, `{"command":"subscribe","identifier":"{\"channel\":\"KycChannel\"}"}`)
	in := bytes.NewReader(frame)
	conn := &scriptConn{in: in}
	ws := &wsConn{conn: conn}
	b.ReportAllocs()
	for b.Loop() {
		in.Reset(frame)
		if _, _, err := ws.readMessage(cableReadLimit); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleCableMemory holds idle subscribed websockets on a real
// server and reports the heap and goroutine stack they cost per socket
// (both ends live in this process; a client is a bare net.Conn, a few
// hundred bytes of it).
func BenchmarkIdleCableMemory(b *testing.B) {
	const n = 1000
	s := New(newFake(), Options{Logger: discardLogger(), PingInterval: time.Hour, RateLimit: RateLimit{PerMinute: -1}})
	srv := &http.Server{Handler: s}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	defer s.Shutdown(b.Context())
	for b.Loop() {
		before := memNow()
		conns := make([]net.Conn, n)
		for i := range conns {
			conns[i] = rawSubscribe(b, ln.Addr().String())
		}
		waitFor(b, func() bool { return s.hub.Subscribers() == n })
		after := memNow()
		b.ReportMetric(float64(after.heap-before.heap)/n, "heap-B/socket")
		b.ReportMetric(float64(after.stack-before.stack)/n, "stack-B/socket")
		for _, c := range conns {
			c.Close()
		}
		waitFor(b, func() bool { return s.hub.Subscribers() == 0 })
	}
}

type memSample struct{ heap, stack uint64 }

func memNow() memSample {
	runtime.GC()
	runtime.GC() // a second cycle shrinks stacks the first found oversized
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memSample{heap: m.HeapAlloc, stack: m.StackInuse}
}

// rawSubscribe opens a websocket by hand, subscribes, and reads up to the
// first push, leaving the socket idle.
func rawSubscribe(tb testing.TB, addr string) net.Conn {
	tb.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	req := "GET /v1/sessions/ses_1/cable?token=tok_ses_1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" +
		"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	sub := `{"command":"subscribe","identifier":"{\"channel\":\"KycChannel\"}"}`
	if _, err := conn.Write(append([]byte(req), maskedTextFrame(sub)...)); err != nil {
		tb.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		tb.Fatalf("handshake: %v %v", resp, err)
	}
	for frames := 0; frames < 3; frames++ { // welcome, confirm, push
		head := make([]byte, 2)
		if _, err := io.ReadFull(br, head); err != nil {
			tb.Fatal(err)
		}
		n := int(head[1] & 0x7f)
		if n == 126 {
			ext := make([]byte, 2)
			io.ReadFull(br, ext)
			n = int(ext[0])<<8 | int(ext[1])
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(br, payload); err != nil {
			tb.Fatal(err)
		}
		if frames == 2 && !strings.Contains(string(payload), `"message"`) {
			tb.Fatalf("third frame %s, want the push", payload)
		}
	}
	return conn
}

// discardConn is a connection that accepts every write.
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error)      { return len(p), nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }
