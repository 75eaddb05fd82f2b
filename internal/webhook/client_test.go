package webhook

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		ip    string
		allow []netip.Prefix
		ok    bool
	}{
		{"93.184.216.34", nil, true},
		{"2606:2800:220:1:248:1893:25c8:1946", nil, true},
		{"127.0.0.1", nil, false},
		{"127.1.2.3", nil, false},
		{"::1", nil, false},
		{"::ffff:127.0.0.1", nil, false},
		{"10.0.0.1", nil, false},
		{"172.16.5.4", nil, false},
		{"192.168.1.1", nil, false},
		{"169.254.169.254", nil, false},
		{"fd00:ec2::254", nil, false},
		{"fe80::1", nil, false},
		{"100.64.0.1", nil, false},
		{"0.0.0.0", nil, false},
		{"::", nil, false},
		{"224.0.0.1", nil, false},
		{"ff02::1", nil, false},
		{"255.255.255.255", nil, false},
		{"192.0.2.1", nil, false},
		{"64:ff9b::a9fe:a9fe", nil, false}, // NAT64 of 169.254.169.254
		{"64:ff9b::5db8:d822", nil, true},  // NAT64 of a public address
		{"2002:a9fe:a9fe::", nil, false},   // 6to4 of 169.254.169.254
		{"2001:0:4136:e378::1", nil, false},
		{"127.0.0.1", loopback, true},
		{"::1", loopback, true},
		{"::ffff:127.0.0.1", loopback, true},
		{"10.0.0.1", loopback, false},
	}
	for _, tt := range tests {
		err := Policy{Allow: tt.allow}.CheckAddr(netip.MustParseAddr(tt.ip))
		if (err == nil) != tt.ok {
			t.Errorf("CheckAddr(%s, allow %v) = %v, want ok %v", tt.ip, tt.allow, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrDestination) {
			t.Errorf("CheckAddr(%s) error %v is not ErrDestination", tt.ip, err)
		}
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url       string
		allowHTTP bool
		ok        bool
	}{
		{"https://hooks.example.com/openidv", false, true},
		{"https://hooks.example.com:8443/x?y=1", false, true},
		{"http://hooks.example.com/x", false, false},
		{"http://hooks.example.com/x", true, true},
		{"ftp://hooks.example.com/x", true, false},
		{"https://user:pw@hooks.example.com/", false, false},
		{"https://hooks.example.com/#frag", false, false},
		{"https:///path", false, false},
		{"hooks.example.com/x", false, false},
		{"https://127.0.0.1/x", false, false},
		{"https://[::1]/x", false, false},
		{"https://169.254.169.254/latest/meta-data", false, false},
		{"https://10.0.0.1/", false, false},
		{"https://localhost/x", false, true}, // a name: refused at dial time
		{"https://%zz", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		_, err := Policy{AllowHTTP: tt.allowHTTP}.CheckURL(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("CheckURL(%q, http %v) = %v, want ok %v", tt.url, tt.allowHTTP, err, tt.ok)
		}
	}
}

func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://a.example/x", "http://[::ffff:127.0.0.1]:80/", "https://0x7f.1/", "https://2130706433/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := Policy{}.CheckURL(raw)
		if err == nil && u.Scheme != "https" {
			t.Errorf("CheckURL(%q) accepted scheme %q", raw, u.Scheme)
		}
		if ip, perr := netip.ParseAddr(u2host(raw)); err == nil && perr == nil && (Policy{}).CheckAddr(ip) != nil {
			t.Errorf("CheckURL(%q) accepted a refused literal address", raw)
		}
	})
}

func u2host(raw string) string {
	u, err := (Policy{AllowHTTP: true}).CheckURL(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// TestDescribeHidesAddresses: transport errors are recorded as a stable
// kind of failure, without the addresses a name resolved to.
func TestDescribeHidesAddresses(t *testing.T) {
	dial := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://hooks.example/in", Err: &net.OpError{Op: "dial", Net: "tcp",
			Addr: &net.TCPAddr{IP: net.ParseIP("10.1.2.3"), Port: 443}, Err: err}}
	}
	refused := Policy{}.CheckAddr(netip.MustParseAddr("10.1.2.3"))
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"refused destination", dial(refused), "destination resolves to an address that is not allowed"},
		{"connection refused", dial(os.NewSyscallError("connect", syscall.ECONNREFUSED)), "connection refused"},
		{"reset", dial(os.NewSyscallError("read", syscall.ECONNRESET)), "connection reset"},
		{"unreachable", dial(os.NewSyscallError("connect", syscall.EHOSTUNREACH)), "destination unreachable"},
		{"deadline", fmt.Errorf("read body: %w", context.DeadlineExceeded), "timeout"},
		{"no such host", &net.DNSError{Err: "no such host", Name: "intranet.corp", IsNotFound: true}, "host not found"},
		{"dns failure", &net.DNSError{Err: "server misbehaving", Name: "intranet.corp", Server: "10.0.0.53:53"}, "DNS lookup failed"},
		{"certificate", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, "TLS error: certificate not accepted"},
		{"handshake", dial(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), "TLS error"},
		{"eof", dial(io.ErrUnexpectedEOF), "connection closed before the answer ended"},
		{"other", dial(errors.New("10.1.2.3 said no")), "connection failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := describe(tc.err)
			if got != tc.want {
				t.Errorf("describe(%v) = %q, want %q", tc.err, got, tc.want)
			}
			if strings.ContainsAny(got, "0123456789") {
				t.Errorf("describe(%v) = %q shows an address", tc.err, got)
			}
		})
	}
}
