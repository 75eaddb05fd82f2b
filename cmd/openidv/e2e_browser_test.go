package main

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/smtp/smtptest"
)

// TestBrowserContactSession opens a contact session's url in Chromium,
// accepts consent, enters the phone code (dev inbox) and the email code
// (the test's SMTP server) with the keyboard, reaches completed_screen and
// the redirect to the return URL, and checks the events the page logged.
func TestBrowserContactSession(t *testing.T) {
	ctx := newBrowser(t)
	srv, mail := startContactServer(t)
	site := newReturnSite(t)
	cs := createBrowserSession(t, srv, site.URL+"/done", "")
	h := newHostedTab(t, ctx)
	// The answer to the email code arrives after the websocket's push of
	// completed_screen, as on a slow network: the page logs otpSuccess only
	// when it has the answer, so the test must wait for the event, not read
	// the events the moment the screen shows.
	h.addScript(`(() => {
		const f = window.fetch;
		window.fetch = (url, init) => f(url, init).then((r) => init && init.method === 'PATCH' && String(url).endsWith('/email_verification')
			? new Promise((ok) => setTimeout(() => ok(r), 1000)) : r);
	})();`)
	h.viewport(0)
	h.do(chromedp.Navigate(cs.URL))
	h.waitScreen("consent_screen", browserWait)
	if loc := eval[string](h, `location.href`); strings.Contains(loc, cs.ClientToken) {
		t.Errorf("the address bar still shows the client token: %s", loc)
	}
	if got := eval[string](h, `document.querySelector('.oidv-brand').textContent`); got != "Acme Bank" {
		t.Errorf("brand = %q, want Acme Bank (hosted_page.name)", got)
	}
	h.shoot("1_consent")
	h.do(chromedp.Click(chromedp.CSS(`[data-action=accept]`)))
	h.waitScreen("phone_verification_start_screen", browserWait)
	h.do(chromedp.Reload()) // the token survives a reload (sessionStorage), not the address bar
	h.waitScreen("phone_verification_start_screen", browserWait)

	walkCodeStep(t, h, "phone", e2ePhone, "2_phone", func() string {
		code := devInboxCode(t, srv.Base, e2ePhone)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		h.do(chromedp.SendKeys(chromedp.CSS(`input[name=code]`), wrong+"\r"))
		h.poll(`(document.querySelector('.oidv-error')||{}).textContent === 'That code is not correct.' &&
			document.querySelector('.oidv-hint').textContent.includes('Attempts left: 2.')`)
		h.shoot("3_phone_wrong_code")
		h.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name=code]').value = ''`))
		return code
	})
	walkCodeStep(t, h, "email", e2eEmail, "4_email", func() string { return emailCode(t, mail) })

	h.waitScreen("completed_screen", browserWait)
	events := h.loggedEventsWhen(2)
	h.shoot("6_completed")
	close(site.release)
	select {
	case ref := <-site.referers:
		if ref != "" {
			t.Errorf("the return site got Referer %q, want none", ref)
		}
	case <-time.After(browserWait):
		t.Fatal("the page did not go to web_sdk_return_url")
	}
	h.waitLocation(site.URL + "/done")

	checkEvents(t, events, []string{"otpSuccess", "otpSuccess"})
	checkTimeline(t, srv, cs.SessionID, "otpSuccess", 2)
	srv.Stop()
	checkLogsClean(t, srv.Stderr(), []string{cs.ClientToken, e2eEmail, e2ePhone, srv.AdminKey})
}

// walkCodeStep enters the destination, then the code, on the phone or
// email screen, taking screenshots of both forms.
func walkCodeStep(t *testing.T, h *hostedTab, kind, destination, shot string, code func() string) {
	t.Helper()
	screen := kind + "_verification_start_screen"
	h.waitScreen(screen, browserWait)
	h.shoot(shot)
	h.do(chromedp.SendKeys(chromedp.CSS(`input[name=`+kind+`]`), destination+"\r"))
	h.do(chromedp.WaitVisible(chromedp.CSS(`input[name=code]`)))
	attrs := eval[[]string](h, `(i => [i.inputMode, i.autocomplete, document.querySelector('label[for="'+i.id+'"]').textContent])(document.querySelector('input[name=code]'))`)
	if attrs[0] != "numeric" || attrs[1] != "one-time-code" || attrs[2] == "" {
		t.Errorf("%s code input: inputmode %q autocomplete %q label %q; want numeric, one-time-code and a label", kind, attrs[0], attrs[1], attrs[2])
	}
	if hint := eval[string](h, `document.querySelector('.oidv-resend').textContent`); !strings.Contains(hint, "new code in") {
		t.Errorf("%s: resend hint %q does not show the throttle", kind, hint)
	}
	h.shoot(shot + "_code")
	h.do(chromedp.SendKeys(chromedp.CSS(`input[name=code]`), code()+"\r"))
}

