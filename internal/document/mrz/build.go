package mrz

import (
	"errors"
	"fmt"
	"strings"
)

// Fields are the inputs of Build. Text is upper case A–Z, 0–9 and spaces
// (spaces become fillers); dates are YYMMDD; Sex is "M", "F" or "X".
type Fields struct {
	Format         Format
	DocumentCode   string // "P", "I", "ID", "V", "AC", …
	IssuingState   string // "UTO", "D", …
	Surname        string
	GivenNames     string
	DocumentNumber string
	Nationality    string
	BirthDate      string
	Sex            string
	ExpiryDate     string
	OptionalData   string
	OptionalData2  string // TD1 only
}

// ErrBuild is returned by Build for fields that do not fit the format.
var ErrBuild = errors.New("mrz: cannot build zone")

// Build formats the zone lines of f, computing every check digit. Names
// that are too long are truncated; other fields that are too long, and
// characters outside the MRZ alphabet, are errors.
func Build(f Fields) ([]string, error) {
	layout, ok := LayoutOf(f.Format)
	if !ok {
		return nil, fmt.Errorf("%w: unknown format %q", ErrBuild, f.Format)
	}
	lines := make([][]byte, layout.Lines)
	for i := range lines {
		lines[i] = []byte(strings.Repeat("<", layout.Width))
	}
	sex := f.Sex
	if sex == "X" {
		sex = "<"
	}
	values := map[string]string{
		"document_code":   f.DocumentCode,
		"issuing_state":   f.IssuingState,
		"names":           nameField(f.Surname, f.GivenNames),
		"document_number": f.DocumentNumber,
		"nationality":     f.Nationality,
		"birth_date":      f.BirthDate,
		"sex":             sex,
		"expiry_date":     f.ExpiryDate,
		"optional_data":   f.OptionalData,
		"optional_data_2": f.OptionalData2,
	}
	for _, spec := range layout.Fields {
		v, ok := values[spec.Name]
		if !ok {
			continue
		}
		v = strings.ReplaceAll(strings.ToUpper(v), " ", "<")
		width := spec.Span.End - spec.Span.Start
		if spec.Name == "names" && len(v) > width {
			v = v[:width]
		}
		if len(v) > width {
			return nil, fmt.Errorf("%w: %s %q longer than %d", ErrBuild, spec.Name, v, width)
		}
		for i := 0; i < len(v); i++ {
			if !IsMRZChar(v[i]) {
				return nil, fmt.Errorf("%w: %s has character %q", ErrBuild, spec.Name, v[i])
			}
		}
		copy(lines[spec.Span.Line][spec.Span.Start:], v)
	}
	out := make([]string, len(lines))
	for i := range lines {
		out[i] = string(lines[i])
	}
	// In order: the composite check digit covers the ones before it.
	for _, c := range layout.Checks {
		d := c.Digit
		lines[d.Line][d.Start] = checkDigitSpans(out, c.Data)
		out[d.Line] = string(lines[d.Line])
	}
	return out, nil
}

// nameField joins surname and given names the ICAO way: components
// separated by one filler, surname and given names by two.
func nameField(surname, given string) string {
	s := strings.Join(strings.Fields(surname), "<")
	if g := strings.Join(strings.Fields(given), "<"); g != "" {
		s += "<<" + g
	}
	return s
}
