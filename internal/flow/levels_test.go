package flow

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openidv/openidv/internal/idv"
)

func TestDefaultLevels(t *testing.T) {
	levels := DefaultLevels()
	got := map[string][]idv.StepKind{}
	for _, l := range levels {
		if len(l.Version) != 12 {
			t.Errorf("level %s: Version %q, want 12 hex digits", l.Name, l.Version)
		}
		for _, s := range l.Steps {
			got[l.Name] = append(got[l.Name], s.Kind)
			want := 3
			if s.Kind == idv.StepConsent {
				want = 1
			}
			if s.MaxAttempts != want {
				t.Errorf("level %s step %s: MaxAttempts %d, want %d", l.Name, s.Kind, s.MaxAttempts, want)
			}
		}
	}
	want := map[string][]idv.StepKind{
		"contact": {idv.StepConsent, idv.StepPhone, idv.StepEmail},
		"basic":   {idv.StepConsent, idv.StepIDDocument, idv.StepLiveness},
		"full": {idv.StepConsent, idv.StepIDDocument, idv.StepLiveness, idv.StepProofOfAddress,
			idv.StepProofOfFunds, idv.StepPhone, idv.StepEmail},
		"video": {idv.StepConsent, idv.StepIDDocument, idv.StepLiveness, idv.StepVideoCall},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DefaultLevels() (-want +got):\n%s", diff)
	}
}

func TestParseLevelsVersion(t *testing.T) {
	parse := func(src string) idv.Level {
		t.Helper()
		levels, err := ParseLevels([]byte(src))
		if err != nil {
			t.Fatalf("ParseLevels: %v", err)
		}
		return levels[0]
	}
	a := parse("levels:\n  - name: a\n    steps: [consent, phone]\n")
	sameContent := parse("# comment\nlevels:\n- name: a\n  steps:\n  - consent\n  - {kind: phone, max_attempts: 3}\n")
	otherMax := parse("levels:\n  - name: a\n    steps: [consent, {kind: phone, max_attempts: 4}]\n")
	otherOrder := parse("levels:\n  - name: a\n    steps: [consent, email, phone]\n")
	if a.Version != sameContent.Version {
		t.Errorf("same compiled level: versions %q and %q differ", a.Version, sameContent.Version)
	}
	for _, other := range []idv.Level{otherMax, otherOrder} {
		if other.Version == a.Version {
			t.Errorf("level %+v: version %q equals that of %+v", other, other.Version, a)
		}
	}
}

func TestParseLevelsReportsEveryProblem(t *testing.T) {
	src := `levels:
  - name: ok
    steps: [consent, phone]
  - name: ok
    steps: [consent]
  - name: Bad Name
    steps: [consent]
  - name: empty
    steps: []
  - name: order
    steps: [phone, consent]
  - name: noconsent
    colour: blue
    steps:
      - kind: selfie
      - kind: email
        max_attempts: 0
      - kind: phone
        max_attempts: many
      - kind: phone
      - kind: email
        tries: 2
  - name: consentmax
    steps: [{kind: consent, max_attempts: 2}, {kind: liveness, max_attempts: 11}]
  - steps: [consent]
extra: true
`
	_, err := ParseLevels([]byte(src))
	var le *LevelError
	if !errors.As(err, &le) {
		t.Fatalf("ParseLevels: got %v, want *LevelError", err)
	}
	type key struct {
		Level string
		Step  int
		Has   string
	}
	want := []key{
		{"ok", -1, "duplicate level name"},
		{"#2", -1, "invalid name"},
		{"empty", -1, "non-empty list"},
		{"order", 1, "consent must be the first step"},
		{"noconsent", -1, "unknown key \"colour\""},
		{"noconsent", 0, "unknown step kind \"selfie\""},
		{"noconsent", 1, "max_attempts must be between 1 and 10, got 0"},
		{"noconsent", 2, "max_attempts must be an integer"},
		{"noconsent", 3, "duplicate step \"phone\""},
		{"noconsent", 4, "unknown key \"tries\""},
		{"noconsent", 4, "duplicate step \"email\""},
		{"noconsent", 0, "the first step must be consent"},
		{"consentmax", 0, "consent is answered once"},
		{"consentmax", 1, "got 11"},
		{"#7", -1, "missing `name`"},
		{"", -1, "unknown key \"extra\""},
	}
	for i, w := range want {
		found := false
		for _, p := range le.Problems {
			if p.Level == w.Level && p.Step == w.Step && strings.Contains(p.Message, w.Has) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("problem %d %+v not reported; got:\n%s", i, w, err)
		}
	}
	t.Logf("%s", strings.ReplaceAll(err.Error(), "; ", "\n"))
	if len(le.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(le.Problems), len(want), strings.ReplaceAll(err.Error(), "; ", "\n"))
	}
	if !strings.Contains(err.Error(), "line 4") {
		t.Errorf("error %q names no line numbers", err)
	}
}

