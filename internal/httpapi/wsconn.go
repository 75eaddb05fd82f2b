package httpapi

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// This file is the server side of RFC 6455, cut to what the cable needs
// and shaped for many idle sockets: no buffers are kept per connection. The
// reader reads a frame header straight from the connection into a small
// array and allocates a payload only when a frame arrives; a write takes a
// buffer from a shared pool for the length of one conn.Write. There is no
// compression and no subprotocol.

// WebSocket opcodes.
const (
	opContinuation byte = 0x0
	opText         byte = 0x1
	opBinary       byte = 0x2
	opClose        byte = 0x8
	opPing         byte = 0x9
	opPong         byte = 0xA
)

// WebSocket close codes (RFC 6455 §7.4.1).
const (
	closeNormal          = 1000
	closeGoingAway       = 1001
	closeProtocolError   = 1002
	closeNoStatus        = 1005
	closeInvalidPayload  = 1007
	closePolicyViolation = 1008
	closeTooBig          = 1009
)

// wsCloseWait is how long the reader waits for the peer's answer to a
// close frame the server sent before it drops the connection.
const wsCloseWait = 5 * time.Second

// errWSClosed ends the reader after a close handshake (either side's).
var errWSClosed = errors.New("websocket closed")

// wsError is a protocol error: the reader sends a close frame with code.
type wsError struct {
	code   uint16
	reason string
}

func (e *wsError) Error() string { return "websocket: " + e.reason }

// wsConn is one server-side websocket connection. The reader goroutine
// alone calls readMessage; writes may come from any goroutine and are
// serialised by wmu.
type wsConn struct {
	conn    net.Conn
	pending []byte   // bytes that arrived with the handshake; read first
	hdr     [14]byte // the reader's frame header scratch

	wmu       sync.Mutex
	closeSent bool // guarded by wmu: no frame may follow a close
	broken    bool // guarded by wmu: a write failed
}

// wsGUID is the key suffix of the accept hash (RFC 6455 §1.3).
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// wsHandshakeError says why a request is not a websocket handshake and
// with which status to answer.
type wsHandshakeError struct {
	status int
	reason string
}

func (e *wsHandshakeError) Error() string { return e.reason }

// checkWSHandshake validates the client's opening handshake and returns
// its Sec-WebSocket-Key.
func checkWSHandshake(r *http.Request) (string, *wsHandshakeError) {
	if r.ProtoMajor != 1 || r.ProtoMinor < 1 || !headerHasToken(r.Header, "Connection", "upgrade") ||
		!headerHasToken(r.Header, "Upgrade", "websocket") {
		return "", &wsHandshakeError{http.StatusUpgradeRequired, "this route takes a websocket handshake (HTTP/1.1, Connection: Upgrade, Upgrade: websocket)"}
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		return "", &wsHandshakeError{http.StatusBadRequest, "Sec-WebSocket-Version must be 13"}
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return "", &wsHandshakeError{http.StatusBadRequest, "send exactly one Sec-WebSocket-Key"}
	}
	key := strings.TrimSpace(keys[0])
	if b, err := base64.StdEncoding.DecodeString(key); err != nil || len(b) != 16 {
		return "", &wsHandshakeError{http.StatusBadRequest, "Sec-WebSocket-Key must be 16 bytes in base64"}
	}
	return key, nil
}

// headerHasToken reports whether a comma-separated header holds token
// (case-insensitive).
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// wsAccept is the Sec-WebSocket-Accept value for key.
func wsAccept(key string) string {
	h := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// acceptWS answers a handshake checked by checkWSHandshake with 101 and
// takes the connection over. The headers already set on w (request id,
// security headers) go out with the 101.
func acceptWS(w http.ResponseWriter, key string) (*wsConn, error) {
	h := w.Header()
	h.Set("Upgrade", "websocket")
	h.Set("Connection", "Upgrade")
	h.Set("Sec-WebSocket-Accept", wsAccept(key))
	w.WriteHeader(http.StatusSwitchingProtocols)
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, err
	}
	if err := brw.Writer.Flush(); err != nil {
		conn.Close()
		return nil, err
	}
	c := &wsConn{conn: conn}
	// Bytes the client sent right after its handshake (often its subscribe
	// frame) sit in net/http's buffer, which is dropped: keep a copy.
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		c.pending = append([]byte(nil), b...)
	}
	return c, nil
}

