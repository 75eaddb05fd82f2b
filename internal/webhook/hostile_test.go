package webhook

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// TestHostileReceivers: a gzip bomb is recorded compressed and cut at
// ResponseExcerpt; a receiver that does not answer is cut at the timeout.
func TestHostileReceivers(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write(make([]byte, 64<<20)) // 64 MB of zeros, about 64 KB compressed
	zw.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusOK)
		w.Write(bomb.Bytes())
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select { // no answer within the 2 s timeout
		case <-r.Context().Done():
		case <-time.After(4 * time.Second):
		}
		w.WriteHeader(http.StatusOK)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	st := openSQLite(t)
	bombEP := addEndpoint(t, st, srv.URL+"/bomb")
	slowEP := addEndpoint(t, st, srv.URL+"/slow")
	start(t, st, loopbackPolicy()) // 2 s timeout, no retries
	enqueue(t, st, 1)

	d := waitDeliveries(t, st, bombEP.ID, 1)[0]
	if d.State != idv.DeliveryDelivered || len(d.AttemptLog) != 1 {
		t.Fatalf("gzip bomb: %+v", d)
	}
	if r := d.AttemptLog[0].Response; len(r) > 3*ResponseExcerpt || strings.Count(r, "\x00") > 0 {
		t.Errorf("gzip bomb: recorded %d bytes (decompressed?), want at most %d raw bytes", len(r), ResponseExcerpt)
	}
	d = waitDeliveries(t, st, slowEP.ID, 1)[0]
	if d.State != idv.DeliveryFailed || len(d.AttemptLog) != 1 ||
		!strings.Contains(d.AttemptLog[0].Error, "timeout") && !strings.Contains(d.AttemptLog[0].Error, "deadline") {
		t.Errorf("slow receiver: %+v, want a failed attempt cut by the timeout", d)
	}
}
