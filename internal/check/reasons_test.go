package check

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/document/mrz"
	"github.com/openidv/openidv/internal/idv"
)

// engineIssueCodes parses the document engine's sources for every constant
// of type IssueCode, so a code added there fails the test until mapped.
func engineIssueCodes(t *testing.T) []document.IssueCode {
	t.Helper()
	dir := filepath.Join("..", "document")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []document.IssueCode
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "IssueCode" {
				return true
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					s, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, document.IssueCode(s))
				}
			}
			return true
		})
	}
	return out
}

func TestEveryIssueCodeMapsToASeedReason(t *testing.T) {
	codes := engineIssueCodes(t)
	if len(codes) < 14 {
		t.Fatalf("found %d issue codes in the engine, want at least 14: the parser missed some", len(codes))
	}
	seed := []string{idv.ReasonClassificationFailed, idv.ReasonLowSharpness, idv.ReasonGlareDetected}
	for _, c := range codes {
		got, ok := issueReasons[c]
		if !ok {
			t.Errorf("issue code %q has no reason in issueReasons", c)
			continue
		}
		if !slices.Contains(seed, got) {
			t.Errorf("issue code %q maps to %q, not one of the seed's reasons", c, got)
		}
		if want := string(document.IssueFor(c).Reason); got != want {
			t.Errorf("issue code %q maps to %q, the engine says %q", c, got, want)
		}
	}
	if len(issueReasons) != len(codes) {
		t.Errorf("issueReasons has %d entries, the engine %d codes", len(issueReasons), len(codes))
	}
}

// mrzReport is an accepted zone of the given format, valid until 2030.
func mrzReport(f mrz.Format, age int, problems ...string) *document.MRZReport {
	return &document.MRZReport{
		Lines: []string{"L1", "L2"}, Valid: len(problems) == 0, Accepted: len(problems) == 0, ChecksValid: true,
		Format: f, Checks: map[string]bool{"document_number": true}, Age: age, Problems: problems,
		Expired: slices.Contains(problems, mrz.ProblemExpired),
		Fields: document.MRZFields{
			DocumentCode: "P", DocumentNumber: "L898902C3", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			Nationality: "UTO", IssuingState: "UTO", BirthDate: "1974-08-12", ExpiryDate: "2030-04-15", Sex: "F",
		},
	}
}

func issuesOf(codes ...document.IssueCode) []document.Issue {
	out := []document.Issue{}
	for _, c := range codes {
		out = append(out, document.IssueFor(c))
	}
	return out
}

// verdict is the part of a reading the mapping decides.
type verdict struct {
	Accepted  bool
	Reason    string
	Code      string
	Codes     []string
	Type      idv.DocumentType
	NeedsBack bool
}

