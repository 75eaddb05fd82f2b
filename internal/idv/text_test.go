package idv

import "testing"

func TestHasHiddenRune(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"plain", "Ada Lovelace", false},
		{"accents and scripts", "Zoë Müller-李 Ивано́ва", false},
		{"emoji", "Ada 🙂", false},
		{"newline", "Ada\nLovelace", true},
		{"C1 control", "Ada\u0085", true},
		{"right-to-left override", "Ada\u202Eecalevol", true},
		{"left-to-right embedding", "\u202AAda", true},
		{"right-to-left isolate", "\u2067Ada\u2069", true},
		{"left-to-right mark", "Ada\u200E", true},
		{"arabic letter mark", "Ada\u061C", true},
		{"zero-width space", "A\u200Bda", true},
		{"zero-width non-joiner", "A\u200Cda", true},
		{"zero-width joiner", "A\u200Dda", true},
		{"word joiner", "A\u2060da", true},
		{"byte order mark", "\uFEFFAda", true},
		{"soft hyphen", "Ada\u00ADLovelace", true},
		{"tag character", "Ada\U000E0041", true},
		{"hangul filler", "\u3164", true},
		{"combining grapheme joiner", "A\u034Fda", true},
		{"line separator", "Ada\u2028", true},
	}
	for _, tt := range tests {
		if got := HasHiddenRune(tt.in); got != tt.want {
			t.Errorf("%s: HasHiddenRune(%+q) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}