// emailCode waits for the code email and returns its code.
func emailCode(t *testing.T, mail *smtptest.Server) string {
	t.Helper()
	msg := mail.WaitFor(t, e2eEmail, e2eFrameTimeout)
	c := msg.Code()
	if c == "" {
		t.Fatalf("no code in the email: %q", msg.Body)
	}
	return c
}

// TestBrowserRejectConsent declines consent on a desktop viewport, after
// opening the QR hand-off, and ends on cancel_screen.
func TestBrowserRejectConsent(t *testing.T) {
	ctx := newBrowser(t)
	srv, _ := startContactServer(t)
	cs := createBrowserSession(t, srv, "", "es")
	h := newHostedTab(t, ctx)
	h.viewport(1)
	h.do(chromedp.Navigate(cs.URL))
	h.waitScreen("consent_screen", browserWait)
	if got := eval[string](h, `document.querySelector('[data-action=accept]').textContent`); got != "Acepto" {
		t.Errorf("accept button = %q, want the Spanish Acepto (session i18n es)", got)
	}
	if got := eval[string](h, `document.querySelector('h1').textContent`); got != "Antes de empezar" {
		t.Errorf("consent title = %q, want the contact level's Spanish title", got)
	}
	if got := eval[string](h, `document.documentElement.lang`); got != "es" {
		t.Errorf("<html lang> = %q, want es", got)
	}
	h.do(chromedp.Click(chromedp.CSS(`.oidv-handoff summary`)))
	h.poll(`(i => !!i && i.complete && i.naturalWidth > 0 && i.src.startsWith('data:image/png;base64,'))(document.querySelector('.oidv-handoff img'))`)
	h.shoot("1_consent_handoff")
	h.do(chromedp.Click(chromedp.CSS(`[data-action=reject]`)))
	h.waitScreen("cancel_screen", browserWait)
	h.shoot("2_cancel")
	checkEvents(t, h.loggedEvents(), nil)
}

// TestBrowserPollingWithoutWebsocket makes the websocket fail: the page must
// still show the first screen (from the preflight API), notice a change
// made elsewhere by polling, and finish the flow.
func TestBrowserPollingWithoutWebsocket(t *testing.T) {
	ctx := newBrowser(t)
	srv, mail := startContactServer(t)
	cs := createBrowserSession(t, srv, "", "")
	h := newHostedTab(t, ctx)
	h.axe = "" // covered by the other runs
	// Every websocket the page opens goes to a closed port, as behind a
	// proxy that refuses upgrades (DevTools request blocking does not apply
	// to websockets).
	h.addScript(`(() => {
		const WS = window.WebSocket;
		window.WebSocket = function (url, protocols) { return new WS('ws://127.0.0.1:9/blocked', protocols); };
		window.WebSocket.prototype = WS.prototype;
	})();`)
	h.viewport(0)
	h.do(chromedp.Navigate(cs.URL))
	h.waitScreen("consent_screen", browserWait)
	// The change comes from another device: only polling can reveal it.
	user := newAPIClient(srv.Base, cs.ClientToken)
	user.must(t, http.MethodPatch, "/v1/sessions/"+cs.SessionID+"/consent", map[string]any{"consent": true}, http.StatusOK, nil)
	h.waitScreen("phone_verification_start_screen", 2*browserWait) // the 10 s fallback
	walkCodeStep(t, h, "phone", e2ePhone, "2_phone", func() string { return devInboxCode(t, srv.Base, e2ePhone) })
	walkCodeStep(t, h, "email", e2eEmail, "4_email", func() string { return emailCode(t, mail) })
	h.waitScreen("completed_screen", browserWait)
	srv.Stop()
	log := srv.Stderr()
	if strings.Contains(log, `"route":"/v1/sessions/{id}/cable"`) {
		t.Errorf("the server saw a websocket request although it was blocked")
	}
	if n := strings.Count(log, `"route":"/v1/sessions/{id}/preflight"`); n < 2 {
		t.Errorf("the server saw %d preflight calls, want at least 2 (the first screen and the poll)", n)
	}
}

// TestBrowserUnsupported removes fetch before the page runs: the page says
// the browser is not supported and logs browserNotSupported.
func TestBrowserUnsupported(t *testing.T) {
	ctx := newBrowser(t)
	srv, _ := startContactServer(t)
	cs := createBrowserSession(t, srv, "", "")
	h := newHostedTab(t, ctx)
	h.addScript(`delete window.fetch;`)
	h.viewport(0)
	h.do(chromedp.Navigate(cs.URL))
	h.waitScreen("browserNotSupported", browserWait)
	h.shoot("browser_not_supported")
	checkEvents(t, h.loggedEventsWhen(1), []string{"browserNotSupported"})
}