func TestReadingOfMapsReports(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	front := idv.DocumentRequest{Side: idv.DocumentFront, Now: now}
	back := idv.DocumentRequest{Side: idv.DocumentBack, Now: now}
	adult := idv.DocumentRequest{Side: idv.DocumentFront, Now: now, MinAge: 18}
	tests := []struct {
		name string
		rep  document.Report
		req  idv.DocumentRequest
		want verdict
	}{
		{"passport accepted", document.Report{Type: document.TypeTD3, MRZ: mrzReport(mrz.TD3, 51)}, front,
			verdict{true, "", "", []string{}, idv.DocumentPassport, false}},
		{"passport on the back side still needs no back", document.Report{Type: document.TypeTD3, MRZ: mrzReport(mrz.TD3, 51)}, back,
			verdict{true, "", "", []string{}, idv.DocumentPassport, false}},
		{"TD1 front needs the back", document.Report{Type: document.TypeTD1, MRZ: mrzReport(mrz.TD1, 51)}, front,
			verdict{true, "", "", []string{}, idv.DocumentIDCard, true}},
		{"TD1 back completes the card", document.Report{Type: document.TypeTD1, MRZ: mrzReport(mrz.TD1, 51)}, back,
			verdict{true, "", "", []string{}, idv.DocumentIDCard, false}},
		{"TD2 card carries all on one side", document.Report{Type: document.TypeTD2, MRZ: mrzReport(mrz.TD2, 51)}, front,
			verdict{true, "", "", []string{}, idv.DocumentIDCard, false}},
		{"card without a zone needs the back", document.Report{Type: document.TypeCardNoMRZ}, front,
			verdict{true, "", "", []string{}, idv.DocumentUnknown, true}},
		{"blur first, then the zone in doubt", document.Report{Type: document.TypeTD3, MRZ: mrzReport(mrz.TD3, 51),
			Issues: issuesOf(document.IssueBlurred, document.IssueMRZUnclear)}, front,
			verdict{false, "lowSharpness", "blurred", []string{"blurred", "mrz_unclear"}, idv.DocumentPassport, false}},
		{"glare on the zone", document.Report{Type: document.TypeUnknown, Issues: issuesOf(document.IssueGlareOnMRZ)}, front,
			verdict{false, "glareDetected", "glare_on_mrz", []string{"glare_on_mrz"}, idv.DocumentUnknown, true}},
		{"a screen", document.Report{Type: document.TypeTD3, MRZ: mrzReport(mrz.TD3, 51), Issues: issuesOf(document.IssueScreenRecapture)}, front,
			verdict{false, "classificationFailed", "screen_recapture", []string{"screen_recapture"}, idv.DocumentPassport, false}},
		{"no document", document.Report{Type: document.TypeUnknown, Issues: issuesOf(document.IssueNoDocument)}, front,
			verdict{false, "classificationFailed", "no_document", []string{"no_document"}, idv.DocumentUnknown, true}},
		{"expired", document.Report{Type: document.TypeTD3, MRZ: mrzReport(mrz.TD3, 51, mrz.ProblemExpired)}, front,
			verdict{false, "classificationFailed", CodeExpired, []string{CodeExpired}, idv.DocumentPassport, false}},
		{"unknown issuing state", document.Report{Type: document.TypeTD3, MRZ: mrzReport(mrz.TD3, 51, mrz.ProblemIssuingState)}, front,
			verdict{false, "classificationFailed", CodeUnknownState, []string{CodeUnknownState}, idv.DocumentPassport, false}},
		{"malformed field", document.Report{Type: document.TypeTD3, MRZ: mrzReport(mrz.TD3, 51, mrz.ProblemSex)}, front,
			verdict{false, "classificationFailed", CodeMRZFieldsInvalid, []string{CodeMRZFieldsInvalid}, idv.DocumentPassport, false}},
		{"under the level's age", document.Report{Type: document.TypeTD3, MRZ: mrzReport(mrz.TD3, 17)}, adult,
			verdict{false, "classificationFailed", CodeUnderAge, []string{CodeUnderAge}, idv.DocumentPassport, false}},
		{"of age", document.Report{Type: document.TypeTD3, MRZ: mrzReport(mrz.TD3, 18)}, adult,
			verdict{true, "", "", []string{}, idv.DocumentPassport, false}},
		{"unknown age fails a minimum", document.Report{Type: document.TypeTD3, MRZ: mrzReport(mrz.TD3, -1)}, adult,
			verdict{false, "classificationFailed", CodeUnderAge, []string{CodeUnderAge}, idv.DocumentPassport, false}},
		{"a visa proves no identity", document.Report{Type: document.TypeMRVA, MRZ: mrzReport(mrz.MRVA, 51)}, front,
			verdict{false, "classificationFailed", CodeNotIdentityDocument, []string{CodeNotIdentityDocument}, idv.DocumentUnknown, false}},
		{"zone in doubt without an issue", document.Report{Type: document.TypeTD3, MRZ: func() *document.MRZReport {
			m := mrzReport(mrz.TD3, 51)
			m.Accepted = false
			return m
		}()}, front,
			verdict{false, "classificationFailed", "mrz_unclear", []string{"mrz_unclear"}, idv.DocumentPassport, false}},
		{"failed check digits are not judged further", document.Report{Type: document.TypeTD3, MRZ: func() *document.MRZReport {
			m := mrzReport(mrz.TD3, 51, mrz.ProblemCheckDigit, mrz.ProblemExpired)
			m.ChecksValid = false
			return m
		}(), Issues: issuesOf(document.IssueMRZInvalid)}, front,
			verdict{false, "classificationFailed", "mrz_check_failed", []string{"mrz_check_failed"}, idv.DocumentPassport, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rep.Issues == nil {
				tt.rep.Issues = []document.Issue{}
			}
			r, err := readingOf(&tt.rep, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			got := verdict{r.Accepted, r.Reason, r.Code, r.Codes, r.DocumentType, r.NeedsBack}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("verdict (-want +got):\n%s", diff)
			}
			if (r.Fields != nil) != (tt.rep.MRZ != nil) {
				t.Errorf("fields %v with zone %v", r.Fields, tt.rep.MRZ)
			}
		})
	}
}
