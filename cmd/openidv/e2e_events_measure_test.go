package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMeasureEventFlood replays the event attack of issue 11 against a
// spawned server and logs figures: events kept, database size, the largest
// answer of a timeline read and the server's peak resident memory. It
// asserts nothing about time or memory (the machine is shared); it runs
// only with OPENIDV_MEASURE_EVENTS=1:
//
//	OPENIDV_MEASURE_EVENTS=1 go test ./cmd/openidv -run TestMeasureEventFlood -v
func TestMeasureEventFlood(t *testing.T) {
	if os.Getenv("OPENIDV_MEASURE_EVENTS") != "1" {
		t.Skip("set OPENIDV_MEASURE_EVENTS=1 to measure")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	keep := os.Getenv("OPENIDV_MEASURE_KEEP") // a directory to keep the data in, for TestMeasureTimelineRead
	if keep != "" {
		dataDir = filepath.Join(keep, "data")
	}
	srv := startServer(t, serverOptions{DataDir: dataDir})
	admin := newAPIClient(srv.Base, srv.AdminKey)
	t.Logf("server rss at start: %s", procStatus(t, srv.cmd.Process.Pid, "VmRSS"))

	// Eight sessions, each flooded for 10 s (default rate limit) with
	// batches of 100 events of 2 KB payloads.
	sessions := make([]createdSession, 8)
	for i := range sessions {
		sessions[i] = createContactSession(t, admin)
	}
	batch := make([]map[string]any, 100)
	for i := range batch {
		batch[i] = map[string]any{"type": "tooFar", "payload": map[string]any{"message": strings.Repeat("m", 2000)}}
	}
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	deadline := time.Now().Add(10 * time.Second)
	for _, cs := range sessions {
		wg.Go(func() {
			c := newAPIClient(srv.Base, cs.ClientToken)
			for time.Now().Before(deadline) {
				status, _, err := c.do(t.Context(), http.MethodPost, "/v1/sessions/"+cs.SessionID+"/events", batch)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				counts[status]++
				mu.Unlock()
				if status == http.StatusTooManyRequests {
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	t.Logf("POST batches of 100 by status: %v; database files: %.1f MB; rss after the flood: %s",
		counts, float64(dirSize(t, dataDir))/1e6, procStatus(t, srv.cmd.Process.Pid, "VmRSS"))

	if keep != "" {
		note := srv.AdminKey + " " + sessions[0].SessionID
		if err := os.WriteFile(filepath.Join(keep, "measure.txt"), []byte(note), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	readConcurrently(t, srv, admin, sessions[0].SessionID)
}

// TestMeasureTimelineRead starts a server on the data kept by
// TestMeasureEventFlood (OPENIDV_MEASURE_KEEP), possibly another build,
// and reads the flooded timeline four times at once.
func TestMeasureTimelineRead(t *testing.T) {
	keep := os.Getenv("OPENIDV_MEASURE_KEEP")
	if os.Getenv("OPENIDV_MEASURE_EVENTS") != "1" || keep == "" {
		t.Skip("set OPENIDV_MEASURE_EVENTS=1 and OPENIDV_MEASURE_KEEP to measure")
	}
	note, err := os.ReadFile(filepath.Join(keep, "measure.txt"))
	if err != nil {
		t.Fatal(err)
	}
	key, id, _ := strings.Cut(string(note), " ")
	srv := startServer(t, serverOptions{DataDir: filepath.Join(keep, "data")})
	t.Logf("server rss at start: %s", procStatus(t, srv.cmd.Process.Pid, "VmRSS"))
	readConcurrently(t, srv, newAPIClient(srv.Base, key), id)
}

// readConcurrently reads a session's whole timeline four times at once
// and logs the bytes, the largest answer and the server's peak memory.
func readConcurrently(t *testing.T, srv *e2eServer, admin *apiClient, id string) {
	var (
		mu             sync.Mutex
		wg             sync.WaitGroup
		largest, total int64
	)
	for range 4 {
		wg.Go(func() {
			n, big := readWholeTimeline(t, admin, "/v1/sessions/"+id+"/events")
			mu.Lock()
			total, largest = total+n, max(largest, big)
			mu.Unlock()
		})
	}
	wg.Wait()
	t.Logf("4 concurrent full timeline reads: %.1f MB in all, largest single answer %.2f MB; peak rss %s",
		float64(total)/1e6, float64(largest)/1e6, procStatus(t, srv.cmd.Process.Pid, "VmHWM"))
}

// readWholeTimeline reads a timeline, following next_cursor when the
// server pages it, and returns the bytes read and the largest answer.
func readWholeTimeline(t *testing.T, c *apiClient, path string) (total, largest int64) {
	cursor := ""
	for range 10_000 {
		status, raw, err := c.do(t.Context(), http.MethodGet, path+"?limit=1000&cursor="+cursor, nil)
		if err != nil || status != http.StatusOK {
			t.Errorf("GET events: %d, %v", status, err)
			return total, largest
		}
		total, largest = total+int64(len(raw)), max(largest, int64(len(raw)))
		var page eventsPage
		if err := jsonInto(raw, &page); err != nil {
			t.Error(err)
			return total, largest
		}
		if !page.HasMore || page.NextCursor == nil {
			return total, largest
		}
		cursor = *page.NextCursor
	}
	return total, largest
}

// procStatus reads one field (VmRSS, VmHWM) of /proc/<pid>/status.
func procStatus(t *testing.T, pid int, field string) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return fmt.Sprintf("no %s", field)
}

// dirSize sums the sizes of the files under dir.
func dirSize(t *testing.T, dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
