package idv

// AuthenticationResult is the data of the authentication.completed
// webhook and the answer of POST /v1/authentications: exactly the shape of
// the client contract (docs/contracts.md, 1:1 authentication result). Absent
// fields are omitted, as in the seed's failure examples; a mask or lenses
// fail the attempt without error fields.
type AuthenticationResult struct {
	CustomerID            string                  `json:"customerId"`
	Token                 *string                 `json:"token,omitempty"`
	InterviewID           *string                 `json:"interviewId,omitempty"`
	InterviewToken        *string                 `json:"interviewToken,omitempty"`
	TransactionID         *string                 `json:"transactionId,omitempty"`
	FaceMatch             bool                    `json:"faceMatch"`
	SpoofAttempt          *bool                   `json:"spoofAttempt,omitempty"`
	SecondFactor          *bool                   `json:"secondFactor,omitempty"`
	Children              *[]string               `json:"children,omitempty"`
	HasFaceMask           *bool                   `json:"hasFaceMask,omitempty"`
	HasLenses             *bool                   `json:"hasLenses,omitempty"`
	SpoofConfidence       *float64                `json:"spoofConfidence,omitempty"`
	RecognitionConfidence RecognitionConfidence   `json:"recognitionConfidence"`
	OverallScore          float64                 `json:"overallScore"`
	OverallStatus         AuthenticationStatus    `json:"overallStatus"`
	Error                 string                  `json:"error,omitempty"`
	ErrorCode             AuthenticationErrorCode `json:"errorCode,omitempty"`
	ErrorMessage          string                  `json:"errorMessage,omitempty"`
}

// RecognitionConfidence is the face match score; empty ({}) on errors.
type RecognitionConfidence struct {
	Confidence *float64  `json:"confidence,omitempty"`
	Candidates *[]string `json:"candidates,omitempty"`
}

// AuthenticationStatus is PASS or FAIL.
type AuthenticationStatus string

// The authentication statuses.
const (
	AuthenticationPass AuthenticationStatus = "PASS"
	AuthenticationFail AuthenticationStatus = "FAIL"
)

// AuthenticationErrorCode is the seed's numeric error code.
type AuthenticationErrorCode int

// The authentication error codes of the seed.
const (
	AuthUserBlacklisted   AuthenticationErrorCode = 4003
	AuthCustomerNotFound  AuthenticationErrorCode = 4004
	AuthSpoofAttempt      AuthenticationErrorCode = 4005
	AuthUserNotRecognized AuthenticationErrorCode = 4015
)
