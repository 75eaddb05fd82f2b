package otp

import (
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/idv"
)

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct {
		raw, region string
		want        string // "" means invalid
		wantField   string
	}{
		{"+44 7911 123456", "", "+447911123456", ""},
		{"07911 123456", "GB", "+447911123456", ""},
		{"07911 123456", "gb", "+447911123456", ""},
		{"07911 123456", "44", "+447911123456", ""},
		{"07911 123456", "+44", "+447911123456", ""},
		{"(202) 456-1111", "US", "+12024561111", ""},
		{"+1 202-456-1111", "DE", "+12024561111", ""},
		{"0044 7911 123456", "DE", "+447911123456", ""},
		{"  +33 6 12 34 56 78  ", "", "+33612345678", ""},
		{"06 12 34 56 78", "FR", "+33612345678", ""},
		{"+49 30 901820", "", "+4930901820", ""},
		{"07911 123456", "", "", "phone_number"},
		{"", "GB", "", "phone_number"},
		{"+44 7911", "", "", "phone_number"},
		{"+44 7911 123456 999999", "", "", "phone_number"},
		{"+999 123456789", "", "", "phone_number"},
		{"not a number", "GB", "", "phone_number"},
		{"+" + strings.Repeat("1", 100), "", "", "phone_number"},
		{"07911 123456", "XX", "", "phone_country"},
		{"07911 123456", "GBR", "", "phone_country"},
		{"07911 123456", "999", "", "phone_country"},
		{"+44 7911 123456\x00", "", "", "phone_number"},
		{"+44 \xff7911 123456", "", "", "phone_number"},
	} {
		t.Run(tc.raw+"/"+tc.region, func(t *testing.T) {
			got, err := NormalizePhone(tc.raw, tc.region)
			if got != tc.want {
				t.Fatalf("NormalizePhone(%q, %q) = %q, %v; want %q", tc.raw, tc.region, got, err, tc.want)
			}
			if tc.want == "" {
				checkInvalid(t, err, tc.wantField, tc.raw)
			}
		})
	}
}

