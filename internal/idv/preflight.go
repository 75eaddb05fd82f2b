package idv

// Preflight is the payload of `GET /v1/sessions/{id}/preflight` and of
// every websocket push (docs/contracts.md). Field names are a public contract.
type Preflight struct {
	SessionID            string            `json:"session_id"`
	Status               SessionStatus     `json:"status"`
	EntityIDState        *string           `json:"entity_id_state"`
	EntityIDDocumentType *string           `json:"entity_id_document_type"`
	Requirement          *Requirement      `json:"requirement"`
	Screen               ScreenView        `json:"screen"`
	Attempts             *Attempts         `json:"attempts"`
	LastError            *StepError        `json:"last_error"`
	ProofOfAddress       *DocumentProgress `json:"proof_of_address,omitempty"`
	ProofOfFunds         *DocumentProgress `json:"proof_of_funds,omitempty"`
	WebSDKReturnURL      *string           `json:"web_sdk_return_url"`
}

// Requirement is the step the applicant is on.
type Requirement struct {
	RequirementType string     `json:"requirement_type"`
	Status          StepStatus `json:"status"`
	FlowOrder       int        `json:"flow_order"`
}

// ScreenView tells the client which screen to show and how.
type ScreenView struct {
	Show       Screen         `json:"show"`
	Parameters map[string]any `json:"parameters"`
}

// Attempts counts the tries used on the current step.
type Attempts struct {
	Used int `json:"used"`
	Max  int `json:"max"`
}

// DocumentProgress is the state of a proof of address or funds.
type DocumentProgress struct {
	Status  string  `json:"status"`
	Message *string `json:"message"`
}
