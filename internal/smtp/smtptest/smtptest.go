// Package smtptest runs a real SMTP server on a loopback port for tests:
// senders talk to it over TCP exactly as to a production relay, and the test
// reads what arrived (for example the one-time code of an end-to-end test).
//
// It is built on github.com/emersion/go-smtp. It may require AUTH PLAIN,
// offer STARTTLS with a throw-away certificate, and refuse recipients.
package smtptest

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a test server. The zero value accepts every message
// without authentication or TLS.
type Options struct {
	// Username and Password, when Username is set, make the server offer
	// AUTH PLAIN (allowed without TLS on loopback) and refuse MAIL FROM
	// with 530 until the client has authenticated with them.
	Username, Password string
	// TLS makes the server offer STARTTLS with a self-signed certificate
	// for 127.0.0.1 and localhost; ClientTLSConfig trusts it.
	TLS bool
	// ImplicitTLS makes the server speak TLS from the first byte (SMTPS,
	// as on port 465) with the same kind of certificate.
	ImplicitTLS bool
	// RejectRcpt, when set, is asked about every recipient: a 4xx or 5xx
	// code refuses it with that code, 0 accepts it.
	RejectRcpt func(to string) int
	// MaxMessageBytes limits a message (default 10 MiB).
	MaxMessageBytes int64
}

// Received is one message the server accepted.
type Received struct {
	From    string      // MAIL FROM
	To      []string    // RCPT TO, in order
	Auth    string      // the authenticated user name, "" without AUTH
	TLS     bool        // whether STARTTLS was in effect
	Raw     []byte      // the message as received (headers and body)
	Header  mail.Header // parsed headers; nil when Raw does not parse
	Subject string      // decoded Subject header
	Body    string      // the text body, transfer encoding undone, CRLF as LF
}

// codePattern finds a one-time code: six digits not part of a longer number.
var codePattern = regexp.MustCompile(`(?:^|\D)(\d{6})(?:\D|$)`)

// Code returns the first stand-alone six-digit number in the body, or "".
func (r Received) Code() string {
	m := codePattern.FindStringSubmatch(r.Body)
	if m == nil {
		return ""
	}
	return m[1]
}

// Server is a running test SMTP server. It is closed by t.Cleanup.
type Server struct {
	srv    *smtp.Server
	addr   *net.TCPAddr
	opts   Options
	client *tls.Config

	mu      sync.Mutex
	msgs    []Received
	changed chan struct{} // closed and replaced when a message arrives
}

// Start starts a server that accepts everything; see StartWith.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith starts a server with opts on a free 127.0.0.1 port and stops
// it when the test ends.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{addr: ln.Addr().(*net.TCPAddr), opts: opts, changed: make(chan struct{})}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = opts.MaxMessageBytes
	if srv.MaxMessageBytes == 0 {
		srv.MaxMessageBytes = 10 << 20
	}
	srv.MaxRecipients = 50
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if opts.TLS || opts.ImplicitTLS {
		serverCfg, clientCfg, err := selfSignedTLS()
		if err != nil {
			ln.Close()
			t.Fatalf("smtptest: %v", err)
		}
		s.client = clientCfg
		if opts.ImplicitTLS {
			ln = tls.NewListener(ln, serverCfg)
		} else {
			srv.TLSConfig = serverCfg
		}
	}
	s.srv = srv
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		_ = ln.Close() // Close misses a listener that Serve has not registered yet
		<-done
	})
	return s
}

// Addr returns "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr.String() }

// Host returns "127.0.0.1".
func (s *Server) Host() string { return s.addr.IP.String() }

// Port returns the TCP port the server listens on.
func (s *Server) Port() int { return s.addr.Port }

// ClientTLSConfig returns a TLS client configuration that trusts the
// server's certificate (nil unless Options.TLS or Options.ImplicitTLS).
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.client == nil {
		return nil
	}
	return s.client.Clone()
}

// Messages returns a copy of the messages received so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Reset forgets the messages received so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
}

// WaitFor returns the most recent message to the address to (compared
// without regard to case), waiting for one to arrive if there is none yet.
// It fails the test when none arrives within timeout.
func (s *Server) WaitFor(t testing.TB, to string, timeout time.Duration) Received {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		for i := len(s.msgs) - 1; i >= 0; i-- {
			for _, rcpt := range s.msgs[i].To {
				if strings.EqualFold(rcpt, to) {
					m := s.msgs[i]
					s.mu.Unlock()
					return m
				}
			}
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			t.Fatalf("smtptest: no message to %s within %v", to, timeout)
			return Received{}
		}
	}
}

// add records a message and wakes the waiters.
func (s *Server) add(m Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// backend makes a session per connection.
type backend struct{ s *Server }

// NewSession implements smtp.Backend.
func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c}, nil
}

// session collects one message at a time.
type session struct {
	s    *Server
	conn *smtp.Conn
	user string
	from string
	to   []string
}

// AuthMechanisms implements smtp.AuthSession: PLAIN when credentials are set.
func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth implements smtp.AuthSession.
func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || ss.s.opts.Username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != ss.s.opts.Username || password != ss.s.opts.Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		ss.user = username
		return nil
	}), nil
}

// Mail implements smtp.Session.
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && ss.user == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	ss.from = from
	return nil
}

// Rcpt implements smtp.Session.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.s.opts.RejectRcpt != nil {
		if code := ss.s.opts.RejectRcpt(to); code >= 400 {
			msg := "Requested action not taken: mailbox unavailable"
			enh := smtp.EnhancedCode{5, 1, 1}
			if code < 500 {
				msg, enh = "Requested action not taken: try again later", smtp.EnhancedCode{4, 2, 0}
			}
			return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

// Data implements smtp.Session.
func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	m := Received{From: ss.from, To: append([]string(nil), ss.to...), Auth: ss.user, TLS: isTLS, Raw: raw}
	if parsed, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = parsed.Header
		m.Subject = decodeHeader(parsed.Header.Get("Subject"))
		m.Body = decodeBody(parsed.Header, parsed.Body)
	}
	ss.s.add(m)
	return nil
}

// Reset implements smtp.Session.
func (ss *session) Reset() { ss.from, ss.to = "", nil }

// Logout implements smtp.Session.
func (ss *session) Logout() error { return nil }

// String describes the server for failure messages.
func (s *Server) String() string {
	return fmt.Sprintf("smtptest.Server(%s)", net.JoinHostPort(s.Host(), strconv.Itoa(s.Port())))
}
