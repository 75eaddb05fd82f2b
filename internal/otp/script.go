package otp

import (
	"slices"
	"unicode"
)

// Script names of unicode.Scripts used by the mixed-script rule.
const (
	scriptCommon    = "Common"
	scriptInherited = "Inherited"
	scriptLatin     = "Latin"
	scriptHan       = "Han"
)

// likelyScripts are tried first when looking a rune's script up.
var likelyScripts = []string{scriptLatin, "Cyrillic", "Greek", scriptHan, "Hiragana", "Katakana", "Hangul",
	"Arabic", "Hebrew", "Devanagari", "Thai", scriptCommon, scriptInherited}

// scriptOf returns the Unicode Script property of r ("" when unassigned).
func scriptOf(r rune) string {
	if r < 0x80 {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return scriptLatin
		}
		return scriptCommon
	}
	for _, name := range likelyScripts {
		if unicode.Is(unicode.Scripts[name], r) {
			return name
		}
	}
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// allowedMixes are the script combinations UTS #39 "highly restrictive"
// accepts in one label besides a single script: Japanese, Chinese with
// Bopomofo and Korean, each with Latin.
var allowedMixes = [][]string{
	{scriptLatin, scriptHan, "Hiragana", "Katakana"},
	{scriptLatin, scriptHan, "Bopomofo"},
	{scriptLatin, scriptHan, "Hangul"},
}

// mixedScripts reports whether label fails UTS #39's "highly restrictive"
// level: it mixes scripts (Common and Inherited characters, such as
// digits, "-" and combining marks, go with any script) other than the
// allowed CJK combinations, or it holds an unassigned code point. The
// Script property stands in for Script_Extensions, which the standard
// library does not carry; that refuses a few rare but legitimate labels
// (a Han character only used with Japanese kana is still Han, so those
// pass).
func mixedScripts(label string) bool {
	var seen []string
	for _, r := range label {
		s := scriptOf(r)
		switch {
		case s == "":
			return true
		case s == scriptCommon || s == scriptInherited:
			continue
		}
		if !slices.Contains(seen, s) {
			seen = append(seen, s)
		}
	}
	if len(seen) <= 1 {
		return false
	}
	for _, mix := range allowedMixes {
		if subset(seen, mix) {
			return false
		}
	}
	return true
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
