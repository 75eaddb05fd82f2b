package httpapi

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// maskedTextFrame encodes a client text frame (clients must mask).
func maskedTextFrame(payload string) []byte {
	key := [4]byte{1, 2, 3, 4}
	frame := []byte{0x81, 0x80 | byte(len(payload))}
	frame = append(frame, key[:]...)
	for i := range len(payload) {
		frame = append(frame, payload[i]^key[i%4])
	}
	return frame
}

// TestCableSubscribeSentWithTheHandshake sends the upgrade request and the
// subscribe frame in one write, as a fast client may: the frame arrives in
// net/http's buffer and must survive the hand-over of the connection.
func TestCableSubscribeSentWithTheHandshake(t *testing.T) {
	_, ts := newTestServer(t, newFake(), Options{PingInterval: time.Hour})
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	subscribe := `{"command":"subscribe","identifier":"{\"channel\":\"KycChannel\"}"}`
	req := "GET /v1/sessions/ses_1/cable?token=tok_ses_1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" +
		"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := conn.Write(append([]byte(req), maskedTextFrame(subscribe)...)); err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake = %v, %v; want 101", resp, err)
	}
	var frames []string
	for len(frames) < 3 {
		head := make([]byte, 2)
		if _, err := br.Read(head[:1]); err != nil {
			t.Fatalf("after %q: %v", frames, err)
		}
		if _, err := br.Read(head[1:]); err != nil {
			t.Fatal(err)
		}
		n := int(head[1] & 0x7f)
		if n == 126 {
			ext := make([]byte, 2)
			if _, err := readFull(br, ext); err != nil {
				t.Fatal(err)
			}
			n = int(ext[0])<<8 | int(ext[1])
		}
		payload := make([]byte, n)
		if _, err := readFull(br, payload); err != nil {
			t.Fatal(err)
		}
		if head[0]&0x0f == 0x8 {
			t.Fatalf("server closed the connection after %q: %q", frames, payload)
		}
		frames = append(frames, string(payload))
	}
	if !strings.Contains(frames[1], "confirm_subscription") || !strings.Contains(frames[2], `"message":{`) {
		t.Errorf("frames = %q, want welcome, confirm_subscription, then the preflight", frames)
	}
}

func readFull(br *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := br.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
