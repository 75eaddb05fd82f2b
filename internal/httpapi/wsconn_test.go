package httpapi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// scriptConn is a net.Conn whose peer has already sent in and reads
// nothing back: it records what the server writes.
type scriptConn struct {
	net.Conn // nil: the methods below are all the websocket code calls
	in       *bytes.Reader
	out      bytes.Buffer
	closed   bool
}

func (c *scriptConn) Read(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.in.Read(p)
}

func (c *scriptConn) Write(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.out.Write(p)
}

func (c *scriptConn) Close() error                     { c.closed = true; return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// clientFrame encodes a masked client frame with explicit first byte
// (FIN, RSV, opcode) and payload.
func clientFrame(b0 byte, payload string) []byte {
	return clientFrameMask(b0, payload, true)
}

func clientFrameMask(b0 byte, payload string, masked bool) []byte {
	f := []byte{b0}
	maskBit := byte(0)
	if masked {
		maskBit = 0x80
	}
	switch n := len(payload); {
	case n <= 125:
		f = append(f, maskBit|byte(n))
	case n <= 0xffff:
		f = binary.BigEndian.AppendUint16(append(f, maskBit|126), uint16(n))
	default:
		f = binary.BigEndian.AppendUint64(append(f, maskBit|127), uint64(n))
	}
	if !masked {
		return append(f, payload...)
	}
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	f = append(f, key[:]...)
	for i := range len(payload) {
		f = append(f, payload[i]^key[i%4])
	}
	return f
}

// serverFrames decodes the unmasked frames the server wrote.
func serverFrames(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	for len(b) > 0 {
		if len(b) < 2 || b[1]&0x80 != 0 {
			t.Fatalf("bad server frame % x", b)
		}
		op, n, b2 := b[0], int(b[1]), b[2:]
		switch n {
		case 126:
			n, b2 = int(binary.BigEndian.Uint16(b2)), b2[2:]
		case 127:
			n, b2 = int(binary.BigEndian.Uint64(b2)), b2[8:]
		}
		p := b2[:n]
		if op&0x0f == opClose && n >= 2 {
			out = append(out, "close "+strconv.Itoa(int(binary.BigEndian.Uint16(p)))+" "+string(p[2:]))
		} else {
			out = append(out, opName(op)+" "+string(p))
		}
		b = b2[n:]
	}
	return out
}

func opName(b0 byte) string {
	names := map[byte]string{opText: "text", opBinary: "binary", opClose: "close", opPing: "ping", opPong: "pong"}
	if b0&0x80 == 0 {
		return "fragment"
	}
	return names[b0&0x0f]
}

func TestWSReadMessage(t *testing.T) {
	big := strings.Repeat("x", 300)
	tests := []struct {
		name    string
		closed  bool   // the server has sent its close frame
		pending []byte // bytes that came with the handshake
		in      [][]byte
		want    []string // messages read, then "err <code>" or "eof"/"closed"
		written []string // frames the server wrote
	}{
		{name: "one text", in: [][]byte{clientFrame(0x81, "hello")}, want: []string{"text hello", "eof"}},
		{name: "empty text", in: [][]byte{clientFrame(0x81, "")}, want: []string{"text ", "eof"}},
		{name: "16-bit length", in: [][]byte{clientFrame(0x81, big)}, want: []string{"text " + big, "eof"}},
		{name: "binary", in: [][]byte{clientFrame(0x82, "\x00\xff")}, want: []string{"binary \x00\xff", "eof"}},
		{
			name: "fragmented with a ping in the middle",
			in:   [][]byte{clientFrame(0x01, "hel"), clientFrame(0x89, "hi"), clientFrame(0x00, "l"), clientFrame(0x80, "o")},
			want: []string{"text hello", "eof"}, written: []string{"pong hi"},
		},
		{
			name:    "pipelined: the handshake's bytes first, then the connection",
			pending: append(clientFrame(0x81, "one"), clientFrame(0x81, "tw")[:3]...),
			in:      [][]byte{clientFrame(0x81, "tw")[3:], clientFrame(0x81, "three")},
			want:    []string{"text one", "text tw", "text three", "eof"},
		},
		{name: "pong ignored", in: [][]byte{clientFrame(0x8a, "x"), clientFrame(0x81, "a")}, want: []string{"text a", "eof"}},
		{
			name: "ping after our close: no pong, keep reading", closed: true,
			in:   [][]byte{clientFrame(0x89, "p"), clientFrame(0x81, "late"), clientFrame(0x88, "\x03\xe9")},
			want: []string{"text late", "closed"}, written: []string{"close 1001 "},
		},
		{
			name: "close echoed", in: [][]byte{clientFrame(0x88, "\x03\xe8bye"), clientFrame(0x81, "after")},
			want: []string{"closed"}, written: []string{"close 1000 "},
		},
		{
			name: "close with a custom code", in: [][]byte{clientFrame(0x88, "\x0f\xa0")},
			want: []string{"closed"}, written: []string{"close 4000 "},
		},
		{name: "close without status", in: [][]byte{clientFrame(0x88, "")}, want: []string{"closed"}, written: []string{"close 1000 "}},
		{name: "close with one byte", in: [][]byte{clientFrame(0x88, "\x03")}, want: []string{"err 1002"}, written: []string{"close 1002 invalid close frame"}},
		{name: "close with code 1005", in: [][]byte{clientFrame(0x88, "\x03\xed")}, want: []string{"err 1002"}, written: []string{"close 1002 invalid close frame"}},
		{name: "unmasked", in: [][]byte{clientFrameMask(0x81, "a", false)}, want: []string{"err 1002"}, written: []string{"close 1002 client frames must be masked"}},
		{name: "reserved bit", in: [][]byte{clientFrame(0xc1, "a")}, want: []string{"err 1002"}, written: []string{"close 1002 reserved bits set (no extension was negotiated)"}},
		{name: "unknown opcode", in: [][]byte{clientFrame(0x83, "a")}, want: []string{"err 1002"}, written: []string{"close 1002 unknown opcode"}},
		{name: "fragmented ping", in: [][]byte{clientFrame(0x09, "a")}, want: []string{"err 1002"}, written: []string{"close 1002 control frames must be whole and at most 125 bytes"}},
		{name: "long ping", in: [][]byte{clientFrame(0x89, big)}, want: []string{"err 1002"}, written: []string{"close 1002 control frames must be whole and at most 125 bytes"}},
		{name: "continuation first", in: [][]byte{clientFrame(0x80, "a")}, want: []string{"err 1002"}, written: []string{"close 1002 unexpected continuation or interrupted message"}},
		{name: "new message inside a message", in: [][]byte{clientFrame(0x01, "a"), clientFrame(0x81, "b")}, want: []string{"err 1002"}, written: []string{"close 1002 unexpected continuation or interrupted message"}},
		{name: "too big in one frame", in: [][]byte{clientFrame(0x81, strings.Repeat("y", 1025))}, want: []string{"err 1009"}, written: []string{"close 1009 message too big"}},
		{name: "too big in fragments", in: [][]byte{clientFrame(0x01, big), clientFrame(0x00, big), clientFrame(0x00, big), clientFrame(0x80, big)}, want: []string{"err 1009"}, written: []string{"close 1009 message too big"}},
		{name: "64-bit length out of range", in: [][]byte{{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4}}, want: []string{"err 1002"}, written: []string{"close 1002 frame length out of range"}},
		{name: "invalid UTF-8", in: [][]byte{clientFrame(0x81, "\xff\xfe")}, want: []string{"err 1007"}, written: []string{"close 1007 text message is not UTF-8"}},
		{name: "cut in the header", in: [][]byte{clientFrame(0x81, "abc")[:3]}, want: []string{"eof"}},
		{name: "cut in the payload", in: [][]byte{clientFrame(0x81, "abc")[:7]}, want: []string{"eof"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := &scriptConn{in: bytes.NewReader(bytes.Join(tt.in, nil))}
			ws := &wsConn{conn: conn, pending: tt.pending}
			if tt.closed {
				ws.close(closeGoingAway, "")
			}
			var got []string
			for len(got) < 10 {
				op, msg, err := ws.readMessage(1024)
				var we *wsError
				switch {
				case errors.As(err, &we):
					got = append(got, "err "+strconv.Itoa(int(we.code)))
				case errors.Is(err, errWSClosed):
					got = append(got, "closed")
				case errors.Is(err, io.EOF):
					got = append(got, "eof")
				case err != nil:
					t.Fatalf("error %v", err)
				default:
					got = append(got, opName(0x80|op)+" "+string(msg))
					continue
				}
				break
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("read %q, want %q", got, tt.want)
			}
			if w := serverFrames(t, conn.out.Bytes()); strings.Join(w, "|") != strings.Join(tt.written, "|") {
				t.Errorf("server wrote %q, want %q", w, tt.written)
			}
		})
	}
}

func TestWSWrites(t *testing.T) {
	conn := &scriptConn{in: bytes.NewReader(nil)}
	ws := &wsConn{conn: conn}
	long := strings.Repeat("z", 70_000) // 64-bit length, and too big to pool
	for _, m := range []string{"a", strings.Repeat("b", 200), long} {
		if err := ws.writeText([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	ws.close(closeGoingAway, "bye")
	if err := ws.writeText([]byte("late")); !errors.Is(err, errWSClosed) {
		t.Errorf("write after close = %v, want errWSClosed", err)
	}
	ws.close(closeNormal, "again") // a second close sends nothing
	want := []string{"text a", "text " + strings.Repeat("b", 200), "text " + long, "close 1001 bye"}
	if got := serverFrames(t, conn.out.Bytes()); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("frames = %.80q…, want %.80q…", got, want)
	}
	broken := &wsConn{conn: &scriptConn{closed: true}}
	if err := broken.writeText([]byte("x")); err == nil {
		t.Errorf("write on a closed connection succeeded")
	}
	if err := broken.writeText([]byte("x")); !errors.Is(err, errWSClosed) {
		t.Errorf("write after a failed write = %v, want errWSClosed", err)
	}
}

func TestWSHandshake(t *testing.T) {
	// RFC 6455 §1.3's example.
	if got := wsAccept("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("accept = %q", got)
	}
	good := http.Header{"Connection": {"keep-alive, Upgrade"}, "Upgrade": {"WebSocket"},
		"Sec-Websocket-Version": {"13"}, "Sec-Websocket-Key": {"dGhlIHNhbXBsZSBub25jZQ=="}}
	with := func(k, v string) http.Header {
		h := good.Clone()
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
		return h
	}
	tests := []struct {
		name   string
		hdr    http.Header
		proto  int // minor HTTP/1 version
		status int
	}{
		{"valid", good, 1, 0},
		{"HTTP/1.0", good, 0, 426},
		{"HTTP/2", good, -2, 426},
		{"no Connection: upgrade", with("Connection", "keep-alive"), 1, 426},
		{"no Upgrade", with("Upgrade", ""), 1, 426},
		{"version 8", with("Sec-Websocket-Version", "8"), 1, 400},
		{"no key", with("Sec-Websocket-Key", ""), 1, 400},
		{"short key", with("Sec-Websocket-Key", "c2hvcnQ="), 1, 400},
		{"two keys", func() http.Header {
			h := good.Clone()
			h.Add("Sec-Websocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
			return h
		}(), 1, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &http.Request{Method: "GET", Header: tt.hdr, ProtoMajor: 1, ProtoMinor: tt.proto}
			if tt.proto < 0 {
				r.ProtoMajor, r.ProtoMinor = -tt.proto, 0
			}
			key, err := checkWSHandshake(r)
			status := 0
			if err != nil {
				status = err.status
			}
			if status != tt.status || (err == nil && key != "dGhlIHNhbXBsZSBub25jZQ==") {
				t.Errorf("status = %d (%v), key %q; want %d", status, err, key, tt.status)
			}
		})
	}
}

// FuzzWSReadMessage feeds arbitrary client bytes to the frame reader: it
// must never panic, never return more than the limit, and return only text
// that is valid UTF-8.
func FuzzWSReadMessage(f *testing.F) {
	f.Add(clientFrame(0x81, "hello"))
	f.Add(append(clientFrame(0x01, "he"), clientFrame(0x80, "llo")...))
	f.Add(clientFrame(0x88, "\x03\xe8"))
	f.Add(clientFrame(0x89, "ping"))
	f.Add([]byte{0x81, 0xff, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 'a'})
	f.Fuzz(func(t *testing.T, in []byte) {
		ws := &wsConn{conn: &scriptConn{in: bytes.NewReader(in)}}
		for range 100 {
			op, msg, err := ws.readMessage(256)
			if err != nil {
				return
			}
			if len(msg) > 256 {
				t.Fatalf("message of %d bytes, limit 256", len(msg))
			}
			if op == opText && !utf8.Valid(msg) {
				t.Fatalf("invalid UTF-8 returned")
			}
		}
	})
}
