package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// shopPage is an integrator's page that embeds the hosted page the way the
// seed vendor's web SDK does (Bynn-Web-SDK, src/ui/verification-modal.ts,
// restated here, not copied): it creates the session from the browser with
// a public key and x-origin: js-sdk, opens the session url in an iframe (or
// a popup), keeps only messages whose event.origin is the url's origin, sizes
// the iframe from {type: 'resize', height} (at most 90 % of the window) and
// acts on {type: 'bynn-verification', status, sessionId}. It records every
// message in window.shop.got, and those of other origins in window.shop.foreign.
const shopPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Shop</h1><div id="modal"></div>
<script>
window.shop = {got: [], foreign: [], closed: false};
async function openSession(base, key, how) {
  const r = await fetch(base + '/v1/sessions', {
    method: 'POST',
    headers: {'Authorization': 'Bearer ' + key, 'Content-Type': 'application/json', 'x-origin': 'js-sdk'},
    body: JSON.stringify({kyc_level: 'contact', first_name: '', last_name: '', email_address: '',
      phone_number: '', phone_country: '', vendor_data: '', i18n: 'en'}),
  });
  const s = await r.json();
  if (!r.ok) throw new Error(s.error.message);
  embed(s.url, how);
  return s.session_id;
}
function embed(url, how) {
  const origin = new URL(url).origin;
  let frame = null;
  window.addEventListener('message', (e) => {
    if (e.origin === location.origin && e.data && e.data.type === 'marker') { shop.marker = true; return; }
    if (e.origin !== origin) { shop.foreign.push(e.origin); return; }
    const d = e.data;
    if (!d || typeof d !== 'object') return;
    shop.got.push(d);
    if (d.type === 'resize' && typeof d.height === 'number' && frame) {
      frame.style.height = Math.min(d.height, Math.floor(innerHeight * 0.9)) + 'px';
    }
    if (d.type === 'bynn-verification' && ['completed', 'successful', 'rejected', 'cancel'].includes(d.status)) {
      shop.closed = true;
    }
  });
  if (how === 'popup') {
    window.open(url, 'verify');
  } else {
    frame = document.createElement('iframe');
    frame.src = url;
    frame.width = '100%';
    frame.setAttribute('frameborder', '0');
    frame.allow = 'camera *; microphone *';
    document.getElementById('modal').append(frame);
  }
}
</script></body></html>`

// newShopSite serves shopPage on its own 127.0.0.1 port: another origin
// than the OpenIDV server's.
func newShopSite(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/back" { // web_sdk_return_url: back at the shop, in the popup
			fmt.Fprint(w, `<!doctype html><title>Back</title><script>opener.postMessage({type: 'marker'}, '*')</script>`)
			return
		}
		fmt.Fprint(w, shopPage)
	}))
	t.Cleanup(s.Close)
	return s
}

// frameTab drives the hosted page inside the shop's iframe (same site as
// the shop: 127.0.0.1, so Chromium keeps it in the page's process).
type frameTab struct {
	h    *hostedTab
	node *chromedp.Node
}

// openFrame returns the shop's iframe once it has loaded the hosted page.
func openFrame(h *hostedTab) *frameTab {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, browserWait)
	defer cancel()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(`#modal iframe`)))
	if err != nil || len(nodes) == 0 {
		h.t.Fatalf("the shop's iframe: %v", err)
	}
	f := &frameTab{h: h, node: nodes[0]}
	f.poll(`document.readyState === 'complete' && !!document.querySelector('.oidv')`)
	return f
}

// poll waits until js is true inside the frame.
func (f *frameTab) poll(js string) {
	f.h.t.Helper()
	ctx, cancel := context.WithTimeout(f.h.ctx, browserWait)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInFrame(f.node),
		chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		f.h.t.Fatalf("in the frame, waiting for %.100s: %v", js, err)
	}
}

// waitScreen waits until the framed page renders screen.
func (f *frameTab) waitScreen(screen string) {
	f.h.t.Helper()
	f.poll(fmt.Sprintf(`(document.querySelector('.oidv')||{dataset:{}}).dataset.screen === %q`, screen))
}

// click clicks the element sel of the framed page.
func (f *frameTab) click(sel string) {
	f.h.t.Helper()
	f.h.do(chromedp.Click(chromedp.CSS(sel), chromedp.FromNode(f.node)))
}

// keys types text into the element sel of the framed page.
func (f *frameTab) keys(sel, text string) {
	f.h.t.Helper()
	f.h.do(chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.FromNode(f.node)))
}

// shopMessage is one message the shop received from the hosted page.
type shopMessage struct {
	Type      string  `json:"type"`
	Status    string  `json:"status"`
	SessionID string  `json:"sessionId"`
	Height    float64 `json:"height"`
}

