package httpapi

import (
	"bytes"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/openidv/openidv/internal/idv"
)

// closeChunked answers a chunked request on a connection that closes
// afterwards. RFC 9112 §6.1 says a server that gets both Content-Length
// and Transfer-Encoding must close the connection after answering, since
// a proxy in front may have framed the body by the other header (request
// smuggling). net/http serves such a request by Transfer-Encoding but
// deletes Content-Length before any handler runs, so the two cases cannot
// be told apart here: every chunked request closes its connection, which
// costs a legitimate chunked client one reconnect.
func closeChunked(next http.Handler) http.Handler {
	closeHdr := []string{"close"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TransferEncoding) > 0 {
			w.Header()["Connection"] = closeHdr
		}
		next.ServeHTTP(w, r)
	})
}

// canonicalPath answers a path ServeMux would redirect to its clean form
// ("/v1//sessions", "/v1/./x", "/a/../b") with the 404 envelope instead of
// the mux's HTML 307: no API route is reached through such a path, and a
// redirect would replay a POST body elsewhere.
func (s *Server) canonicalPath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			p := r.URL.EscapedPath()
			if (p == "" || p[0] != '/' || strings.Contains(p, "//") || strings.Contains(p, "/.")) && cleanPath(p) != p {
				s.writeError(w, r, idv.Errorf(idv.CodeNotFound,
					"no such route: the path is not in canonical form (no empty, . or .. segments)"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// cleanPath is ServeMux's canonical form of a path: rooted, path.Clean,
// trailing slash kept.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		if len(p) == len(np)+1 && strings.HasPrefix(p, np) {
			return p
		}
		np += "/"
	}
	return np
}

// WrapListener returns ln whose connections turn the plain-text answers
// net/http writes itself, before any handler runs, into the JSON error
// envelope: 431 when the request headers exceed http.Server's
// MaxHeaderBytes, 400 for a malformed request line or header, 501 for an
// unsupported Transfer-Encoding and the like. Serve the http.Server on the
// returned listener. It rewrites plain-text HTTP only: under a TLS
// listener it sees ciphertext and changes nothing, and above one it would
// hide the *tls.Conn net/http looks for (serve has no TLS; a proxy
// terminates it).
func (s *Server) WrapListener(ln net.Listener) net.Listener {
	return envelopeListener{Listener: ln, s: s}
}

type envelopeListener struct {
	net.Listener
	s *Server
}

// Accept implements net.Listener.
func (l envelopeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &envelopeConn{Conn: c, s: l.s}, nil
}

// envelopeConn rewrites net/http's own error answers (see WrapListener).
type envelopeConn struct {
	net.Conn
	s *Server
}

// plainErrorHeaders follow the status line of every answer net/http's
// connection writes on its own (server.go, conn.serve). A handler's answer
// never starts so: net/http sorts its header fields and adds Date.
const plainErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// Write implements net.Conn.
func (c *envelopeConn) Write(p []byte) (int, error) {
	if status, ok := plainError(p); ok {
		if _, err := c.Conn.Write(c.s.connErrorAnswer(status)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// CloseWrite half-closes the connection when the underlying one can, as
// net/http does before hanging up on a 431 (the client reads the answer).
func (c *envelopeConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// plainError recognises "HTTP/1.1 NNN text" + plainErrorHeaders + text.
func plainError(p []byte) (int, bool) {
	rest, ok := bytes.CutPrefix(p, []byte("HTTP/1.1 "))
	if !ok || len(rest) < 3 {
		return 0, false
	}
	line, _, ok := bytes.Cut(rest, []byte(plainErrorHeaders))
	if !ok || bytes.ContainsAny(line, "\r\n") {
		return 0, false
	}
	status, err := strconv.Atoi(string(line[:3]))
	if err != nil || status < 400 || status > 599 {
		return 0, false
	}
	return status, true
}

// connErrorAnswer is the whole HTTP answer for a status net/http chose.
func (s *Server) connErrorAnswer(status int) []byte {
	var msg string
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		msg = "the request header fields are too large"
	case http.StatusNotImplemented:
		msg = "unsupported Transfer-Encoding; send the body with Content-Length or chunked"
	case http.StatusHTTPVersionNotSupported:
		msg = "unsupported HTTP version"
	default:
		msg = "malformed HTTP request"
	}
	id := s.ids.next()
	_, body, _ := encodeError(idv.Errorf(idv.CodeInvalid, "%s", msg), id)
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n")
	b.WriteString("Content-Type: application/json; charset=utf-8\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n")
	b.WriteString("Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n")
	b.WriteString("X-Request-Id: " + id + "\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}
