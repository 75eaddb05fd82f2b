package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// peerAddr is the IP address at the other end of the connection.
func peerAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// fromTrustedProxy reports whether the request's peer is one of
// Options.TrustedProxies, whose forwarding headers may be believed.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	if len(s.opts.TrustedProxies) == 0 {
		return false
	}
	peer, ok := peerAddr(r)
	return ok && inPrefixes(s.opts.TrustedProxies, peer)
}

func inPrefixes(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address that per-client limits (failed
// authentication, bodies in flight) count against: the peer of the
// connection or, when the peer is a trusted proxy, the nearest address in
// X-Forwarded-For that is not itself a trusted proxy (read from the right:
// the entries to its left are the client's own claims). IPv6 addresses
// count per /64, the block one subscriber usually holds.
func (s *Server) clientAddr(r *http.Request) (netip.Addr, bool) {
	a, ok := peerAddr(r)
	if !ok {
		return netip.Addr{}, false
	}
	if inPrefixes(s.opts.TrustedProxies, a) { // fromTrustedProxy, without parsing the peer again
		a = forwardedClient(r.Header.Values("X-Forwarded-For"), s.opts.TrustedProxies, a)
	}
	if a.Is6() {
		if p, err := a.Prefix(64); err == nil {
			a = p.Addr()
		}
	}
	return a, true
}

// forwardedClient walks the X-Forwarded-For hops from the right, past
// trusted proxies, and returns the first other address; a hop that is not
// an address ends the walk at the last trusted one.
func forwardedClient(values []string, trusted []netip.Prefix, peer netip.Addr) netip.Addr {
	client := peer
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(values[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
			if err != nil {
				return client
			}
			client = a.Unmap()
			if !inPrefixes(trusted, client) {
				return client
			}
		}
	}
	return client
}

// clientKey is clientAddr as a limiter key; a peer that is not an IP
// address (a test's pipe) is its own key.
func (s *Server) clientKey(r *http.Request) string {
	if a, ok := s.clientAddr(r); ok {
		return a.String()
	}
	return r.RemoteAddr
}
