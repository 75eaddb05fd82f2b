// Command loadgen is the project's load generator for the performance
// figures of the server (run it in a second process on the same machine):
//
//	loadgen http -url URL [-method GET] [-body JSON] [-header 'K: V'] [-c 64] [-d 10s] [-rate R] [-pid PID]
//	loadgen baseline -addr 127.0.0.1:9090 -size 700
//	loadgen ws -url WS_URL -n 5000 -trigger-url URL -trigger-body JSON [-pid PID]
//
// http prints throughput and latency percentiles as JSON; baseline serves a
// bare net/http handler answering a JSON body of the given size, the
// comparison point for GET preflight; ws holds n idle websocket subscribers
// of one session, triggers a change, and reports how long the push took to
// reach them all (and the server's resident memory when -pid is given).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen http|baseline|ws [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "http":
		err = runHTTP(os.Args[2:])
	case "baseline":
		err = runBaseline(os.Args[2:])
	case "ws":
		err = runWS(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

func runHTTP(args []string) error {
	fs := flag.NewFlagSet("http", flag.ExitOnError)
	url := fs.String("url", "", "target URL")
	method := fs.String("method", "GET", "HTTP method")
	body := fs.String("body", "", "request body")
	conns := fs.Int("c", 64, "concurrent connections")
	dur := fs.Duration("d", 10*time.Second, "duration")
	rate := fs.Float64("rate", 0, "open loop: requests per second on a fixed schedule, latency counted from the scheduled time (0: closed loop, as fast as the connections allow)")
	pid := fs.Int("pid", 0, "server pid: report its CPU time (user+system) per answered request")
	var headers headerList
	fs.Var(&headers, "header", "request header 'Key: Value' (repeatable)")
	fs.Parse(args)
	if *url == "" {
		return fmt.Errorf("-url is required")
	}
	cpuBefore, _ := readCPU(*pid)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns}}
	start := time.Now()
	deadline := start.Add(*dur)
	slots := schedule(*rate, start, deadline)
	var mu sync.Mutex
	var lat []time.Duration
	var errs, non2xx atomic.Int64
	var wg sync.WaitGroup
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(*method, *url, strings.NewReader(*body))
				for _, h := range headers {
					k, v, _ := strings.Cut(h, ":")
					req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
				}
				start := time.Now()
				if slots != nil {
					at, ok := <-slots
					if !ok {
						break
					}
					time.Sleep(time.Until(at))
					start = at // a late send counts its wait: no coordinated omission
				}
				resp, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				local = append(local, time.Since(start))
				if resp.StatusCode/100 != 2 {
					non2xx.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	fields := map[string]any{
		"requests": len(lat), "errors": errs.Load(), "non_2xx": non2xx.Load(),
		"rps": float64(len(lat)) / dur.Seconds(), "connections": *conns, "target_rate": *rate,
	}
	if cpuAfter, err := readCPU(*pid); err == nil && len(lat) > 0 {
		fields["server_cpu_us_per_req"] = float64((cpuAfter - cpuBefore).Microseconds()) / float64(len(lat))
	}
	return report(fields, lat)
}

// readCPU returns the CPU time (user + system) pid has used, from
// /proc/PID/stat (Linux).
func readCPU(pid int) (time.Duration, error) {
	if pid <= 0 {
		return 0, fmt.Errorf("no pid")
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count fields after its ')'.
	rest := string(data[bytes.LastIndexByte(data, ')')+1:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	var utime, stime int64
	fmt.Sscan(f[11], &utime)   // field 14 of the file
	fmt.Sscan(f[12], &stime)   // field 15
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond, nil
}

// schedule returns the send times of an open-loop run at rate per second
// between start and end, or nil for a closed loop.
func schedule(rate float64, start, end time.Time) <-chan time.Time {
	if rate <= 0 {
		return nil
	}
	slots := make(chan time.Time, 1024)
	go func() {
		defer close(slots)
		step := time.Duration(float64(time.Second) / rate)
		for at := start; at.Before(end); at = at.Add(step) {
			slots <- at
		}
	}()
	return slots
}

func report(fields map[string]any, lat []time.Duration) error {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	fields["p50_ms"], fields["p90_ms"], fields["p99_ms"], fields["max_ms"] = pct(0.5), pct(0.9), pct(0.99), pct(1)
	return json.NewEncoder(os.Stdout).Encode(fields)
}

func runBaseline(args []string) error {
	fs := flag.NewFlagSet("baseline", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	size := fs.Int("size", 700, "JSON body size in bytes")
	pprofAddr := fs.String("pprof", "", "also serve net/http/pprof on this address (to profile the baseline)")
	fs.Parse(args)
	body := append([]byte(`{"pad":"`), bytes.Repeat([]byte("x"), max(*size-11, 0))...)
	body = append(body, `"}`...)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	if *pprofAddr != "" {
		go http.ListenAndServe(*pprofAddr, nil) // net/http/pprof registers on the default mux
	}
	fmt.Fprintf(os.Stderr, "baseline: %d-byte JSON on http://%s/\n", len(body), *addr)
	return http.ListenAndServe(*addr, mux)
}

// readRSS returns the resident set size of pid in bytes.
func readRSS(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}
