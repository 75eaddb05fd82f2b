package idv

// Screen is what the applicant's client shows next (`screen.show`). The
// names are a public contract (docs/contracts.md, Session order).
type Screen string

// The screens.
const (
	ScreenConsent         Screen = "consent_screen"
	ScreenIDDocumentFront Screen = "scan_id_document_front_screen"
	ScreenIDDocumentBack  Screen = "scan_id_document_back_screen"
	ScreenLiveness        Screen = "liveness_screen"
	ScreenProofOfAddress  Screen = "proof_of_address_screen"
	ScreenProofOfFunds    Screen = "proof_of_funds_screen"
	ScreenPhoneStart      Screen = "phone_verification_start_screen"
	ScreenEmailStart      Screen = "email_verification_start_screen"
	ScreenNFCCapture      Screen = "nfc_capture_screen"
	ScreenVideoCall       Screen = "video_call_screen"
	ScreenCompleted       Screen = "completed_screen"
	ScreenCancel          Screen = "cancel_screen"
	ScreenSuccessful      Screen = "successful_screen"
	ScreenRejected        Screen = "rejected_screen"
)

// Terminal reports whether no further applicant action follows the screen.
func (s Screen) Terminal() bool {
	switch s {
	case ScreenCompleted, ScreenCancel, ScreenSuccessful, ScreenRejected:
		return true
	}
	return false
}
