package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

const subscribeFrame = `{"command":"subscribe","identifier":"{\"channel\":\"KycChannel\"}"}`

// subscriber is one idle websocket client; arrivals receives the time of
// every preflight message after the initial one.
type subscriber struct {
	conn     *websocket.Conn
	arrivals chan time.Time
}

func runWS(args []string) error {
	fs := flag.NewFlagSet("ws", flag.ExitOnError)
	url := fs.String("url", "", "websocket URL (websocket_url of a session)")
	n := fs.Int("n", 5000, "subscribers")
	pid := fs.Int("pid", 0, "server pid, to report its resident memory")
	triggerURL := fs.String("trigger-url", "", "URL of a request that changes the session")
	triggerMethod := fs.String("trigger-method", "POST", "method of the trigger request")
	triggerBody := fs.String("trigger-body", "{}", "body of the trigger request")
	auth := fs.String("auth", "", "Authorization header of the trigger request")
	rounds := fs.Int("rounds", 5, "trigger rounds")
	hold := fs.Duration("hold", 2*time.Second, "how long to hold the idle subscribers before reading memory")
	idle := fs.Int("idle", 0, "extra idle subscribers, on -idle-url, that are held but not measured")
	idleURL := fs.String("idle-url", "", "websocket URL of the idle subscribers (another session)")
	fs.Parse(args)
	ctx := context.Background()
	rssBefore, _ := readRSS(*pid)
	if *idle > 0 {
		idlers, err := dialAll(ctx, *idleURL, *idle)
		if err != nil {
			return err
		}
		defer func() {
			for _, s := range idlers {
				s.conn.Close(websocket.StatusNormalClosure, "")
			}
		}()
	}
	subs, err := dialAll(ctx, *url, *n)
	if err != nil {
		return err
	}
	// Hold the idle subscribers (the server pings them meanwhile), reading
	// the server's memory every few seconds.
	rssSeries, rssMax := holdAndSample(*pid, *hold)
	rssAfter, _ := readRSS(*pid)
	var lat []time.Duration
	for range *rounds {
		start := time.Now()
		if err := trigger(*triggerMethod, *triggerURL, *triggerBody, *auth); err != nil {
			return err
		}
		for _, s := range subs {
			select {
			case at := <-s.arrivals:
				lat = append(lat, at.Sub(start))
			case <-time.After(10 * time.Second):
				return fmt.Errorf("a subscriber got no push within 10 s")
			}
		}
	}
	for _, s := range subs {
		s.conn.Close(websocket.StatusNormalClosure, "")
	}
	return report(map[string]any{
		"subscribers": len(subs), "idle_subscribers": *idle, "rounds": *rounds,
		"server_rss_before_mb": float64(rssBefore) / (1 << 20), "server_rss_with_subscribers_mb": float64(rssAfter) / (1 << 20),
		"server_rss_max_mb": float64(rssMax) / (1 << 20), "server_rss_every_5s_mb": rssSeries,
	}, lat)
}

// holdAndSample waits for hold, reading pid's resident memory every 5 s;
// it returns the readings in MB and the largest in bytes.
func holdAndSample(pid int, hold time.Duration) (series []float64, peak int64) {
	const every = 5 * time.Second
	end := time.Now().Add(hold)
	for {
		left := time.Until(end)
		if left <= 0 {
			return series, peak
		}
		time.Sleep(min(every, left))
		if rss, err := readRSS(pid); err == nil {
			peak = max(peak, rss)
			series = append(series, float64(rss*10/(1<<20))/10)
		}
	}
}

func dialAll(ctx context.Context, url string, n int) ([]*subscriber, error) {
	subs := make([]*subscriber, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s, err := dial(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			subs[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	return subs, nil
}

func dial(ctx context.Context, url string) (*subscriber, error) {
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(subscribeFrame)); err != nil {
		return nil, err
	}
	s := &subscriber{conn: c, arrivals: make(chan time.Time, 16)}
	initial := make(chan struct{})
	go s.read(initial)
	select {
	case <-initial:
		return s, nil
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("no initial preflight within 30 s")
	}
}

// read forwards the arrival time of every preflight push after the first.
func (s *subscriber) read(initial chan struct{}) {
	seen := false
	for {
		_, data, err := s.conn.Read(context.Background())
		if err != nil {
			return
		}
		if !strings.Contains(string(data), `"message":{`) {
			continue // welcome, confirm_subscription, ping
		}
		if !seen {
			seen = true
			close(initial)
			continue
		}
		select {
		case s.arrivals <- time.Now():
		default:
		}
	}
}

func trigger(method, url, body, auth string) error {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("trigger answered %s", resp.Status)
	}
	return nil
}