func TestParseLevelsRejects(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty file", "", "empty"},
		{"not yaml", "levels: [", "invalid YAML"},
		{"top list", "- name: a\n", "top level must be a mapping"},
		{"no levels key", "other: 1\n", "missing key `levels`"},
		{"levels empty", "levels: []\n", "non-empty list"},
		{"level scalar", "levels: [a]\n", "must be a mapping"},
		{"steps missing", "levels:\n  - name: a\n", "missing `steps`"},
		{"step kind missing", "levels:\n  - name: a\n    steps: [consent, {max_attempts: 2}]\n", "missing `kind`"},
		{"step list", "levels:\n  - name: a\n    steps: [consent, [phone]]\n", "a step must be"},
		{"name not string", "levels:\n  - name: 12\n    steps: [consent]\n", "`name` must be a string"},
		{"text off consent", "levels:\n  - name: a\n    steps: [consent, {kind: phone, text: hi}]\n", "text is only supported on consent steps"},
		{"title not string", "levels:\n  - name: a\n    steps: [{kind: consent, title: [x]}]\n", "title must be a string"},
		{"bad language", "levels:\n  - name: a\n    steps: [{kind: consent, text: {EN-x: hi}}]\n", `text: "EN-x" is not a language`},
		{"language text blank", "levels:\n  - name: a\n    steps: [{kind: consent, text: {es: \"\"}}]\n", "text.es must be 1 to 4000 bytes"},
		{"text blank", "levels:\n  - name: a\n    steps: [{kind: consent, text: \" \"}]\n", "text must be 1 to 4000 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			levels, err := ParseLevels([]byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseLevels(%q) = %v, %v; want an error containing %q", tt.src, levels, err, tt.want)
			}
		})
	}
}

func TestParseLevelsAccepts(t *testing.T) {
	src := "levels:\n  - name: kyc-1.a_b\n    steps:\n      - {kind: consent, title: Hello, text: {en: We keep it safe., es: Lo guardamos.}}\n      - {kind: nfc, max_attempts: 10}\n"
	got, err := ParseLevels([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []idv.Level{{Name: "kyc-1.a_b", Steps: []idv.LevelStep{
		{Kind: idv.StepConsent, MaxAttempts: 1, Title: idv.Localized{"": "Hello"},
			Text: idv.Localized{"en": "We keep it safe.", "es": "Lo guardamos."}}, {Kind: idv.StepNFC, MaxAttempts: 10},
	}}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(idv.Level{}, "Version")); diff != "" {
		t.Errorf("ParseLevels (-want +got):\n%s", diff)
	}
}

func TestImplemented(t *testing.T) {
	for _, k := range idv.StepKinds {
		want := k == idv.StepConsent || k == idv.StepPhone || k == idv.StepEmail
		if got := Implemented(k); got != want {
			t.Errorf("Implemented(%s) = %v, want %v", k, got, want)
		}
		if RequirementType(k) == "" || StepScreen(k) == "" {
			t.Errorf("step %s has no requirement type or screen", k)
		}
	}
	if Implemented("selfie") {
		t.Error(`Implemented("selfie") = true, want false`)
	}
}

func FuzzParseLevels(f *testing.F) {
	f.Add([]byte(DefaultLevelsYAML()))
	f.Add([]byte("levels:\n  - name: a\n    steps: [consent, {kind: phone, max_attempts: 2}]\n"))
	f.Add([]byte("levels: [&a {name: x, steps: *a}]"))
	f.Add([]byte("levels:\n  - name: a\n    steps: [{kind: consent, title: Hi, text: {en: a, es: b}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		levels, err := ParseLevels(data)
		if err != nil {
			var le *LevelError
			if !errors.As(err, &le) || len(le.Problems) == 0 {
				t.Fatalf("error %v is not a *LevelError with problems", err)
			}
			return
		}
		for _, l := range levels {
			if len(l.Steps) == 0 || l.Steps[0].Kind != idv.StepConsent || l.Version == "" {
				t.Fatalf("accepted an invalid level %+v", l)
			}
		}
	})
}
