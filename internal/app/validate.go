package app

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/otp"
)

// Length limits of free-text inputs, in characters.
const (
	maxNameLen       = 200
	maxUniqueIDLen   = 255
	maxVendorDataLen = 4096
	maxLocaleLen     = 35
	maxReturnURLLen  = 2048
)

// fieldErrors collects invalid fields so that all are reported at once.
type fieldErrors []idv.FieldError

func (f *fieldErrors) add(name, msg string) {
	*f = append(*f, idv.FieldError{Name: name, Message: msg})
}

// addErr adds the fields of an *idv.Error (or one field named name).
func (f *fieldErrors) addErr(name string, err error) {
	var de *idv.Error
	if errors.As(err, &de) && len(de.Fields) > 0 {
		*f = append(*f, de.Fields...)
		return
	}
	if errors.As(err, &de) {
		f.add(name, de.Message)
		return
	}
	f.add(name, "is invalid")
}

// err returns the CodeInvalid error of the collected fields, or nil.
func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	names := make([]string, len(f))
	for i, fe := range f {
		names[i] = fe.Name
	}
	return &idv.Error{Code: idv.CodeInvalid, Message: "Invalid fields: " + strings.Join(names, ", ") + ".", Fields: f}
}

// text checks a free-text field: valid UTF-8, no control, bidirectional
// or invisible characters (idv.HiddenRune), at most max characters. Empty
// means absent. Scripts may mix: people's names legitimately combine them
// (a Latin given name and a Han family name); addresses, where look-alike
// letters deceive, are checked by otp.NormalizeEmail.
func (f *fieldErrors) text(name, v string, max int) {
	switch {
	case !utf8.ValidString(v):
		f.add(name, "must be valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		f.add(name, fmt.Sprintf("must be at most %d characters", max))
	case idv.HasHiddenRune(v):
		f.add(name, "must not contain control, bidirectional or invisible characters")
	}
}

// returnURL checks an optional return URL.
func (f *fieldErrors) returnURL(v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if len(v) > maxReturnURLLen || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		f.add("return_url", "must be an absolute http or https URL")
	}
}

// locale checks an optional language tag (i18n), e.g. en or pt-BR.
func (f *fieldErrors) locale(v string) {
	if v == "" {
		return
	}
	ok := len(v) <= maxLocaleLen && !strings.ContainsFunc(v, func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_')
	})
	if !ok {
		f.add("i18n", "must be a language tag such as en or pt-BR")
	}
}

// phoneCountry checks an optional region: two letters or a calling code.
func (f *fieldErrors) phoneCountry(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	digits := strings.TrimPrefix(v, "+")
	isCode := len(digits) >= 1 && len(digits) <= 3 && !strings.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' })
	isRegion := len(v) == 2 && !strings.ContainsFunc(v, func(r rune) bool { return r > unicode.MaxASCII || !unicode.IsLetter(r) })
	if !isCode && !isRegion {
		f.add("phone_country", "must be an ISO 3166-1 alpha-2 code (e.g. GB) or a calling code (e.g. 44)")
		return ""
	}
	return strings.ToUpper(v)
}

// applicant validates and normalises applicant data: phone to E.164 (read
// in phone_country), email to its canonical form. Empty strings are absent.
func (f *fieldErrors) applicant(a idv.Applicant) idv.Applicant {
	f.text("unique_id", a.UniqueID, maxUniqueIDLen)
	f.text("first_name", a.FirstName, maxNameLen)
	f.text("last_name", a.LastName, maxNameLen)
	f.text("vendor_data", a.VendorData, maxVendorDataLen)
	a.PhoneCountry = f.phoneCountry(a.PhoneCountry)
	if a.PhoneNumber != "" {
		n, err := otp.NormalizePhone(a.PhoneNumber, a.PhoneCountry)
		if err != nil {
			f.addErr("phone_number", err)
		}
		a.PhoneNumber = n
	}
	if a.EmailAddress != "" {
		e, err := otp.NormalizeEmail(a.EmailAddress)
		if err != nil {
			f.addErr("email_address", err)
		}
		a.EmailAddress = e
	}
	return a
}
