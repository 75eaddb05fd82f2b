package document

import (
	"github.com/openidv/openidv/internal/document/mrz"
	"github.com/openidv/openidv/internal/document/mrzocr"
)

// MRZReport is the machine-readable zone as read and parsed.
type MRZReport struct {
	Lines []string `json:"lines"`
	// Valid: every check digit and field passed; ChecksValid: every check
	// digit passed. Accepted: Valid, and no blur or MRZ-glare issue puts
	// the unprotected characters (names) in doubt; only an accepted zone
	// should be used.
	Valid       bool            `json:"valid"`
	Accepted    bool            `json:"accepted"`
	ChecksValid bool            `json:"checks_valid"`
	Format      mrz.Format      `json:"format"`
	Fields      MRZFields       `json:"fields"`
	Checks      map[string]bool `json:"checks"`
	Expired     bool            `json:"expired"`
	Age         int             `json:"age"`
	Problems    []string        `json:"problems"`
	Angle       float64         `json:"angle"`
	Confidence  float32         `json:"min_confidence"`
	Corrected   int             `json:"corrected"`
}

// MRZFields are the zone's fields (dates as YYYY-MM-DD).
type MRZFields struct {
	DocumentCode   string `json:"document_code"`
	DocumentNumber string `json:"document_number"`
	Surname        string `json:"surname"`
	GivenNames     string `json:"given_names"`
	Nationality    string `json:"nationality"`
	IssuingState   string `json:"issuing_state"`
	BirthDate      string `json:"birth_date"`
	ExpiryDate     string `json:"expiry_date"`
	Sex            string `json:"sex"`
	OptionalData   string `json:"optional_data"`
	OptionalData2  string `json:"optional_data_2,omitempty"`
}

func newMRZReport(r *mrzocr.Reading) *MRZReport {
	res := r.Result
	out := &MRZReport{
		Lines: r.Lines, Valid: res.Valid, ChecksValid: res.ChecksValid, Format: res.Format,
		Checks: map[string]bool{}, Expired: res.Expired, Age: res.Age, Problems: res.Problems,
		Angle: r.Angle, Confidence: r.MinConfidence(), Corrected: r.Corrected,
		Fields: MRZFields{
			DocumentCode: res.DocumentCode, DocumentNumber: res.DocumentNumber, Surname: res.Surname,
			GivenNames: res.GivenNames, Nationality: res.Nationality, IssuingState: res.IssuingState,
			BirthDate: res.BirthDate.String(), ExpiryDate: res.ExpiryDate.String(), Sex: res.Sex,
			OptionalData: res.OptionalData, OptionalData2: res.OptionalData2,
		},
	}
	if out.Problems == nil {
		out.Problems = []string{}
	}
	for _, c := range res.Checks {
		out.Checks[c.Name] = c.OK
	}
	return out
}