// read reads from the pending handshake bytes first, then the connection.
func (c *wsConn) read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		if len(c.pending) == 0 {
			c.pending = nil
		}
		return n, nil
	}
	return c.conn.Read(p)
}

// readFull fills p; an error with bytes still missing ends the reading.
func (c *wsConn) readFull(p []byte) error {
	for len(p) > 0 {
		n, err := c.read(p)
		p = p[n:]
		if err != nil && len(p) > 0 {
			return err
		}
	}
	return nil
}

// wsFrame is a frame header as read.
type wsFrame struct {
	fin    bool
	op     byte
	length uint64
	mask   [4]byte
}

// readFrameHeader reads and checks one client frame header.
func (c *wsConn) readFrameHeader() (wsFrame, error) {
	b := c.hdr[:2]
	if err := c.readFull(b); err != nil {
		return wsFrame{}, err
	}
	f := wsFrame{fin: b[0]&0x80 != 0, op: b[0] & 0x0f, length: uint64(b[1] & 0x7f)}
	if b[0]&0x70 != 0 {
		return f, &wsError{closeProtocolError, "reserved bits set (no extension was negotiated)"}
	}
	if b[1]&0x80 == 0 {
		return f, &wsError{closeProtocolError, "client frames must be masked"}
	}
	switch f.length {
	case 126:
		if err := c.readFull(c.hdr[2:4]); err != nil {
			return f, err
		}
		f.length = uint64(binary.BigEndian.Uint16(c.hdr[2:4]))
	case 127:
		if err := c.readFull(c.hdr[2:10]); err != nil {
			return f, err
		}
		f.length = binary.BigEndian.Uint64(c.hdr[2:10])
		if f.length>>63 != 0 {
			return f, &wsError{closeProtocolError, "frame length out of range"}
		}
	}
	if err := c.readFull(c.hdr[10:14]); err != nil {
		return f, err
	}
	copy(f.mask[:], c.hdr[10:14])
	switch f.op {
	case opContinuation, opText, opBinary:
	case opClose, opPing, opPong:
		if !f.fin || f.length > 125 {
			return f, &wsError{closeProtocolError, "control frames must be whole and at most 125 bytes"}
		}
	default:
		return f, &wsError{closeProtocolError, "unknown opcode"}
	}
	return f, nil
}

// readPayload reads a frame's payload into dst (len(dst) == f.length) and
// unmasks it.
func (c *wsConn) readPayload(f wsFrame, dst []byte) error {
	if err := c.readFull(dst); err != nil {
		return err
	}
	for i := range dst {
		dst[i] ^= f.mask[i&3]
	}
	return nil
}

// readMessage returns the next whole text or binary message of at most
// limit bytes, answering pings and closes on the way. It returns
// errWSClosed after a close handshake; on a protocol error it sends the
// matching close frame and returns the error. Any error ends the reading.
func (c *wsConn) readMessage(limit int) (op byte, msg []byte, err error) {
	defer func() {
		var we *wsError
		if errors.As(err, &we) {
			_ = c.writeClose(we.code, we.reason)
		}
	}()
	for {
		f, err := c.readFrameHeader()
		if err != nil {
			return 0, nil, err
		}
		if f.op >= opClose {
			if err := c.control(f); err != nil {
				return 0, nil, err
			}
			continue
		}
		if (f.op == opContinuation) != (op != 0) {
			return 0, nil, &wsError{closeProtocolError, "unexpected continuation or interrupted message"}
		}
		if f.length > uint64(limit-len(msg)) {
			return 0, nil, &wsError{closeTooBig, "message too big"}
		}
		if op == 0 {
			op = f.op
		}
		n := len(msg)
		msg = append(msg, make([]byte, f.length)...)
		if err := c.readPayload(f, msg[n:]); err != nil {
			return 0, nil, err
		}
		if !f.fin {
			continue
		}
		if op == opText && !utf8.Valid(msg) {
			return 0, nil, &wsError{closeInvalidPayload, "text message is not UTF-8"}
		}
		return op, msg, nil
	}
}

