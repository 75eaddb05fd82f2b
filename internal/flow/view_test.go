package flow

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/idv"
)

// twoSteps is a session on step kind k right after consent.
func twoSteps(t *testing.T, k idv.StepKind) State {
	t.Helper()
	l := idv.Level{Name: "x", Steps: []idv.LevelStep{{Kind: idv.StepConsent, MaxAttempts: 1}, {Kind: k, MaxAttempts: 3}}}
	st, _ := Start("ses_v", l, t0(), ttl, "https://example.com/back")
	st, _, err := Advance(st, ConsentGiven{Accepted: true}, t0())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestViewScreens(t *testing.T) {
	tests := []struct {
		kind        idv.StepKind
		screen      idv.Screen
		requirement string
		params      map[string]any // a subset of the parameters
	}{
		{idv.StepIDDocument, idv.ScreenIDDocumentFront, "identity_document",
			map[string]any{"camera": "back", "camera_quality": "high", "allow_manual_upload": true, "multipage": false, "available": false}},
		{idv.StepLiveness, idv.ScreenLiveness, "liveness", map[string]any{"camera": "front", "available": false}},
		{idv.StepProofOfAddress, idv.ScreenProofOfAddress, "proof_of_address", map[string]any{"allow_manual_upload": true}},
		{idv.StepProofOfFunds, idv.ScreenProofOfFunds, "proof_of_funds", map[string]any{"allow_manual_upload": true}},
		{idv.StepPhone, idv.ScreenPhoneStart, "phone_verification", map[string]any{"code_sent": false, "available": true}},
		{idv.StepEmail, idv.ScreenEmailStart, "email_verification", map[string]any{"code_sent": false, "sends_left": MaxSends}},
		{idv.StepNFC, idv.ScreenNFCCapture, "nfc", map[string]any{"available": false}},
		{idv.StepVideoCall, idv.ScreenVideoCall, "video_call", map[string]any{"camera": "front"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			p := View(twoSteps(t, tt.kind), t0())
			if p.Screen.Show != tt.screen {
				t.Errorf("screen = %s, want %s", p.Screen.Show, tt.screen)
			}
			want := &idv.Requirement{RequirementType: tt.requirement, Status: idv.StepPending, FlowOrder: 200}
			if diff := cmp.Diff(want, p.Requirement); diff != "" {
				t.Errorf("requirement (-want +got):\n%s", diff)
			}
			for k, v := range tt.params {
				if got := p.Screen.Parameters[k]; got != v {
					t.Errorf("parameter %s = %v, want %v", k, got, v)
				}
			}
			if p.WebSDKReturnURL != nil {
				t.Errorf("web_sdk_return_url = %q while in progress, want null", *p.WebSDKReturnURL)
			}
			if diff := cmp.Diff(&idv.Attempts{Used: 0, Max: 3}, p.Attempts); diff != "" {
				t.Errorf("attempts (-want +got):\n%s", diff)
			}
			hasPoA, hasPoF := p.ProofOfAddress != nil, p.ProofOfFunds != nil
			if hasPoA != (tt.kind == idv.StepProofOfAddress) || hasPoF != (tt.kind == idv.StepProofOfFunds) {
				t.Errorf("proof_of_address present %v, proof_of_funds present %v", hasPoA, hasPoF)
			}
		})
	}
}

func TestViewTerminal(t *testing.T) {
	consent := ConsentGiven{Accepted: true}
	tests := []struct {
		name       string
		prelude    []Input
		at         time.Duration
		wantScreen idv.Screen
		wantStatus idv.SessionStatus
	}{
		{"refused", []Input{ConsentGiven{}}, time.Minute, idv.ScreenCancel, idv.StatusCanceled},
		{"canceled", []Input{consent, Cancel{}}, time.Minute, idv.ScreenCancel, idv.StatusCanceled},
		{"expired by time", []Input{consent}, ttl, idv.ScreenCancel, idv.StatusExpired},
		{"failed", []Input{consent, issue(idv.StepPhone, "1"), CodeChecked{Step: idv.StepPhone},
			CodeChecked{Step: idv.StepPhone}, CodeChecked{Step: idv.StepPhone}}, time.Minute, idv.ScreenRejected, idv.StatusFailed},
		{"completed", []Input{consent, issue(idv.StepPhone, "1"), CodeChecked{Step: idv.StepPhone, Correct: true},
			issue(idv.StepEmail, "2"), CodeChecked{Step: idv.StepEmail, Correct: true}}, time.Minute, idv.ScreenCompleted, idv.StatusCompleted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := View(played(t, "contact", tt.prelude...), t0().Add(tt.at))
			if p.Screen.Show != tt.wantScreen || p.Status != tt.wantStatus {
				t.Errorf("screen %s, status %s; want %s, %s", p.Screen.Show, p.Status, tt.wantScreen, tt.wantStatus)
			}
			if p.WebSDKReturnURL == nil || *p.WebSDKReturnURL != "https://example.com/back" {
				t.Errorf("web_sdk_return_url = %v, want the return URL", p.WebSDKReturnURL)
			}
		})
	}
}

