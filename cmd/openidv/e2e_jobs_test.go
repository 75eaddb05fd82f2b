package main

import (
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// jobAttempts reads openidv_job_attempts_total for kind and outcome from a
// metrics listener; 0 when the series is absent.
func jobAttempts(t *testing.T, metricsAddr, kind, outcome string) int {
	t.Helper()
	status, raw, err := newAPIClient("http://"+metricsAddr, "").do(t.Context(), http.MethodGet, "/metrics", nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", status, err)
	}
	prefix := `openidv_job_attempts_total{kind="` + kind + `",outcome="` + outcome + `"} `
	for line := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), prefix); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", line, err)
			}
			return int(n)
		}
	}
	return 0
}

// waitHousekeeping waits until the housekeeping kinds completed once,
// summed over the replicas' metrics listeners, and returns the retention
// runs. The deadline only guards against a hang.
func waitHousekeeping(t *testing.T, metricsAddrs ...string) int {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		sums := map[string]int{}
		for _, kind := range []string{kindExpire, kindRetention, kindIdempotency} {
			for _, addr := range metricsAddrs {
				sums[kind] += jobAttempts(t, addr, kind, "completed")
			}
		}
		if sums[kindExpire] > 0 && sums[kindRetention] > 0 && sums[kindIdempotency] > 0 {
			return sums[kindRetention]
		}
		if time.Now().After(deadline) {
			t.Fatalf("housekeeping runs completed: %v, want each kind at least once", sums)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestE2EHousekeepingJobsSQLite: the server's housekeeping runs as jobs
// from its first moments.
func TestE2EHousekeepingJobsSQLite(t *testing.T) {
	metricsAddr := e2eFreeAddr(t)
	startServer(t, serverOptions{DataDir: filepath.Join(t.TempDir(), "data"),
		Env: []string{"OPENIDV_METRICS_ADDR=" + metricsAddr}})
	waitHousekeeping(t, metricsAddr)
}

// TestE2EHousekeepingOncePerPeriodPostgres: two replicas on one database
// run each period's housekeeping once between them, not once each.
func TestE2EHousekeepingOncePerPeriodPostgres(t *testing.T) {
	db := e2ePostgresDatabase(t)
	env := []string{"OPENIDV_MASTER_KEY=" + e2eRandomHex(t, 32), "OPENIDV_DEV=true"}
	dir := t.TempDir()
	hour := time.Now().Truncate(retentionEvery)
	ma, mb := e2eFreeAddr(t), e2eFreeAddr(t)
	startPostgresServer(t, db, serverOptions{DataDir: filepath.Join(dir, "a"),
		Env: append([]string{"OPENIDV_METRICS_ADDR=" + ma}, env...)})
	startPostgresServer(t, db, serverOptions{DataDir: filepath.Join(dir, "b"),
		Env: append([]string{"OPENIDV_METRICS_ADDR=" + mb}, env...)})
	runs := waitHousekeeping(t, ma, mb)
	if !time.Now().Truncate(retentionEvery).Equal(hour) {
		t.Skip("an hour began during the test: two retention periods")
	}
	if runs != 1 {
		t.Errorf("retention runs over both replicas in one period: %d, want 1", runs)
	}
}
