package mrz

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// ICAO Doc 9303 specimen zones (Parts 4–7).
var (
	specimenTD3  = []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	specimenTD2  = []string{"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"}
	specimenTD1  = []string{"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}
	specimenMRVA = []string{"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"}
	specimenMRVB = []string{"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"}
)

// fieldsOf is the comparable part of a Result.
type fieldsOf struct {
	Format                                              Format
	Code, Issuer, Surname, Given, Number, Nat, Sex, Opt string
	Opt2, Birth, Expiry                                 string
	ChecksValid, Valid, Expired                         bool
	Age                                                 int
}

func summary(r *Result) fieldsOf {
	return fieldsOf{r.Format, r.DocumentCode, r.IssuingState, r.Surname, r.GivenNames, r.DocumentNumber,
		r.Nationality, r.Sex, r.OptionalData, r.OptionalData2, r.BirthDate.String(), r.ExpiryDate.String(),
		r.ChecksValid, r.Valid, r.Expired, r.Age}
}

func TestParseSpecimens(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  fieldsOf
	}{
		{"TD3", specimenTD3, fieldsOf{TD3, "P", "UTO", "ERIKSSON", "ANNA MARIA", "L898902C3", "UTO", "F", "ZE184226B", "",
			"1974-08-12", "2012-04-15", true, true, true, 52}},
		{"TD2", specimenTD2, fieldsOf{TD2, "I", "UTO", "ERIKSSON", "ANNA MARIA", "D23145890", "UTO", "F", "", "",
			"1974-08-12", "2012-04-15", true, true, true, 52}},
		{"TD1", specimenTD1, fieldsOf{TD1, "I", "UTO", "ERIKSSON", "ANNA MARIA", "D23145890", "UTO", "F", "", "",
			"1974-08-12", "2012-04-15", true, true, true, 52}},
		{"MRV-A", specimenMRVA, fieldsOf{MRVA, "V", "UTO", "ERIKSSON", "ANNA MARIA", "L8988901C", "XXX", "F", "6ZE184226B", "",
			"1940-09-07", "1996-12-10", true, true, true, 86}},
		{"MRV-B", specimenMRVB, fieldsOf{MRVB, "V", "UTO", "ERIKSSON", "ANNA MARIA", "L8988901C", "XXX", "F", "", "",
			"1940-09-07", "1996-12-10", true, true, true, 86}},
		{"TD1 long document number", []string{"I<UTOD23145890<7349<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2", "STEVENSON<<PETER<JOHN<<<<<<<<<"},
			fieldsOf{TD1, "I", "UTO", "STEVENSON", "PETER JOHN", "D23145890734", "UTO", "M", "", "",
				"1934-07-12", "1995-07-12", true, true, true, 92}},
		{"Germany D and X sex", mustBuild(t, Fields{Format: TD1, DocumentCode: "ID", IssuingState: "D", Surname: "MUSTERMANN", GivenNames: "ERIKA",
			DocumentNumber: "T22000129", Nationality: "D", BirthDate: "640812", Sex: "X", ExpiryDate: "310331"}),
			fieldsOf{TD1, "ID", "D", "MUSTERMANN", "ERIKA", "T22000129", "D", "X", "", "",
				"1964-08-12", "2031-03-31", true, true, false, 62}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.lines, now)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, summary(r)); diff != "" {
				t.Errorf("fields (-want +got):\n%s\nproblems %v checks %+v", diff, r.Problems, r.Checks)
			}
			for _, c := range r.Checks {
				if !c.OK {
					t.Errorf("check %s: printed %s computed %s", c.Name, c.Printed, c.Computed)
				}
			}
		})
	}
}

func mustBuild(t *testing.T, f Fields) []string {
	t.Helper()
	lines, err := Build(f)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return lines
}

