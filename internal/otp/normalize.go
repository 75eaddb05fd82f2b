package otp

import (
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/openidv/openidv/internal/idv"
)

// Input limits, checked before any parsing.
const (
	maxPhoneInput  = 64  // characters of a raw phone number
	maxEmailLength = 254 // RFC 5321 path limit minus the angle brackets
	maxLocalPart   = 64  // RFC 5321 §4.5.3.1.1
	maxLabel       = 63  // RFC 1035
)

// Field names used in the errors, as in the session API.
const (
	fieldPhone = "phone_number"
	fieldEmail = "email_address"
)

// invalid returns a CodeInvalid *idv.Error naming field. The message never
// repeats the input.
func invalid(field, msg string) *idv.Error {
	return &idv.Error{
		Code:    idv.CodeInvalid,
		Message: msg,
		Fields:  []idv.FieldError{{Name: field, Message: msg}},
	}
}

// NormalizePhone parses raw and returns it in E.164 form (+447911123456).
// A number without a leading + (or 00 style international prefix) is read
// in defaultRegion: an ISO 3166-1 alpha-2 code (the session's phone_country,
// any case) or a calling code such as "44" or "+44". Only numbers valid for
// their region are accepted. Errors are CodeInvalid *idv.Error.
func NormalizePhone(raw, defaultRegion string) (string, error) {
	n, err := parsePhone(raw, defaultRegion)
	if err != nil {
		return "", err
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// NormalizeMobile is NormalizePhone for numbers that will receive an SMS:
// it also refuses numbers that are not (possibly) mobile, such as premium
// rate, toll free, shared cost, VoIP, pager and voicemail numbers, which
// SMS-pumping fraud relies on.
func NormalizeMobile(raw, defaultRegion string) (string, error) {
	n, err := parsePhone(raw, defaultRegion)
	if err != nil {
		return "", err
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return phonenumbers.Format(n, phonenumbers.E164), nil
	default:
		return "", invalid(fieldPhone, "phone number cannot receive text messages")
	}
}

// parsePhone applies the limits, the region rules and the validity check.
func parsePhone(raw, defaultRegion string) (*phonenumbers.PhoneNumber, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, invalid(fieldPhone, "phone number is required")
	}
	if len(raw) > maxPhoneInput || !utf8.ValidString(raw) {
		return nil, invalid(fieldPhone, "phone number is not valid")
	}
	region, ok := regionCode(defaultRegion)
	if !ok {
		return nil, invalid("phone_country", "phone country is not a known ISO 3166-1 alpha-2 code")
	}
	if region == "" && !strings.HasPrefix(raw, "+") {
		return nil, invalid(fieldPhone, "phone number needs a leading + and country code, or a phone country")
	}
	if region == "" {
		region = "ZZ" // unknown region: the number must be international
	}
	n, err := phonenumbers.Parse(raw, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return nil, invalid(fieldPhone, "phone number is not valid")
	}
	return n, nil
}

// regionCode turns a phone_country value into a supported region code.
// Empty input gives "" and true.
func regionCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if digits := strings.TrimPrefix(s, "+"); digits != "" && len(digits) <= 3 && allDigits(digits) {
		cc, err := strconv.Atoi(digits)
		if err != nil {
			return "", false
		}
		r := phonenumbers.GetRegionCodeForCountryCode(cc)
		return r, r != "" && r != "ZZ"
	}
	s = strings.ToUpper(s)
	if len(s) != 2 || !phonenumbers.GetSupportedRegions()[s] {
		return "", false
	}
	return s, true
}

// allDigits reports whether s is made of ASCII digits only.
func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeEmail checks that raw is one bare address (no display name, no
// angle brackets, no comments, no quoted local part, no IP literal, at most
// 254 bytes, a domain with a dot) and returns it with the domain lower-cased.
// The local part keeps its case: some mail servers treat it as significant.
// Look-alike addresses are refused: control, bidirectional and invisible
// characters (idv.HiddenRune) anywhere, and a local part or domain label
// that mixes scripts (Latin with a Cyrillic "а", say), per UTS #39's
// highly restrictive level. Errors are CodeInvalid *idv.Error.
func NormalizeEmail(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", invalid(fieldEmail, "email address is required")
	}
	bad := invalid(fieldEmail, "email address is not valid")
	if len(raw) > maxEmailLength || !utf8.ValidString(raw) {
		return "", bad
	}
	for _, r := range raw {
		if idv.HiddenRune(r) {
			return "", invalid(fieldEmail, "email address must not contain control, bidirectional or invisible characters")
		}
		if unicode.IsSpace(r) {
			return "", bad
		}
	}
	addr, err := mail.ParseAddress(raw)
	if err != nil || addr.Name != "" || addr.Address != raw {
		return "", bad
	}
	at := strings.LastIndexByte(raw, '@')
	local, domain := raw[:at], strings.ToLower(raw[at+1:])
	if !validLocal(local) || !validDomain(domain) {
		return "", bad
	}
	if mixedScripts(local) || slices.ContainsFunc(strings.Split(domain, "."), mixedScripts) {
		return "", invalid(fieldEmail, "email address mixes scripts within one part (such as Latin and Cyrillic look-alike letters)")
	}
	return local + "@" + domain, nil
}

// validLocal accepts a dot-atom local part (RFC 5322 atext, no quotes).
func validLocal(local string) bool {
	if local == "" || len(local) > maxLocalPart {
		return false
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return false
	}
	for _, r := range local {
		if r < 0x80 && !isAtext(byte(r)) && r != '.' {
			return false
		}
	}
	return true
}

// isAtext reports whether c is an RFC 5322 atext character.
func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// validDomain accepts a host name of at least two labels of letters (any
// script), digits and inner hyphens, with an alphabetic top-level label.
func validDomain(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > maxLabel || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return !allDigits(tld)
}
