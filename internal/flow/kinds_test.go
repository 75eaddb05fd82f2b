package flow

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/idv"
)

// TestKindRegistry checks that every step kind has exactly one entry in
// kindOf, with its own requirement type, screen and webhook tag.
func TestKindRegistry(t *testing.T) {
	seen := map[string]idv.StepKind{}
	for _, k := range idv.StepKinds {
		kind, ok := kindOf(k)
		if !ok {
			t.Errorf("kindOf(%s): not registered", k)
			continue
		}
		i := kind.info()
		for _, name := range []string{"requirement:" + i.requirement, "screen:" + string(i.screen), "tag:" + i.webhookTag} {
			if strings.HasSuffix(name, ":") {
				t.Errorf("%s: empty %s", k, name)
			}
			if other, dup := seen[name]; dup {
				t.Errorf("%s and %s share %s", k, other, name)
			}
			seen[name] = k
		}
		if i.passed == "" || i.failed == "" {
			t.Errorf("%s: outcome names %q/%q", k, i.passed, i.failed)
		}
		if i.otp && !i.implemented {
			t.Errorf("%s: an OTP kind that is not implemented", k)
		}
	}
	if _, ok := kindOf("selfie"); ok {
		t.Error(`kindOf("selfie") is registered`)
	}
}

// TestMediaReceived checks the media input today: no step takes media yet;
// the steps that never will refuse it as such, the evidence steps answer
// that they are not available yet. Nothing changes either way.
func TestMediaReceived(t *testing.T) {
	consent := ConsentGiven{Accepted: true}
	media := func(k idv.StepKind) MediaReceived { return MediaReceived{Step: k, MediaID: "med_1"} }
	tests := []struct {
		name     string
		level    string
		prelude  []Input
		in       MediaReceived
		wantCode idv.Code
		wantMsg  string
	}{
		{"consent takes none", "contact", nil, media(idv.StepConsent), idv.CodeInvalid,
			"The consent step does not take media."},
		{"phone takes none", "contact", []Input{consent}, media(idv.StepPhone), idv.CodeInvalid,
			"The phone step does not take media."},
		{"document not available", "basic", []Input{consent}, media(idv.StepIDDocument), idv.CodeInvalid,
			"The id_document step is not available yet."},
		{"liveness not available", "basic", []Input{consent}, media(idv.StepLiveness), idv.CodeInvalid,
			"The liveness step is not available yet."},
		{"step not in level", "contact", []Input{consent}, media(idv.StepIDDocument), idv.CodeInvalid,
			"This session's level has no id_document step."},
		{"unknown kind", "contact", []Input{consent}, media("selfie"), idv.CodeInvalid,
			"This session's level has no selfie step."},
		{"ended session", "contact", []Input{Cancel{}}, media(idv.StepPhone), idv.CodeGone,
			"The session has been cancelled."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := played(t, tt.level, tt.prelude...)
			got, effects, err := Advance(st, tt.in, t0().Add(time.Minute))
			var e *idv.Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want an *idv.Error", err)
			}
			if e.Code != tt.wantCode || e.Message != tt.wantMsg {
				t.Errorf("error = %s %q, want %s %q", e.Code, e.Message, tt.wantCode, tt.wantMsg)
			}
			if len(effects) != 0 {
				t.Errorf("effects = %v, want none", effectTypes(effects))
			}
			if diff := cmp.Diff(st, got); diff != "" {
				t.Errorf("state changed (-in +out):\n%s", diff)
			}
		})
	}
}

// TestViewProcessing checks that a step whose evidence is being checked
// keeps its screen and shows requirement.status = "processing".
func TestViewProcessing(t *testing.T) {
	for _, k := range []idv.StepKind{idv.StepIDDocument, idv.StepLiveness, idv.StepProofOfAddress} {
		st := twoSteps(t, k)
		st.Steps[1].Status = idv.StepProcessing
		p := View(st, t0().Add(time.Minute))
		if p.Screen.Show != StepScreen(k) {
			t.Errorf("%s: screen = %s, want %s", k, p.Screen.Show, StepScreen(k))
		}
		if p.Requirement == nil || p.Requirement.Status != idv.StepProcessing {
			t.Errorf("%s: requirement = %+v, want status processing", k, p.Requirement)
		}
	}
}
