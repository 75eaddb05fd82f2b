package main

import (
	"context"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserFigures measures, when OPENIDV_BROWSER_FIGURES=1, the hosted
// page's first contentful paint with 4× CPU throttling and an empty cache
// against a baseline page without script (/dev/inbox) in the same run, and
// the time from an API change to the page showing the pushed screen
// against the API call's own round trip. It logs medians; it asserts
// nothing about speed.
func TestBrowserFigures(t *testing.T) {
	if os.Getenv("OPENIDV_BROWSER_FIGURES") != "1" {
		t.Skip("set OPENIDV_BROWSER_FIGURES=1 to measure the browser figures")
	}
	const runs = 7
	ctx := newBrowser(t)
	srv, _ := startContactServer(t)
	h := newHostedTab(t, ctx)
	h.axe = ""
	cs := createBrowserSession(t, srv, "", "")

	h.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4})
		return err
	}))
	var hosted, consent, baseline []float64
	for range runs {
		h.do(chromedp.Navigate(srv.Base + "/dev/inbox"))
		baseline = append(baseline, h.firstContentfulPaint())
		h.do(chromedp.Navigate("about:blank"), chromedp.Navigate(cs.URL))
		h.waitScreen("consent_screen", browserWait)
		hosted = append(hosted, h.firstContentfulPaint())
		consent = append(consent, eval[float64](h, `performance.getEntriesByName('openidv:screen:consent_screen')[0].startTime`))
	}
	t.Logf("4x CPU throttling, no cache, %d runs: hosted page first-contentful-paint median %.0f ms, consent screen shown %.0f ms; baseline (/dev/inbox, no script) %.0f ms; ratio %.2f",
		runs, median(hosted), median(consent), median(baseline), median(hosted)/median(baseline))

	h.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 1})
		return err
	}))
	var push, api []float64
	for range runs {
		cs := createBrowserSession(t, srv, "", "")
		h.do(chromedp.Navigate(cs.URL))
		h.waitScreen("consent_screen", browserWait)
		time.Sleep(200 * time.Millisecond) // the websocket is subscribed
		start := time.Now()
		newAPIClient(srv.Base, cs.ClientToken).must(t, http.MethodPatch, "/v1/sessions/"+cs.SessionID+"/consent",
			map[string]any{"consent": true}, http.StatusOK, nil)
		api = append(api, float64(time.Since(start).Microseconds())/1000)
		h.waitScreen("phone_verification_start_screen", browserWait)
		shown := eval[float64](h, `performance.timeOrigin + performance.getEntriesByName('openidv:screen:phone_verification_start_screen')[0].startTime`)
		push = append(push, shown-float64(start.UnixMicro())/1000)
	}
	t.Logf("server push, %d runs: API call to screen shown median %.1f ms (max %.1f); the API call's own round trip median %.1f ms",
		runs, median(push), slices.Max(push), median(api))
}

// firstContentfulPaint waits for and returns the page's first contentful
// paint (ms since navigation start).
func (h *hostedTab) firstContentfulPaint() float64 {
	h.t.Helper()
	h.poll(`performance.getEntriesByName('first-contentful-paint').length > 0`)
	return eval[float64](h, `performance.getEntriesByName('first-contentful-paint')[0].startTime`)
}

// median of xs (xs is sorted in place).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