func TestNormalizeMobile(t *testing.T) {
	for _, tc := range []struct {
		raw, region string
		want        string
	}{
		{"+44 7911 123456", "", "+447911123456"},
		{"+1 202-456-1111", "", "+12024561111"}, // US: fixed line or mobile
		{"+44 20 7946 0000", "", ""},            // UK fixed line
		{"+44 909 876 5432", "", ""},            // UK premium rate
		{"+44 800 123 4567", "", ""},            // UK toll free
		{"+1 900 555 0123", "", ""},             // US premium rate
		{"+44 56 1234 5678", "", ""},            // UK VoIP
		{"+44 70 1234 5678", "", ""},            // UK personal number
	} {
		t.Run(tc.raw, func(t *testing.T) {
			got, err := NormalizeMobile(tc.raw, tc.region)
			if got != tc.want {
				t.Fatalf("NormalizeMobile(%q) = %q, %v; want %q", tc.raw, got, err, tc.want)
			}
			if tc.want == "" {
				checkInvalid(t, err, "phone_number", tc.raw)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com"
	for _, tc := range []struct {
		raw  string
		want string // "" means invalid
	}{
		{"jane@example.com", "jane@example.com"},
		{"Jane.Doe@Example.COM", "Jane.Doe@example.com"},
		{"  jane+kyc@mail.example.co.uk ", "jane+kyc@mail.example.co.uk"},
		{"o'brien@example.ie", "o'brien@example.ie"},
		{"user@münchen.de", "user@münchen.de"},
		{"user@xn--mnchen-3ya.de", "user@xn--mnchen-3ya.de"},
		{"a@b.co", "a@b.co"},
		{long, long},
		{long + "m", ""},
		{"", ""},
		{"jane", ""},
		{"jane@", ""},
		{"@example.com", ""},
		{"jane@localhost", ""},
		{"jane@example", ""},
		{"jane@example.", ""},
		{"jane@.example.com", ""},
		{"jane@exa..mple.com", ""},
		{"jane@-example.com", ""},
		{"jane@example-.com", ""},
		{"jane@example.123", ""},
		{"jane@[192.168.0.1]", ""},
		{"jane@exam_ple.com", ""},
		{"Jane <jane@example.com>", ""},
		{"<jane@example.com>", ""},
		{"jane@example.com, bob@example.com", ""},
		{"jane@example.com (Jane)", ""},
		{`"jane doe"@example.com`, ""},
		{`"jane"@example.com`, ""},
		{".jane@example.com", ""},
		{"jane.@example.com", ""},
		{"ja..ne@example.com", ""},
		{"jane@example.com\r\nBcc: x@evil.com", ""},
		{"ja ne@example.com", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
		{"jane@" + strings.Repeat("a", 64) + ".com", ""},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b.", 100) + "com", ""},
		{"jane@exa\xffmple.com", ""},
		// Look-alikes (UTS #39): bidi and invisible characters, mixed scripts in one part.
		{"\u0430da@example.com", ""},         // Cyrillic а in a Latin local part
		{"ada@ex\u0430mple.com", ""},         // Cyrillic а in a Latin domain label
		{"\u0430da@ex\u0430mple.com", ""},    // the example
		{"ada@\u03bfpenai.com", ""},          // Greek omicron
		{"ada\u202E@example.com", ""},        // right-to-left override
		{"ada@exa\u202Emple.com", ""},        // right-to-left override in the domain
		{"a\u200Bda@example.com", ""},        // zero-width space
		{"ada\u2066@example.com", ""},        // left-to-right isolate
		{"ada\u00AD@example.com", ""},        // soft hyphen
		{"\uFEFFada@example.com", ""},        // byte order mark
		{"иван@пример.рф", "иван@пример.рф"}, // Cyrillic throughout
		{"ivan@пример.рф", "ivan@пример.рф"}, // one script per part
		{"δοκιμή@παράδειγμα.δοκιμή", "δοκιμή@παράδειγμα.δοκιμή"},
		{"田中たなか@example.jp", "田中たなか@example.jp"},                     // Japanese: Han + Hiragana
		{"taro田中@例え.jp", "taro田中@例え.jp"},                             // Latin + Han
		{"김민수kim@example.kr", "김민수kim@example.kr"},                   // Latin + Hangul
		{"user@d\u00e9j\u00e0-vu2.fr", "user@d\u00e9j\u00e0-vu2.fr"}, // Latin with digits and hyphen
		{"ab\u0301c@example.com", "ab\u0301c@example.com"},           // combining mark (Inherited)
		{"ивanov@example.com", ""},                                   // Cyrillic + Latin
		{"kim김たなか@example.com", ""},                                  // Hangul + Hiragana
	} {
		t.Run(tc.raw, func(t *testing.T) {
			got, err := NormalizeEmail(tc.raw)
			if got != tc.want {
				t.Fatalf("NormalizeEmail(%q) = %q, %v; want %q", tc.raw, got, err, tc.want)
			}
			if tc.want == "" {
				checkInvalid(t, err, "email_address", tc.raw)
			}
		})
	}
}

// checkInvalid checks that err is a CodeInvalid *idv.Error for field that
// does not repeat the input.
func checkInvalid(t *testing.T, err error, field, input string) {
	t.Helper()
	e, ok := err.(*idv.Error)
	if !ok {
		t.Fatalf("err = %#v, want *idv.Error", err)
	}
	if e.Code != idv.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Name != field {
		t.Errorf("err = %+v, want code %q on field %q", e, idv.CodeInvalid, field)
	}
	if len(strings.TrimSpace(input)) > 3 && strings.Contains(e.Error(), strings.TrimSpace(input)) {
		t.Errorf("error %q repeats the input", e)
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+44 7911 123456", "07911 123456", "(202) 456-1111", "0044 7911 123456", "tel:+1-202", ""} {
		f.Add(s, "GB")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := NormalizePhone(raw, region)
		if err != nil {
			if got != "" {
				t.Errorf("error with a result %q", got)
			}
			if idv.ErrorCode(err) != idv.CodeInvalid {
				t.Errorf("error code %q, want %q", idv.ErrorCode(err), idv.CodeInvalid)
			}
			return
		}
		if !strings.HasPrefix(got, "+") || len(got) > 16 || !allDigits(got[1:]) {
			t.Errorf("NormalizePhone(%q) = %q, not E.164", raw, got)
		}
		again, err := NormalizePhone(got, "")
		if err != nil || again != got {
			t.Errorf("not idempotent: %q → %q, %v", got, again, err)
		}
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"jane@example.com", "Jane <jane@example.com>", `"a b"@c.de`, "a@b", "user@münchen.de", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := NormalizeEmail(raw)
		if err != nil {
			if got != "" || idv.ErrorCode(err) != idv.CodeInvalid {
				t.Errorf("error %v with result %q", err, got)
			}
			return
		}
		if len(got) > maxEmailLength || strings.Count(got, "@") != 1 || strings.ContainsAny(got, " \r\n\t<>\",;()") {
			t.Errorf("NormalizeEmail(%q) = %q, unsafe", raw, got)
		}
		again, err := NormalizeEmail(got)
		if err != nil || again != got {
			t.Errorf("not idempotent: %q → %q, %v", got, again, err)
		}
	})
}
