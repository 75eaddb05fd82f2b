package document

import (
	"slices"
	"testing"

	"github.com/openidv/openidv/internal/document/mrz"
	"github.com/openidv/openidv/internal/document/mrzocr"
)

// TestClassifyMRZIssues checks which readings of a zone ask for a retake:
// failing check digits and a reading in doubt do; a zone that is only
// invalid as a document (expired, an unknown state) does not.
func TestClassifyMRZIssues(t *testing.T) {
	det := Detection{Found: true, Content: 0.5}
	for _, tc := range []struct {
		name     string
		checksOK bool
		problems []string
		want     []IssueCode
	}{
		{"clean", true, nil, nil},
		{"check digits fail", false, []string{mrz.ProblemCheckDigit}, []IssueCode{IssueMRZInvalid}},
		{"low confidence", true, []string{mrzocr.ProblemLowConfidence}, []IssueCode{IssueMRZUnclear}},
		{"low contrast", true, []string{mrzocr.ProblemLowContrast}, []IssueCode{IssueMRZUnclear}},
		{"truncated", true, []string{mrzocr.ProblemTruncated}, []IssueCode{IssueMRZUnclear}},
		{"expired only", true, []string{mrz.ProblemExpired}, nil},
		{"unknown state only", true, []string{mrz.ProblemIssuingState}, nil},
		{"both", false, []string{mrz.ProblemCheckDigit, mrzocr.ProblemLowConfidence}, []IssueCode{IssueMRZInvalid}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := &mrz.Result{Format: mrz.TD3, ChecksValid: tc.checksOK, Problems: tc.problems}
			typ, issues := classify(res, det)
			if typ != TypeTD3 {
				t.Errorf("type = %s, want td3", typ)
			}
			var got []IssueCode
			for _, is := range issues {
				got = append(got, is.Code)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("issues = %v, want %v", got, tc.want)
			}
		})
	}
}
