package mrz

import (
	"strings"
	"time"
)

// Date is a six-digit MRZ date (YYMMDD) resolved to a full year.
type Date struct {
	Raw   string // as printed, e.g. "740812"
	Year  int    // full year after the century rule; 0 when unknown
	Month int
	Day   int
	Valid bool // a real calendar date (not "<<<<<<" or month 13)
}

// String formats a valid date as YYYY-MM-DD, else returns Raw.
func (d Date) String() string {
	if !d.Valid {
		return d.Raw
	}
	return d.Time().Format(time.DateOnly)
}

// Time returns the date at midnight UTC; zero when invalid.
func (d Date) Time() time.Time {
	if !d.Valid {
		return time.Time{}
	}
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

// CheckResult is one check digit as printed and as computed.
type CheckResult struct {
	Name     string `json:"name"`
	Printed  string `json:"printed"`
	Computed string `json:"computed"`
	OK       bool   `json:"ok"`
}

// Problem codes in Result.Problems.
const (
	ProblemCheckDigit      = "check_digit_failed"
	ProblemDocumentCode    = "document_code_invalid"
	ProblemIssuingState    = "issuing_state_unknown"
	ProblemNationality     = "nationality_unknown"
	ProblemBirthDate       = "birth_date_invalid"
	ProblemExpiryDate      = "expiry_date_invalid"
	ProblemSex             = "sex_invalid"
	ProblemNames           = "names_missing"
	ProblemNamesMalformed  = "names_malformed"
	ProblemExpired         = "expired"
	ProblemDocumentNumber  = "document_number_missing"
	ProblemFieldCharacters = "field_characters_invalid"
)

// Result is a parsed machine-readable zone.
type Result struct {
	Format         Format
	Lines          []string
	DocumentCode   string // e.g. "P", "ID", "I", "V", "AC" (fillers trimmed)
	IssuingState   string // fillers trimmed: "D" for Germany
	Surname        string // name components joined with spaces
	GivenNames     string
	DocumentNumber string // fillers removed, long TD1/TD2 numbers joined
	Nationality    string
	BirthDate      Date
	Sex            string // "M", "F" or "X" (printed '<')
	ExpiryDate     Date
	OptionalData   string // TD3 personal number, TD2/visa optional data, TD1 line 1 optional data
	OptionalData2  string // TD1 line 2 optional data
	Checks         []CheckResult
	// ChecksValid is true when every check digit matches.
	ChecksValid bool
	// Valid is true when every check digit matches and every field is
	// well formed (known state codes, real dates, sex, names). Expiry does
	// not affect it: see Expired.
	Valid bool
	// Expired is true when the expiry date is before now.
	Expired bool
	// Age is the holder's age in whole years at now, -1 when unknown.
	Age int
	// Problems lists what is wrong, as Problem* codes.
	Problems []string
}

// UnderAge reports whether the holder is younger than minAge at the time
// given to Parse; an unknown birth date counts as under age.
func (r *Result) UnderAge(minAge int) bool {
	return r.Age < 0 || r.Age < minAge
}

// ParseText splits text on newlines (ignoring blank lines and surrounding
// spaces) and parses the lines.
func ParseText(text string, now time.Time) (*Result, error) {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return Parse(lines, now)
}

// Parse checks the shape of lines (count, lengths, alphabet) and parses
// them. Shape errors are *ShapeError. A well-shaped zone always yields a
// Result, even when its check digits fail: then Valid is false.
func Parse(lines []string, now time.Time) (*Result, error) {
	if err := checkShape(lines); err != nil {
		return nil, err
	}
	format, _ := DetectFormat(lines)
	layout, _ := LayoutOf(format)
	r := &Result{Format: format, Lines: append([]string(nil), lines...), Age: -1}
	fields := fieldValues(layout, lines)
	r.fill(fields, now)
	r.runChecks(layout, fields)
	r.validate(layout, fields)
	return r, nil
}

func checkShape(lines []string) error {
	if len(lines) != 2 && len(lines) != 3 {
		return &ShapeError{Kind: ErrLineCount, Line: -1, Pos: -1, Got: len(lines)}
	}
	want := map[int][]int{2: {36, 44}, 3: {30}}[len(lines)]
	for i, l := range lines {
		if (len(l) != want[0] && (len(want) == 1 || len(l) != want[1])) || len(l) != len(lines[0]) {
			return &ShapeError{Kind: ErrLineLength, Line: i, Pos: -1, Got: len(l)}
		}
	}
	for i, l := range lines {
		for j := 0; j < len(l); j++ {
			if !IsMRZChar(l[j]) {
				return &ShapeError{Kind: ErrCharacter, Line: i, Pos: j}
			}
		}
	}
	return nil
}

func trimFill(s string) string { return strings.Trim(s, "<") }

func (r *Result) fill(f map[string]string, now time.Time) {
	r.DocumentCode = trimFill(f["document_code"])
	r.IssuingState = trimFill(f["issuing_state"])
	r.Nationality = trimFill(f["nationality"])
	r.Surname, r.GivenNames = splitNames(f["names"])
	r.DocumentNumber = trimFill(f["document_number"])
	r.OptionalData = trimFill(f["optional_data"])
	r.OptionalData2 = trimFill(f["optional_data_2"])
	if num, _, opt, ok := longDocumentNumber(r.Format, f); ok {
		r.DocumentNumber, r.OptionalData = num, opt
	}
	r.Sex = f["sex"]
	if r.Sex == "<" {
		r.Sex = "X"
	}
	r.BirthDate = parseDate(f["birth_date"], now, true)
	r.ExpiryDate = parseDate(f["expiry_date"], now, false)
	if r.BirthDate.Valid {
		r.Age = age(r.BirthDate, now)
	}
	if r.ExpiryDate.Valid {
		r.Expired = r.ExpiryDate.Time().Before(dateOnly(now))
	}
}

// splitNames splits the name field on the first "<<": the primary
// identifier (surname) before it, the secondary identifier after it, with
// single fillers becoming spaces.
func splitNames(s string) (surname, given string) {
	s = strings.TrimRight(s, "<")
	sur, giv, _ := strings.Cut(s, "<<")
	return fillToSpace(sur), fillToSpace(giv)
}

func fillToSpace(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
}

// longDocumentNumber handles TD1 and TD2 document numbers longer than
// nine characters: the check digit position holds '<' and the number
// continues in the optional data up to the first filler, whose last
// character is the check digit.
func longDocumentNumber(format Format, f map[string]string) (number string, check byte, optional string, ok bool) {
	if (format != TD1 && format != TD2) || f["document_number_check"] != "<" {
		return "", 0, "", false
	}
	opt := f["optional_data"]
	end := strings.IndexByte(opt, '<')
	if end < 0 {
		end = len(opt)
	}
	if end < 1 {
		return "", 0, "", false
	}
	return f["document_number"] + opt[:end-1], opt[end-1], trimFill(opt[end:]), true
}

func (r *Result) runChecks(layout Layout, f map[string]string) {
	r.ChecksValid = true
	for _, c := range layout.Checks {
		printed := r.Lines[c.Digit.Line][c.Digit.Start]
		computed := checkDigitSpans(r.Lines, c.Data)
		if c.Name == CheckDocumentNumber {
			if num, check, _, ok := longDocumentNumber(r.Format, f); ok {
				printed, computed = check, CheckDigit(num)
			}
		}
		ok := printed == computed
		if !ok && printed == '<' && c.Name == CheckOptionalData {
			// TD3: an all-filler personal number may have a filler check digit.
			ok = strings.Trim(f["optional_data"], "<") == ""
		}
		if !ok {
			r.ChecksValid = false
		}
		r.Checks = append(r.Checks, CheckResult{Name: c.Name, Printed: string(printed), Computed: string(computed), OK: ok})
	}
}

// ChecksValid reports whether lines are a well-shaped zone whose every
// check digit passes, without the rest of Parse.
func ChecksValid(lines []string) bool {
	if checkShape(lines) != nil {
		return false
	}
	format, _ := DetectFormat(lines)
	layout, _ := LayoutOf(format)
	r := &Result{Format: format, Lines: lines}
	r.runChecks(layout, fieldValues(layout, lines))
	return r.ChecksValid
}

// fieldValues cuts every field of layout out of lines, by field name.
func fieldValues(layout Layout, lines []string) map[string]string {
	fields := make(map[string]string, len(layout.Fields))
	for _, f := range layout.Fields {
		fields[f.Name] = lines[f.Span.Line][f.Span.Start:f.Span.End]
	}
	return fields
}
