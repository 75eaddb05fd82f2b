package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Policy says where webhooks may go. By default only public addresses over
// https: loopback, private, link-local (cloud metadata included), CGNAT,
// multicast, unspecified, documentation and other reserved addresses are
// refused at dial time, after DNS, for every address a name resolves to,
// unless an Allow prefix contains them.
type Policy struct {
	// AllowHTTP accepts http:// URLs (local development).
	AllowHTTP bool
	// Allow lists the networks that may be reached although not public,
	// e.g. 10.0.0.0/8 for an internal receiver or 127.0.0.0/8 in tests.
	Allow []netip.Prefix
}

// ErrDestination is the cause of a refused destination.
var ErrDestination = errors.New("webhook destination not allowed")

// CheckURL validates an endpoint URL: absolute, https (or http when
// allowed), a host, no user information, no fragment. An IP literal host
// is checked against the policy at once; names are checked at dial time.
func (p Policy) CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || len(raw) > 2048:
		return nil, errors.New("must be an absolute URL of at most 2048 characters")
	case u.Scheme != "https" && !(p.AllowHTTP && u.Scheme == "http"):
		if p.AllowHTTP {
			return nil, errors.New("must use https or http")
		}
		return nil, errors.New("must use https")
	case u.Hostname() == "" || u.Opaque != "":
		return nil, errors.New("must have a host")
	case u.User != nil:
		return nil, errors.New("must not contain user information")
	case strings.Contains(raw, "#"):
		return nil, errors.New("must not contain a fragment")
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
		if err := p.CheckAddr(ip); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// CheckAddr refuses an address that is not public, unless allow-listed.
func (p Policy) CheckAddr(ip netip.Addr) error {
	ip = ip.Unmap()
	for _, pre := range p.Allow {
		if pre.Contains(ip) {
			return nil
		}
	}
	if reason := special(ip); reason != "" {
		return fmt.Errorf("%w: %s is %s", ErrDestination, ip, reason)
	}
	return nil
}

// special names why ip is not a public unicast address, or returns "".
func special(ip netip.Addr) string {
	switch {
	case !ip.IsValid():
		return "invalid"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local (cloud metadata lives here)"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	case ip.IsPrivate():
		return "private"
	}
	for _, r := range reserved() {
		if r.prefix.Contains(ip) {
			if r.embedsV4 {
				// NAT64 / 6to4 / Teredo: judge the embedded IPv4 address.
				if v4, ok := embeddedV4(ip, r.prefix); ok {
					if why := special(v4); why != "" {
						return why + " (embedded in " + r.prefix.String() + ")"
					}
					continue
				}
			}
			return r.why
		}
	}
	if !ip.IsGlobalUnicast() {
		return "not global unicast"
	}
	return ""
}

type reservedRange struct {
	prefix   netip.Prefix
	why      string
	embedsV4 bool
}

// reserved lists special-purpose ranges that the netip predicates miss.
func reserved() []reservedRange {
	r := func(s, why string, embeds bool) reservedRange {
		return reservedRange{netip.MustParsePrefix(s), why, embeds}
	}
	return []reservedRange{
		r("0.0.0.0/8", "unspecified (this network)", false),
		r("100.64.0.0/10", "shared address space (CGNAT)", false),
		r("192.0.0.0/24", "IETF protocol assignments", false),
		r("192.0.2.0/24", "documentation", false),
		r("198.18.0.0/15", "benchmarking", false),
		r("198.51.100.0/24", "documentation", false),
		r("203.0.113.0/24", "documentation", false),
		r("240.0.0.0/4", "reserved", false),
		r("255.255.255.255/32", "broadcast", false),
		r("64:ff9b::/96", "NAT64", true),
		r("64:ff9b:1::/48", "local NAT64", false),
		r("2002::/16", "6to4", true),
		r("2001::/32", "Teredo", false),
		r("2001:db8::/32", "documentation", false),
		r("100::/64", "discard-only", false),
	}
}

// embeddedV4 extracts the IPv4 address of a NAT64 (last 32 bits) or 6to4
// (bits 16-48) address.
func embeddedV4(ip netip.Addr, in netip.Prefix) (netip.Addr, bool) {
	b := ip.As16()
	switch in.Bits() {
	case 96:
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case 16:
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// control runs after DNS, on the address actually dialled.
func (p Policy) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrDestination, address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrDestination, address)
	}
	return p.CheckAddr(ip)
}

// NewClient returns the HTTP client of webhook deliveries: destinations
// checked at dial time, no proxy from the environment, redirects never
// followed, no transparent decompression, timeout per attempt.
func NewClient(p Policy, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: min(timeout, 10*time.Second), KeepAlive: 30 * time.Second, Control: p.control}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    64,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  timeout,
		DisableCompression:     true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport:     transport,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// describe turns a transport error into the stable text recorded in the
// delivery log: what kind of failure it was, never an address that a host
// name resolved to (the log would otherwise reveal internal DNS), nor the
// text of an error from below.
func describe(err error) string {
	var (
		dnsErr  *net.DNSError
		netErr  net.Error
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
	)
	switch {
	case errors.Is(err, ErrDestination):
		return "destination resolves to an address that is not allowed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return "host not found"
		}
		return "DNS lookup failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "destination unreachable"
	case errors.As(err, &certErr):
		return "TLS error: certificate not accepted"
	case errors.As(err, &recErr), errors.As(err, &alert),
		strings.Contains(err.Error(), "tls: "), strings.Contains(err.Error(), "x509: "):
		return "TLS error"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "connection closed before the answer ended"
	}
	return "connection failed"
}
