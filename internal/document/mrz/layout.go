// Package mrz parses and builds the machine-readable zones of ICAO Doc 9303
// travel documents: TD1 (ID cards, 3×30), TD2 (2×36), TD3 (passports,
// 2×44) and the machine-readable visas MRV-A (2×44) and MRV-B (2×36). It
// checks every check digit, the dates (with century rules relative to a
// time passed in), the sex and the three-letter state codes. It does no I/O
// and reads no clock.
package mrz

// Format is the layout of a machine-readable zone.
type Format string

// The five ICAO 9303 layouts.
const (
	TD1  Format = "td1"
	TD2  Format = "td2"
	TD3  Format = "td3"
	MRVA Format = "mrv_a"
	MRVB Format = "mrv_b"
)

// Kind is the character class a field allows.
type Kind byte

// Field kinds: Alpha allows A–Z and '<', Numeric 0–9 and '<', AlphaNum any
// MRZ character, Check a check digit (0–9, or '<' where the standard allows
// an empty field's check digit to be a filler).
const (
	AlphaNum Kind = iota
	Alpha
	Numeric
	Check
)

// Span is a run of characters in one MRZ line: Line[Start:End].
type Span struct {
	Line, Start, End int
}

// FieldSpec names a field and where it sits.
type FieldSpec struct {
	Name string
	Span Span
	Kind Kind
}

// CheckSpec is one check digit: the data it protects and its position.
type CheckSpec struct {
	Name  string
	Data  []Span
	Digit Span
}

// Layout is the geometry of one format.
type Layout struct {
	Format Format
	Lines  int
	Width  int
	Fields []FieldSpec
	Checks []CheckSpec
}

// Check names used in Result.Checks.
const (
	CheckDocumentNumber = "document_number"
	CheckBirthDate      = "birth_date"
	CheckExpiryDate     = "expiry_date"
	CheckOptionalData   = "optional_data"
	CheckComposite      = "composite"
)

// LayoutOf returns the layout of f; ok is false for an unknown format.
func LayoutOf(f Format) (Layout, bool) {
	switch f {
	case TD1:
		return td1Layout(), true
	case TD2, MRVB:
		return twoLineLayout(f, 36), true
	case TD3, MRVA:
		return twoLineLayout(f, 44), true
	}
	return Layout{}, false
}

func headerFields(width int) []FieldSpec {
	return []FieldSpec{
		{"document_code", Span{0, 0, 2}, Alpha},
		{"issuing_state", Span{0, 2, 5}, Alpha},
		{"names", Span{0, 5, width}, Alpha},
	}
}

// twoLineLayout is TD2, TD3 and the two visas: they differ only in width
// and in whether a composite check digit (and, for TD3, a personal-number
// check digit) closes line 2.
func twoLineLayout(f Format, width int) Layout {
	l := Layout{Format: f, Lines: 2, Width: width}
	l.Fields = append(headerFields(width),
		FieldSpec{"document_number", Span{1, 0, 9}, AlphaNum},
		FieldSpec{"document_number_check", Span{1, 9, 10}, Check},
		FieldSpec{"nationality", Span{1, 10, 13}, Alpha},
		FieldSpec{"birth_date", Span{1, 13, 19}, Numeric},
		FieldSpec{"birth_date_check", Span{1, 19, 20}, Check},
		FieldSpec{"sex", Span{1, 20, 21}, Alpha},
		FieldSpec{"expiry_date", Span{1, 21, 27}, Numeric},
		FieldSpec{"expiry_date_check", Span{1, 27, 28}, Check},
	)
	l.Checks = []CheckSpec{
		{CheckDocumentNumber, []Span{{1, 0, 9}}, Span{1, 9, 10}},
		{CheckBirthDate, []Span{{1, 13, 19}}, Span{1, 19, 20}},
		{CheckExpiryDate, []Span{{1, 21, 27}}, Span{1, 27, 28}},
	}
	switch f {
	case TD3:
		l.Fields = append(l.Fields,
			FieldSpec{"optional_data", Span{1, 28, 42}, AlphaNum},
			FieldSpec{"optional_data_check", Span{1, 42, 43}, Check},
			FieldSpec{"composite_check", Span{1, 43, 44}, Check})
		l.Checks = append(l.Checks,
			CheckSpec{CheckOptionalData, []Span{{1, 28, 42}}, Span{1, 42, 43}},
			CheckSpec{CheckComposite, []Span{{1, 0, 10}, {1, 13, 20}, {1, 21, 43}}, Span{1, 43, 44}})
	case TD2:
		l.Fields = append(l.Fields,
			FieldSpec{"optional_data", Span{1, 28, 35}, AlphaNum},
			FieldSpec{"composite_check", Span{1, 35, 36}, Check})
		l.Checks = append(l.Checks,
			CheckSpec{CheckComposite, []Span{{1, 0, 10}, {1, 13, 20}, {1, 21, 35}}, Span{1, 35, 36}})
	default: // visas: optional data to the end, no composite
		l.Fields = append(l.Fields, FieldSpec{"optional_data", Span{1, 28, width}, AlphaNum})
	}
	return l
}

func td1Layout() Layout {
	return Layout{
		Format: TD1, Lines: 3, Width: 30,
		Fields: []FieldSpec{
			{"document_code", Span{0, 0, 2}, Alpha},
			{"issuing_state", Span{0, 2, 5}, Alpha},
			{"document_number", Span{0, 5, 14}, AlphaNum},
			{"document_number_check", Span{0, 14, 15}, Check},
			{"optional_data", Span{0, 15, 30}, AlphaNum},
			{"birth_date", Span{1, 0, 6}, Numeric},
			{"birth_date_check", Span{1, 6, 7}, Check},
			{"sex", Span{1, 7, 8}, Alpha},
			{"expiry_date", Span{1, 8, 14}, Numeric},
			{"expiry_date_check", Span{1, 14, 15}, Check},
			{"nationality", Span{1, 15, 18}, Alpha},
			{"optional_data_2", Span{1, 18, 29}, AlphaNum},
			{"composite_check", Span{1, 29, 30}, Check},
			{"names", Span{2, 0, 30}, Alpha},
		},
		Checks: []CheckSpec{
			{CheckDocumentNumber, []Span{{0, 5, 14}}, Span{0, 14, 15}},
			{CheckBirthDate, []Span{{1, 0, 6}}, Span{1, 6, 7}},
			{CheckExpiryDate, []Span{{1, 8, 14}}, Span{1, 14, 15}},
			{CheckComposite, []Span{{0, 5, 30}, {1, 0, 7}, {1, 8, 15}, {1, 18, 29}}, Span{1, 29, 30}},
		},
	}
}

// DetectFormat returns the format that line count and widths suggest, and
// the document code's first letter: 'V' marks a visa.
func DetectFormat(lines []string) (Format, bool) {
	if len(lines) == 3 && len(lines[0]) == 30 {
		return TD1, true
	}
	if len(lines) != 2 || len(lines[0]) == 0 {
		return "", false
	}
	visa := lines[0][0] == 'V'
	switch len(lines[0]) {
	case 36:
		if visa {
			return MRVB, true
		}
		return TD2, true
	case 44:
		if visa {
			return MRVA, true
		}
		return TD3, true
	}
	return "", false
}
