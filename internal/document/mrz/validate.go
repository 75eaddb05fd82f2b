package mrz

import (
	"strings"
	"time"
)

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// parseDate resolves YYMMDD. Birth dates cannot lie in the future, so a
// birth date after now's is taken from the previous century; expiry dates are 20YY
// unless that is more than 50 years ahead of now.
func parseDate(raw string, now time.Time, birth bool) Date {
	d := Date{Raw: raw}
	if len(raw) != 6 {
		return d
	}
	n := [3]int{}
	for i := range 3 {
		a, b := raw[2*i], raw[2*i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return d
		}
		n[i] = int(a-'0')*10 + int(b-'0')
	}
	nowYear := now.UTC().Year()
	century := nowYear / 100 * 100
	year := century + n[0]
	if birth && (year > nowYear || year == nowYear && n[1]*100+n[2] > int(now.UTC().Month())*100+now.UTC().Day()) {
		year -= 100
	}
	if !birth && year > nowYear+50 {
		year -= 100
	}
	d.Year, d.Month, d.Day = year, n[1], n[2]
	t := time.Date(year, time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	d.Valid = n[1] >= 1 && n[1] <= 12 && t.Day() == n[2] && int(t.Month()) == n[1]
	return d
}

func age(birth Date, now time.Time) int {
	y, m, d := now.UTC().Date()
	a := y - birth.Year
	if int(m) < birth.Month || int(m) == birth.Month && d < birth.Day {
		a--
	}
	return a
}

// documentCodes lists the allowed first letters per format.
var documentCodes = map[Format]string{TD1: "ACI", TD2: "ACI", TD3: "P", MRVA: "V", MRVB: "V"}

func (r *Result) validate(layout Layout, f map[string]string) {
	add := func(p string) { r.Problems = append(r.Problems, p) }
	if !r.ChecksValid {
		add(ProblemCheckDigit)
	}
	if code := f["document_code"]; !strings.ContainsRune(documentCodes[r.Format], rune(code[0])) {
		add(ProblemDocumentCode)
	}
	if !KnownState(f["issuing_state"]) {
		add(ProblemIssuingState)
	}
	if !KnownState(f["nationality"]) {
		add(ProblemNationality)
	}
	if !r.BirthDate.Valid {
		add(ProblemBirthDate)
	}
	if !r.ExpiryDate.Valid {
		add(ProblemExpiryDate)
	}
	if !strings.Contains("MF<", f["sex"]) {
		add(ProblemSex)
	}
	if r.Surname == "" && r.GivenNames == "" {
		add(ProblemNames)
	} else if !namesWellFormed(f["names"]) {
		add(ProblemNamesMalformed)
	}
	if r.DocumentNumber == "" {
		add(ProblemDocumentNumber)
	}
	if !kindsOK(layout, f) {
		add(ProblemFieldCharacters)
	}
	r.Valid = len(r.Problems) == 0
	if r.Expired {
		add(ProblemExpired)
	}
}

// kindsOK checks that alphabetic fields hold no digits and numeric fields
// no letters.
func kindsOK(layout Layout, f map[string]string) bool {
	for _, spec := range layout.Fields {
		if !KindAllows(spec.Kind, f[spec.Name]) {
			return false
		}
	}
	return true
}

// KindAllows reports whether every character of s fits kind k. Numeric
// fields allow '<' only as a whole-field filler for dates; this function
// allows it anywhere and leaves the date check to Parse.
func KindAllows(k Kind, s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch k {
		case Alpha:
			if c >= '0' && c <= '9' {
				return false
			}
		case Numeric, Check:
			if c >= 'A' && c <= 'Z' {
				return false
			}
		}
	}
	return true
}

// namesWellFormed checks the name field's shape: it starts with a letter,
// and once a run of three or more fillers begins (the padding), nothing
// but fillers follows. Components are separated by one filler, surname
// and given names by two.
func namesWellFormed(s string) bool {
	if s == "" || s[0] == '<' {
		return false
	}
	pad := strings.Index(s, "<<<")
	return pad < 0 || strings.Trim(s[pad:], "<") == ""
}
