package document

import "fmt"

// ReasonKey is one of the SDK's attemptFailed reasons (docs/contracts.md,
// SDK events; spelled exactly as there).
type ReasonKey string

// The attemptFailed reasons.
const (
	ReasonClassificationFailed ReasonKey = "classificationFailed"
	ReasonLowSharpness         ReasonKey = "lowSharpness"
	ReasonGlareDetected        ReasonKey = "glareDetected"
)

// IssueCode is the finer cause behind a reason.
type IssueCode string

// The issue codes, each mapped to a reason key by Issue.
const (
	IssueNoDocument        IssueCode = "no_document"
	IssueMultipleDocuments IssueCode = "multiple_documents"
	IssueBlankDocument     IssueCode = "blank_document"
	IssueUnknownDocument   IssueCode = "unknown_document"
	IssueMRZInvalid        IssueCode = "mrz_check_failed"
	IssueMRZUnclear        IssueCode = "mrz_unclear"
	IssueScreenRecapture   IssueCode = "screen_recapture"
	IssueBlurred           IssueCode = "blurred"
	IssueMRZBlurred        IssueCode = "mrz_blurred"
	IssueLowResolution     IssueCode = "low_resolution"
	IssueTooDark           IssueCode = "too_dark"
	IssueGlare             IssueCode = "glare"
	IssueGlareOnMRZ        IssueCode = "glare_on_mrz"
	IssueTooBright         IssueCode = "too_bright"
)

// Issue is one failed check: the SDK reason key, a finer code and the
// message shown to the user.
type Issue struct {
	Reason  ReasonKey `json:"reason"`
	Code    IssueCode `json:"code"`
	Message string    `json:"message"`
}

var issues = map[IssueCode]Issue{
	IssueNoDocument:        {ReasonClassificationFailed, IssueNoDocument, "No document found. Place the whole document inside the frame."},
	IssueMultipleDocuments: {ReasonClassificationFailed, IssueMultipleDocuments, "More than one document found. Show one document at a time."},
	IssueBlankDocument:     {ReasonClassificationFailed, IssueBlankDocument, "The document looks blank. Show the side with your details."},
	IssueUnknownDocument:   {ReasonClassificationFailed, IssueUnknownDocument, "This document could not be recognised. Show the page or side with the machine-readable zone."},
	IssueMRZInvalid:        {ReasonClassificationFailed, IssueMRZInvalid, "The machine-readable zone could not be read. Hold the document flat and steady."},
	IssueMRZUnclear:        {ReasonClassificationFailed, IssueMRZUnclear, "Some characters of the machine-readable zone could not be read with certainty. Hold the document flat, in even light, and fill the frame."},
	IssueScreenRecapture:   {ReasonClassificationFailed, IssueScreenRecapture, "This looks like a photo of a screen. Please photograph the document itself."},
	IssueBlurred:           {ReasonLowSharpness, IssueBlurred, "The picture is blurry. Hold the camera steady and let it focus."},
	IssueMRZBlurred:        {ReasonLowSharpness, IssueMRZBlurred, "The machine-readable zone is blurry. Hold the camera steady and let it focus."},
	IssueLowResolution:     {ReasonLowSharpness, IssueLowResolution, "The document is too small. Move the camera closer."},
	IssueTooDark:           {ReasonLowSharpness, IssueTooDark, "The picture is too dark. Move somewhere brighter."},
	IssueGlare:             {ReasonGlareDetected, IssueGlare, "Glare detected. Tilt the document away from the light."},
	IssueGlareOnMRZ:        {ReasonGlareDetected, IssueGlareOnMRZ, "Glare detected on the machine-readable zone. Tilt the document away from the light."},
	IssueTooBright:         {ReasonGlareDetected, IssueTooBright, "The picture is too bright. Avoid direct light on the document."},
}

// IssueFor returns the Issue of a code.
func IssueFor(c IssueCode) Issue {
	if is, ok := issues[c]; ok {
		return is
	}
	panic(fmt.Sprintf("document: unknown issue code %q", c))
}

// Check applies the gates to q and returns the failed ones.
func (c QualityConfig) Check(q Quality) []Issue {
	var out []Issue
	add := func(code IssueCode) { out = append(out, IssueFor(code)) }
	area := q.Width * q.Height
	switch {
	case q.Glare > c.MaxPaperWhite:
		// One white region over most of the document: paper, not glare.
	case q.Glare >= c.MaxGlare && q.Glare*area >= float64(c.MinGlarePixels):
		if q.GlareOnMRZ {
			add(IssueGlareOnMRZ)
		} else {
			add(IssueGlare)
		}
	}
	if q.Brightness < c.MinBrightness {
		add(IssueTooDark)
	} else if q.Brightness > c.MaxBrightness {
		add(IssueTooBright)
	}
	if c.MaxScreen > 0 && q.Screen > c.MaxScreen {
		add(IssueScreenRecapture)
	}
	if q.Width < c.MinWidth {
		add(IssueLowResolution)
	}
	if q.Sharpness < c.MinSharpness || q.Isotropy < c.MinIsotropy {
		add(IssueBlurred)
	} else if q.MRZSharpness > 0 && q.MRZSharpness < c.MinMRZSharpness {
		add(IssueMRZBlurred)
	}
	return out
}