func TestCheckDigitWorkedExamples(t *testing.T) {
	// ICAO 9303 Part 3 §4.9 worked examples.
	tests := []struct{ in, want string }{
		{"520727", "3"}, {"AB2134<<<", "5"}, {"L898902C3", "6"}, {"740812", "2"}, {"120415", "9"},
		{"ZE184226B<<<<<", "1"}, {"D23145890", "7"}, {"<<<<<<", "0"},
	}
	for _, tt := range tests {
		if got := string(CheckDigit(tt.in)); got != tt.want {
			t.Errorf("CheckDigit(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name         string
		lines        []string
		wantProblems []string
	}{
		{"document number check digit", []string{specimenTD3[0], "L898902C37UTO7408122F1204159ZE184226B<<<<<10"},
			[]string{ProblemCheckDigit, ProblemExpired}},
		{"composite only", []string{specimenTD3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<<11"},
			[]string{ProblemCheckDigit, ProblemExpired}},
		{"O for 0 in a date", []string{specimenTD3[0], "L898902C36UTO74O8122F1204159ZE184226B<<<<<10"},
			[]string{ProblemCheckDigit, ProblemBirthDate, ProblemFieldCharacters, ProblemExpired}},
		{"unknown state", mustBuild(t, Fields{Format: TD3, DocumentCode: "P", IssuingState: "QQQ", Surname: "A", DocumentNumber: "1",
			Nationality: "BDR", BirthDate: "900101", Sex: "F", ExpiryDate: "300101"}),
			[]string{ProblemIssuingState, ProblemNationality}},
		{"month 13 and day 31 in April", mustBuild(t, Fields{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "A", DocumentNumber: "1",
			Nationality: "UTO", BirthDate: "901301", Sex: "F", ExpiryDate: "300431"}),
			[]string{ProblemBirthDate, ProblemExpiryDate}},
		{"sex and code", mustBuild(t, Fields{Format: TD3, DocumentCode: "I", IssuingState: "UTO", Surname: "A", DocumentNumber: "1",
			Nationality: "UTO", BirthDate: "900101", Sex: "Q", ExpiryDate: "300101"}),
			[]string{ProblemDocumentCode, ProblemSex}},
		{"no names, no number", mustBuild(t, Fields{Format: TD2, DocumentCode: "I", IssuingState: "UTO",
			Nationality: "UTO", BirthDate: "900101", Sex: "M", ExpiryDate: "300101"}),
			[]string{ProblemNames, ProblemDocumentNumber}},
		{"letters after the name padding", []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<WWWW", specimenTD3[1]},
			[]string{ProblemNamesMalformed, ProblemExpired}},
		{"birth in the future is read as last century", mustBuild(t, Fields{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "A", DocumentNumber: "1",
			Nationality: "UTO", BirthDate: "261123", Sex: "F", ExpiryDate: "300101"}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.lines, now)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.wantProblems, r.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if wantValid := len(tt.wantProblems) == 0 || cmp.Equal(tt.wantProblems, []string{ProblemExpired}); r.Valid != wantValid {
				t.Errorf("Valid = %v, want %v", r.Valid, wantValid)
			}
		})
	}
}

func TestParseShapeErrors(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  error
	}{
		{"no lines", nil, ErrLineCount},
		{"one line", specimenTD3[:1], ErrLineCount},
		{"four lines", append(append([]string{}, specimenTD1...), specimenTD1[0]), ErrLineCount},
		{"short line", []string{specimenTD3[0], specimenTD3[1][:43]}, ErrLineLength},
		{"mixed widths", []string{specimenTD3[0], specimenTD2[1]}, ErrLineLength},
		{"TD1 width on two lines", specimenTD1[:2], ErrLineLength},
		{"lower case", []string{strings.ToLower(specimenTD3[0]), specimenTD3[1]}, ErrCharacter},
		{"space", []string{strings.ReplaceAll(specimenTD3[0], "<", " "), specimenTD3[1]}, ErrCharacter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.lines, now)
			if !errors.Is(err, tt.want) || r != nil {
				t.Errorf("Parse = %v, %v; want nil, %v", r, err, tt.want)
			}
			var se *ShapeError
			if !errors.As(err, &se) {
				t.Errorf("error %T is not a *ShapeError", err)
			}
		})
	}
}

func TestBuildRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		f    Fields
		want []string
	}{
		{"TD3", Fields{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "L898902C3", Nationality: "UTO", BirthDate: "740812", Sex: "F", ExpiryDate: "120415", OptionalData: "ZE184226B"}, specimenTD3},
		{"TD2", Fields{Format: TD2, DocumentCode: "I", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "D23145890", Nationality: "UTO", BirthDate: "740812", Sex: "F", ExpiryDate: "120415"}, specimenTD2},
		{"TD1", Fields{Format: TD1, DocumentCode: "I", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "D23145890", Nationality: "UTO", BirthDate: "740812", Sex: "F", ExpiryDate: "120415"}, specimenTD1},
		{"MRV-A", Fields{Format: MRVA, DocumentCode: "V", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "L8988901C", Nationality: "XXX", BirthDate: "400907", Sex: "F", ExpiryDate: "961210", OptionalData: "6ZE184226B"}, specimenMRVA},
		{"MRV-B", Fields{Format: MRVB, DocumentCode: "V", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "L8988901C", Nationality: "XXX", BirthDate: "400907", Sex: "F", ExpiryDate: "961210"}, specimenMRVB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustBuild(t, tt.f)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Build (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	base := Fields{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "A", DocumentNumber: "1", Nationality: "UTO", BirthDate: "900101", Sex: "F", ExpiryDate: "300101"}
	long, bad, unknown := base, base, base
	long.DocumentNumber = "1234567890"
	bad.Surname = "Ö"
	unknown.Format = "td9"
	for _, f := range []Fields{long, bad, unknown} {
		if _, err := Build(f); !errors.Is(err, ErrBuild) {
			t.Errorf("Build(%+v) error = %v, want ErrBuild", f, err)
		}
	}
	truncated := base
	truncated.Surname = strings.Repeat("VERYLONGNAME ", 6)
	if lines, err := Build(truncated); err != nil || len(lines[0]) != 44 {
		t.Errorf("long name: %q, %v; want truncated to 44", lines, err)
	}
}

func TestKnownState(t *testing.T) {
	for _, c := range []string{"UTO", "D<<", "DEU", "XXA", "XXB", "XXC", "XXX", "UNO", "UNA", "UNK", "EUE", "XOM", "XPO", "XCC", "XES", "XIM", "XDC", "XBA", "GBD", "RKS", "TWN"} {
		if !KnownState(c) {
			t.Errorf("KnownState(%q) = false", c)
		}
	}
	for _, c := range []string{"BDR", "D", "SI<", "XYZ", "UT", "UTOX", "W A", ""} {
		if KnownState(c) {
			t.Errorf("KnownState(%q) = true", c)
		}
	}
}

func TestUnderAge(t *testing.T) {
	lines := mustBuild(t, Fields{Format: TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "A", DocumentNumber: "1",
		Nationality: "UTO", BirthDate: "081123", Sex: "F", ExpiryDate: "300101"})
	r, err := Parse(lines, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Age != 17 || !r.UnderAge(18) || r.UnderAge(17) {
		t.Errorf("born 2008-11-23, now %s: Age %d UnderAge(18) %v UnderAge(17) %v", now.Format(time.DateOnly), r.Age, r.UnderAge(18), r.UnderAge(17))
	}
}

func FuzzParse(f *testing.F) {
	for _, z := range [][]string{specimenTD1, specimenTD2, specimenTD3, specimenMRVA, specimenMRVB} {
		f.Add(strings.Join(z, "\n"))
	}
	f.Add("I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<")
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseText(text, now)
		if (r == nil) == (err == nil) {
			t.Fatalf("ParseText: result %v and error %v", r, err)
		}
		if r == nil {
			return
		}
		if r.Valid && !r.ChecksValid {
			t.Fatalf("valid with failing check digits: %q", r.Lines)
		}
		for _, c := range r.Checks {
			if !c.OK && r.ChecksValid {
				t.Fatalf("ChecksValid with failing %s", c.Name)
			}
		}
	})
}

func TestFieldAndCheckMaps(t *testing.T) {
	r, err := Parse(specimenTD1, now)
	if err != nil {
		t.Fatal(err)
	}
	wantFields := map[string]string{
		"document_code": "I", "issuing_state": "UTO", "surname": "ERIKSSON", "given_names": "ANNA MARIA",
		"document_number": "D23145890", "nationality": "UTO", "birth_date": "1974-08-12", "sex": "F",
		"expiry_date": "2012-04-15", "optional_data": "", "optional_data_2": "",
	}
	if diff := cmp.Diff(wantFields, r.FieldMap()); diff != "" {
		t.Errorf("FieldMap (-want +got):\n%s", diff)
	}
	bad, err := Parse([]string{specimenTD3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<<11"}, now)
	if err != nil {
		t.Fatal(err)
	}
	wantChecks := map[string]bool{"document_number": true, "birth_date": true, "expiry_date": true, "optional_data": true, "composite": false}
	if diff := cmp.Diff(wantChecks, bad.CheckMap()); diff != "" {
		t.Errorf("CheckMap (-want +got):\n%s", diff)
	}
}
