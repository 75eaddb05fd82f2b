package idv

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSessionCloneSharesNothing(t *testing.T) {
	orig := Session{
		ID: "ses_1", ClientTokenHash: []byte{1}, UniqueIDHash: []byte{2}, SealedApplicant: []byte{3},
		Steps: []StepState{{Kind: StepPhone, LastError: &StepError{Reason: "otpFailure"},
			OTP: &OTPState{CodeMAC: []byte{4}, SentAt: time.Unix(1, 0).UTC()}}},
	}
	want := Session{
		ID: "ses_1", ClientTokenHash: []byte{1}, UniqueIDHash: []byte{2}, SealedApplicant: []byte{3},
		Steps: []StepState{{Kind: StepPhone, LastError: &StepError{Reason: "otpFailure"},
			OTP: &OTPState{CodeMAC: []byte{4}, SentAt: time.Unix(1, 0).UTC()}}},
	}
	c := orig.Clone()
	c.ClientTokenHash[0], c.UniqueIDHash[0], c.SealedApplicant[0] = 9, 9, 9
	c.Steps[0].Status = StepFailed
	c.Steps[0].LastError.Reason = "changed"
	c.Steps[0].OTP.CodeMAC[0] = 9
	if diff := cmp.Diff(want, orig); diff != "" {
		t.Errorf("changing the clone changed the original (-want +got):\n%s", diff)
	}
	if CloneSteps(nil) != nil {
		t.Error("CloneSteps(nil) is not nil")
	}
}

func TestLocalizedPick(t *testing.T) {
	texts := Localized{"en": "Hello", "es": "Hola", "de": "Hallo"}
	for _, tt := range []struct {
		l    Localized
		lang string
		want string
	}{
		{texts, "es", "Hola"}, {texts, "ES_mx", "Hola"}, {texts, "fr", "Hello"}, {texts, "", "Hello"},
		{Localized{"": "Plain", "es": "Llano"}, "fr", "Plain"}, {Localized{"es": "Hola", "de": "Hallo"}, "fr", "Hallo"},
		{nil, "en", ""},
	} {
		if got := tt.l.Pick(tt.lang); got != tt.want {
			t.Errorf("%v.Pick(%q) = %q, want %q", tt.l, tt.lang, got, tt.want)
		}
	}
}