func TestViewOTPParameters(t *testing.T) {
	st := played(t, "contact", ConsentGiven{Accepted: true}, issue(idv.StepPhone, "1"), CodeChecked{Step: idv.StepPhone})
	// code sent at t0+2s for 10 minutes; one wrong code at t0+3s.
	tests := []struct {
		at   time.Duration
		want map[string]any
	}{
		{10 * time.Second, map[string]any{"code_sent": true, "code_expired": false, "resend_allowed": false,
			"resend_available_at": "2026-01-02T03:04:37Z", "code_expires_at": "2026-01-02T03:14:07Z", "sends_left": 4}},
		{time.Minute, map[string]any{"resend_allowed": true}},
		{11 * time.Minute, map[string]any{"code_expired": true}},
	}
	for _, tt := range tests {
		p := View(st, t0().Add(tt.at))
		for k, v := range tt.want {
			if got := p.Screen.Parameters[k]; got != v {
				t.Errorf("at +%v: parameter %s = %v, want %v", tt.at, k, got, v)
			}
		}
		if p.Requirement.Status != idv.StepNeedsResubmission {
			t.Errorf("at +%v: requirement.status = %s, want needs_resubmission after a wrong code", tt.at, p.Requirement.Status)
		}
		if p.LastError == nil || p.LastError.Reason != "otpFailure" {
			t.Errorf("at +%v: last_error = %+v, want reason otpFailure", tt.at, p.LastError)
		}
	}
}

// TestEffectsCarryNoPersonalData checks every effect payload of every
// transcript against the keys effects may use.
func TestEffectsCarryNoPersonalData(t *testing.T) {
	allowed := map[string]bool{"session_id": true, "status": true, "step": true, "message": true,
		"send": true, "max_sends": true, "attemptNumber": true, "max_attempts": true, "reason": true}
	for _, tr := range transcripts() {
		for _, e := range tr.run(t) {
			for _, eff := range e.Effects {
				var payload map[string]any
				if err := json.Unmarshal(eff["payload"].(json.RawMessage), &payload); err != nil {
					t.Fatalf("%s: payload %s: %v", tr.name, eff["payload"], err)
				}
				for k := range payload {
					if !allowed[k] {
						t.Errorf("%s: effect %v has key %q", tr.name, eff, k)
					}
				}
			}
			b, _ := json.Marshal(e.Preflight)
			if strings.Contains(string(b), "mac-of-") {
				t.Errorf("%s: preflight shows the code MAC: %s", tr.name, b)
			}
		}
	}
}

func TestWithLevelText(t *testing.T) {
	l := idv.Level{Name: "x", Steps: []idv.LevelStep{
		{Kind: idv.StepConsent, MaxAttempts: 1, Title: idv.Localized{"": "Hello"},
			Text: idv.Localized{"en": "We keep it safe.", "es": "Lo guardamos."}},
		{Kind: idv.StepPhone, MaxAttempts: 3},
	}}
	st, _ := Start("ses_t", l, t0(), ttl, "")
	for _, tt := range []struct{ lang, title, text string }{
		{"", "Hello", "We keep it safe."},
		{"es-MX", "Hello", "Lo guardamos."},
		{"fr", "Hello", "We keep it safe."},
	} {
		got := WithLevelText(View(st, t0()), l, tt.lang).Screen.Parameters
		if got["title"] != tt.title || got["text"] != tt.text {
			t.Errorf("lang %q: consent parameters = %v, want title %q text %q", tt.lang, got, tt.title, tt.text)
		}
	}
	st, _, err := Advance(st, ConsentGiven{Accepted: true}, t0())
	if err != nil {
		t.Fatal(err)
	}
	got := WithLevelText(View(st, t0()), l, "en").Screen.Parameters
	if got["title"] != nil || got["text"] != nil {
		t.Errorf("phone parameters = %v, want title and text null", got)
	}
}

// TestTimelineTypesAreVocabulary checks every timeline entry of every
// transcript has a type of the documented vocabulary, and every webhook
// is timelined under its own type in the same transition.
func TestTimelineTypesAreVocabulary(t *testing.T) {
	for _, tr := range transcripts() {
		for _, e := range tr.run(t) {
			timelined := map[any]bool{}
			for _, eff := range e.Effects {
				if typ, ok := eff["timeline"]; ok {
					timelined[typ] = true
					if !idv.IsServerEventType(typ.(string)) {
						t.Errorf("%s: timeline type %v is not in idv.ServerEventTypes", tr.name, typ)
					}
				}
			}
			for _, eff := range e.Effects {
				if typ, ok := eff["webhook"]; ok && !timelined[typ] {
					t.Errorf("%s: webhook %v is not timelined in the same transition", tr.name, typ)
				}
			}
		}
	}
}
