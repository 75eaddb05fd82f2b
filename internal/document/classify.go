package document

import (
	"math"
	"slices"

	"github.com/openidv/openidv/internal/document/mrz"
	"github.com/openidv/openidv/internal/document/mrzocr"
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
		switch {
		case !res.ChecksValid:
			issues = append(issues, IssueFor(IssueMRZInvalid))
		case readingInDoubt(res):
			issues = append(issues, IssueFor(IssueMRZUnclear))
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

// readingInDoubt reports whether the reader doubts characters that the
// check digits, all passing, do not protect: another photo may read them.
// A zone that is only invalid as a document (expired, an unknown state
// code) is not in doubt: a retake would not change it.
func readingInDoubt(res *mrz.Result) bool {
	return slices.ContainsFunc(res.Problems, func(p string) bool {
		return p == mrzocr.ProblemLowConfidence || p == mrzocr.ProblemLowContrast || p == mrzocr.ProblemTruncated
	})
}
