package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// e2eMetricsToken is the metrics.token of the servers that scrape it.
const e2eMetricsToken = "e2e-metrics-token-0123456789"

// TestE2EMetricsAndEdge: by default /metrics is not served on the API
// port; metrics.addr serves it on a listener of its own; the API port
// answers a malformed request with the JSON envelope.
func TestE2EMetricsAndEdge(t *testing.T) {
	metricsAddr := e2eFreeAddr(t)
	srv := startServer(t, serverOptions{DataDir: filepath.Join(t.TempDir(), "data"),
		Env: []string{"OPENIDV_METRICS_ADDR=" + metricsAddr}})
	status, raw, err := newAPIClient(srv.Base, srv.AdminKey).do(t.Context(), http.MethodGet, "/metrics", nil)
	if err != nil || status != http.StatusNotFound || !strings.Contains(string(raw), `"not_found"`) {
		t.Errorf("GET /metrics on the API port: %d %v %s, want the 404 envelope", status, err, raw)
	}
	status, raw, err = newAPIClient("http://"+metricsAddr, "").do(t.Context(), http.MethodGet, "/metrics", nil)
	if err != nil || status != http.StatusOK || !strings.Contains(string(raw), "openidv_http_requests_total") {
		t.Errorf("GET /metrics on metrics.addr: %d %v %.200s", status, err, raw)
	}

	c, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(e2eRequestTimeout)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Error struct{ Type, Message string } `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != 400 || env.Error.Type != "invalid_request" {
		t.Errorf("malformed request: %d %v %+v", resp.StatusCode, err, env)
	}
}