// control handles a ping, a pong or a close; errWSClosed after a close.
func (c *wsConn) control(f wsFrame) error {
	payload := make([]byte, f.length)
	if err := c.readPayload(f, payload); err != nil {
		return err
	}
	switch f.op {
	case opPing:
		if err := c.writeFrame(opPong, payload); err != nil && !errors.Is(err, errWSClosed) {
			return err
		}
		return nil // after our close frame, keep reading for the answer
	case opClose:
		code, ok := closeCodeOf(payload)
		if !ok {
			return &wsError{closeProtocolError, "invalid close frame"}
		}
		if code == closeNoStatus {
			code = closeNormal
		}
		_ = c.writeClose(code, "") // echo, unless we started the close
		c.conn.Close()
		return errWSClosed
	}
	return nil // a pong
}

// closeCodeOf reads a close frame's payload: empty (no status) or a valid
// code followed by a UTF-8 reason.
func closeCodeOf(p []byte) (uint16, bool) {
	if len(p) == 0 {
		return closeNoStatus, true
	}
	if len(p) == 1 || !utf8.Valid(p[2:]) {
		return 0, false
	}
	code := binary.BigEndian.Uint16(p)
	valid := code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006 ||
		code >= 3000 && code <= 4999
	return code, valid
}

// wsWriteTimeout bounds every write: a client that stops reading is cut.
const wsWriteTimeout = 10 * time.Second

// framePool holds write buffers; a push of about 1 KB fits the initial size.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledFrame is the largest buffer put back in framePool.
const maxPooledFrame = 64 << 10

// appendFrameHeader appends an unmasked server frame header.
func appendFrameHeader(b []byte, op byte, n int) []byte {
	b = append(b, 0x80|op)
	switch {
	case n <= 125:
		return append(b, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(b, 127), uint64(n))
	}
}

// writeFrame sends one whole frame with a deadline. Nothing may be written
// after a close frame or a failed write.
func (c *wsConn) writeFrame(op byte, payload []byte) error {
	bp := framePool.Get().(*[]byte)
	b := append(appendFrameHeader((*bp)[:0], op, len(payload)), payload...)
	c.wmu.Lock()
	err := c.writeLocked(op, b)
	c.wmu.Unlock()
	if cap(b) <= maxPooledFrame {
		*bp = b[:0]
		framePool.Put(bp)
	}
	return err
}

func (c *wsConn) writeLocked(op byte, frame []byte) error {
	if c.closeSent || c.broken {
		return errWSClosed
	}
	if err := c.conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout)); err != nil {
		c.broken = true
		return err
	}
	if _, err := c.conn.Write(frame); err != nil {
		c.broken = true
		return err
	}
	c.closeSent = op == opClose
	return nil
}

// writeText sends a text message.
func (c *wsConn) writeText(b []byte) error { return c.writeFrame(opText, b) }

// writeClose sends a close frame (once; later calls do nothing).
func (c *wsConn) writeClose(code uint16, reason string) error {
	p := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(reason)), code)
	return c.writeFrame(opClose, append(p, reason...))
}

// close starts the closing handshake: the close frame goes out now, and
// the reader, which ends on the peer's answer, gets wsCloseWait to see it.
func (c *wsConn) close(code uint16, reason string) {
	if c.writeClose(code, reason) != nil {
		c.conn.Close()
		return
	}
	_ = c.conn.SetReadDeadline(time.Now().Add(wsCloseWait))
}

// closeNow drops the connection without a handshake.
func (c *wsConn) closeNow() { c.conn.Close() }
