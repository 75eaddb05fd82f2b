package smtp

import (
	"net"
	"testing"
)

// freePortClosed returns a loopback port that nothing listens on.
func freePortClosed(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}
