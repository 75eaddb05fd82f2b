package document

import (
	"math"

	"github.com/openidv/openidv/internal/document/mrz"
)

// Type is the class of a document.
type Type string

// The document types.
const (
	TypeTD1       Type = "td1"
	TypeTD2       Type = "td2"
	TypeTD3       Type = "td3"
	TypeMRVA      Type = "mrv_a"
	TypeMRVB      Type = "mrv_b"
	TypeCardNoMRZ Type = "card_no_mrz"
	TypeUnknown   Type = "unknown"
)

// minContent is the edge share below which a document counts as blank.
const minContent = 0.02

// classify decides the type from the MRZ reading (nil: none found) and the
// detection, and returns the issues that go with it.
func classify(res *mrz.Result, det Detection) (Type, []Issue) {
	var issues []Issue
	if det.Others > 0 {
		issues = append(issues, IssueFor(IssueMultipleDocuments))
	}
	if res != nil {
		t := Type(res.Format)
		if !res.ChecksValid {
			issues = append(issues, IssueFor(IssueMRZInvalid))
		}
		return t, issues
	}
	w, h := det.Quad.Sides()
	switch {
	case !det.Found:
		return TypeUnknown, append(issues, IssueFor(IssueNoDocument))
	case det.Content < minContent:
		return TypeUnknown, append(issues, IssueFor(IssueBlankDocument))
	case h > 0 && math.Abs(w/h-ID1.Aspect())/ID1.Aspect() < 0.1:
		return TypeCardNoMRZ, issues
	}
	return TypeUnknown, append(issues, IssueFor(IssueUnknownDocument))
}
