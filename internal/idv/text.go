package idv

import (
	"strings"
	"unicode"
)

// HiddenRune reports whether r is a character that text shown to people
// (names, email addresses, identifiers) must not carry because it changes
// how the text looks without being seen itself: C0/C1 controls, the
// bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
// U+061C), format characters (category Cf: U+00AD soft hyphen,
// U+200B–U+200D zero-width space and joiners, U+2060, U+FEFF, tags …),
// the other default-ignorable code points (Hangul fillers, U+034F …) and
// the line and paragraph separators.
//
// ZWJ and ZWNJ are refused too, although some scripts (Persian, Indic)
// use them inside words: text without them reads the same, and they are
// the usual tool to make two different-looking identifiers compare apart.
func HiddenRune(r rune) bool {
	if r < 0x80 {
		return r < 0x20 || r == 0x7f
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp,
		unicode.Other_Default_Ignorable_Code_Point)
}

// HasHiddenRune reports whether s holds a rune for which HiddenRune is true.
func HasHiddenRune(s string) bool { return strings.ContainsFunc(s, HiddenRune) }
