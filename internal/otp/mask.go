package otp

import "strings"

// Mask hides most of a destination for logs and screens: an E.164 number
// keeps its first three and last three characters (+44******456), an email
// address keeps the first character of its local part and its domain
// (j***@example.com). Anything else is replaced by stars entirely.
func Mask(dest string) string {
	if at := strings.LastIndexByte(dest, '@'); at > 0 {
		return dest[:1] + "***" + dest[at:]
	}
	if strings.HasPrefix(dest, "+") && len(dest) >= 9 {
		return dest[:3] + strings.Repeat("*", len(dest)-6) + dest[len(dest)-3:]
	}
	if dest == "" {
		return ""
	}
	return "***"
}