// TestBrowserEmbeddedLikeSeedSDK embeds the hosted page in a shop on another
// origin, configured as frame ancestor and CORS origin, as the seed vendor's
// web SDK does, on a desktop viewport: the shop creates the session with a
// public key, the applicant walks the contact level inside the iframe, and
// the shop hears start, the page's height (and sizes the iframe from it,
// not the 150 px default) and completed, all from the page's origin, with
// the session id. A popup opened by a shop of an origin that is not
// configured hears nothing.
func TestBrowserEmbeddedLikeSeedSDK(t *testing.T) {
	ctx := newBrowser(t)
	shop := newShopSite(t)
	stranger := newShopSite(t)
	srv, mail := startContactServer(t,
		"OPENIDV_HOSTED_PAGE_FRAME_ANCESTORS="+shop.URL,
		"OPENIDV_CORS_ORIGINS="+shop.URL+","+stranger.URL)
	key := createAPIKey(t, srv.DataDir, "public")

	h := newHostedTab(t, ctx)
	h.axe = "" // the page's screens are checked by the other runs
	h.viewport(1)
	h.do(chromedp.Navigate(shop.URL))
	id := eval[string](h, fmt.Sprintf(`openSession(%q, %q, 'frame')`, srv.Base, key))
	h.poll(`shop.got.some(m => m.type === 'bynn-verification' && m.status === 'start')`)
	f := openFrame(h)
	f.waitScreen("consent_screen")
	h.poll(`shop.got.some(m => m.type === 'resize') && document.querySelector('#modal iframe').getBoundingClientRect().height > 300`)
	f.click(`[data-action=accept]`)
	f.waitScreen("phone_verification_start_screen")
	f.keys(`input[name=phone]`, e2ePhone+"\r")
	f.poll(`!!document.querySelector('input[name=code]')`)
	f.keys(`input[name=code]`, devInboxCode(t, srv.Base, e2ePhone)+"\r")
	f.waitScreen("email_verification_start_screen")
	f.keys(`input[name=email]`, e2eEmail+"\r")
	f.poll(`!!document.querySelector('input[name=code]')`)
	f.keys(`input[name=code]`, emailCode(t, mail)+"\r")
	f.waitScreen("completed_screen")
	h.poll(`shop.closed`)

	got := eval[[]shopMessage](h, `shop.got`)
	var statuses []string
	maxHeight := 0.0
	for _, m := range got {
		switch m.Type {
		case "bynn-verification":
			statuses = append(statuses, m.Status)
			if m.SessionID != id {
				t.Errorf("message %+v: sessionId %q, want %q", m, m.SessionID, id)
			}
		case "resize":
			maxHeight = max(maxHeight, m.Height)
		default:
			t.Errorf("unexpected message %+v", m)
		}
	}
	if want := []string{"start", "completed"}; strings.Join(statuses, " ") != strings.Join(want, " ") {
		t.Errorf("bynn-verification statuses = %v, want %v", statuses, want)
	}
	frameHeight := eval[float64](h, `document.querySelector('#modal iframe').getBoundingClientRect().height`)
	t.Logf("largest reported height %v px; the iframe is %v px tall (window 800 px, cap 90 %%)", maxHeight, frameHeight)
	if maxHeight <= 300 {
		t.Errorf("largest reported height = %v px, want the page's natural height (> 300 px on a desktop viewport)", maxHeight)
	}
	if foreign := eval[[]string](h, `shop.foreign`); len(foreign) != 0 {
		t.Errorf("messages from other origins: %v", foreign)
	}

	checkStrangerHearsNothing(t, h, srv, stranger.URL)
}

// checkStrangerHearsNothing opens a cancelled session in a popup from a
// shop whose origin is not a configured frame ancestor (framing is refused
// by the CSP, a popup is not) and checks that the shop receives nothing
// from the page. The page shows cancel_screen, would post start and cancel,
// then goes to the return URL on the shop's origin, whose page posts a marker
// to the shop: messages to one window arrive in the order they were sent,
// so anything the hosted page sent would be there before the marker.
func checkStrangerHearsNothing(t *testing.T, h *hostedTab, srv *e2eServer, strangerURL string) {
	t.Helper()
	cs := createBrowserSession(t, srv, strangerURL+"/back", "")
	newAPIClient(srv.Base, srv.AdminKey).must(t, http.MethodDelete, "/v1/sessions/"+cs.SessionID, nil, http.StatusNoContent, nil)
	h.do(chromedp.Navigate(strangerURL))
	_ = eval[bool](h, fmt.Sprintf(`(embed(%q, 'popup'), true)`, cs.URL))
	h.poll(`shop.marker`)
	if got := eval[[]shopMessage](h, `shop.got`); len(got) != 0 {
		t.Errorf("a shop of an origin that is not configured received %+v, want nothing", got)
	}
}