// TestBrowserCancelledSession shows the cancelled message for a session the
// integrator cancelled.
func TestBrowserCancelledSession(t *testing.T) {
	ctx := newBrowser(t)
	srv, _ := startContactServer(t)
	cs := createBrowserSession(t, srv, "", "")
	newAPIClient(srv.Base, srv.AdminKey).must(t, http.MethodDelete, "/v1/sessions/"+cs.SessionID, nil, http.StatusNoContent, nil)
	h := newHostedTab(t, ctx)
	h.viewport(0)
	h.do(chromedp.Navigate(cs.URL))
	h.waitScreen("cancel_screen", browserWait)
	if got := eval[string](h, `document.querySelector('h1').textContent`); got != "Verification cancelled" {
		t.Errorf("title = %q, want Verification cancelled", got)
	}
	h.shoot("cancelled")
}

// TestBrowserThreeWrongCodes fails the phone step with three wrong codes:
// the page ends on rejected_screen and logs otpFailure.
func TestBrowserThreeWrongCodes(t *testing.T) {
	ctx := newBrowser(t)
	srv, _ := startContactServer(t)
	cs := createBrowserSession(t, srv, "", "")
	h := newHostedTab(t, ctx)
	h.viewport(0)
	h.do(chromedp.Navigate(cs.URL))
	h.waitScreen("consent_screen", browserWait)
	h.do(chromedp.Click(chromedp.CSS(`[data-action=accept]`)))
	h.waitScreen("phone_verification_start_screen", browserWait)
	h.do(chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), e2ePhone+"\r"))
	h.do(chromedp.WaitVisible(chromedp.CSS(`input[name=code]`)))
	wrong := "000000"
	if devInboxCode(t, srv.Base, e2ePhone) == wrong {
		wrong = "111111"
	}
	for left := 2; left >= 1; left-- {
		h.do(chromedp.SendKeys(chromedp.CSS(`input[name=code]`), wrong+"\r"))
		h.poll(`document.querySelector('.oidv-hint').textContent.includes('Attempts left: ` + strconv.Itoa(left) + `.')`)
		h.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name=code]').value = ''`))
	}
	h.do(chromedp.SendKeys(chromedp.CSS(`input[name=code]`), wrong+"\r"))
	h.waitScreen("rejected_screen", browserWait)
	h.shoot("rejected")
	checkEvents(t, h.loggedEventsWhen(1), []string{"otpFailure"})
	checkTimeline(t, srv, cs.SessionID, "otpFailure", 1)
}

// TestBrowserExpiredSession shows the expired message once the session's
// lifetime is over.
func TestBrowserExpiredSession(t *testing.T) {
	ctx := newBrowser(t)
	srv, _ := startContactServer(t, "OPENIDV_SESSION_TTL=1s")
	cs := createBrowserSession(t, srv, "", "")
	time.Sleep(1100 * time.Millisecond) // the session's whole lifetime
	h := newHostedTab(t, ctx)
	h.viewport(0)
	h.do(chromedp.Navigate(cs.URL))
	h.waitScreen("cancel_screen", browserWait)
	if got := eval[string](h, `document.querySelector('h1').textContent`); got != "This link has expired" {
		t.Errorf("title = %q, want This link has expired", got)
	}
	h.shoot("expired")
}

// checkEvents compares the logged event types with want and checks each is
// a type of the seed's catalogue with a message string.
func checkEvents(t *testing.T, got []sdkLogEvent, want []string) {
	t.Helper()
	var types []string
	for _, e := range got {
		types = append(types, e.Type)
		if !slices.Contains(idv.SDKEventTypes(), e.Type) {
			t.Errorf("logged event %q is not in sdk-event-types.txt", e.Type)
		}
		if err := idv.ValidateSDKEvent(e.Type, e.Payload); err != nil {
			t.Errorf("logged event %s payload %s: %v", e.Type, e.Payload, err)
		}
	}
	if !slices.Equal(types, want) {
		t.Errorf("onLog events = %v, want %v", types, want)
	}
}

// checkTimeline counts events of type in the session's timeline.
func checkTimeline(t *testing.T, srv *e2eServer, id, typ string, want int) {
	t.Helper()
	var out struct {
		Events []struct {
			Type string `json:"type"`
		} `json:"events"`
	}
	newAPIClient(srv.Base, srv.AdminKey).must(t, http.MethodGet, "/v1/sessions/"+id+"/events", nil, http.StatusOK, &out)
	n := 0
	for _, e := range out.Events {
		if e.Type == typ {
			n++
		}
	}
	if n != want {
		t.Errorf("timeline has %d %s events, want %d", n, typ, want)
	}
}
