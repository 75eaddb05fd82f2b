package check

import (
	"slices"

	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/document/mrz"
	"github.com/openidv/openidv/internal/idv"
)

// typeOf names the document a report describes and whether its other side
// is needed: a passport (TD3) never; a TD1 card, whose zone is on the back,
// and a card with no zone on this side (a TD1 front, a driving licence)
// when this is the front. A TD2 card carries its zone and portrait on one
// side. Visas and unrecognised documents are unknown.
func typeOf(rep *document.Report, side idv.DocumentSide) (idv.DocumentType, bool) {
	front := side != idv.DocumentBack
	switch rep.Type {
	case document.TypeTD3:
		return idv.DocumentPassport, false
	case document.TypeTD1:
		return idv.DocumentIDCard, front
	case document.TypeTD2:
		return idv.DocumentIDCard, false
	case document.TypeMRVA, document.TypeMRVB:
		return idv.DocumentUnknown, false
	}
	return idv.DocumentUnknown, front
}

// fieldProblems are the zone problems that make a field malformed, beyond
// the check digits (which the engine reports itself).
var fieldProblems = []string{
	mrz.ProblemDocumentCode, mrz.ProblemNationality, mrz.ProblemBirthDate, mrz.ProblemExpiryDate,
	mrz.ProblemSex, mrz.ProblemNames, mrz.ProblemNamesMalformed, mrz.ProblemDocumentNumber,
	mrz.ProblemFieldCharacters,
}

// validityCodes are the checks of the document read from one image, in
// order: a visa, an unknown issuing state, a malformed field, expiry
// against req.Now, and the holder's age against req.MinAge. They are only
// judged on a zone whose check digits all pass (otherwise the engine has
// already refused the reading).
func validityCodes(rep *document.Report, req idv.DocumentRequest) []string {
	m := rep.MRZ
	if m == nil || !m.ChecksValid {
		return nil
	}
	var out []string
	if rep.Type == document.TypeMRVA || rep.Type == document.TypeMRVB {
		out = append(out, CodeNotIdentityDocument)
	}
	if slices.Contains(m.Problems, mrz.ProblemIssuingState) {
		out = append(out, CodeUnknownState)
	}
	if slices.ContainsFunc(m.Problems, func(p string) bool { return slices.Contains(fieldProblems, p) }) {
		out = append(out, CodeMRZFieldsInvalid)
	}
	if m.Expired {
		out = append(out, CodeExpired)
	}
	if req.MinAge > 0 && (m.Age < 0 || m.Age < req.MinAge) {
		out = append(out, CodeUnderAge)
	}
	return out
}
