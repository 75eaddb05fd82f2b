package sms

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/openidv/openidv/internal/idv"
)

// TwilioError describes a failed API call by its numbers only: Twilio's
// message text often repeats the phone number, so it is never kept.
type TwilioError struct {
	Status    int  // HTTP status, 0 when no response arrived
	Code      int  // Twilio error code (e.g. 21211), 0 when absent
	Temporary bool // worth retrying later: network failure, 429 or 5xx
	Timeout   bool // the call ran out of time
}

// Error implements error.
func (e *TwilioError) Error() string {
	switch {
	case e.Timeout:
		return "sms: twilio call timed out"
	case e.Status == 0:
		return "sms: twilio call failed before a response"
	case e.Code != 0:
		return fmt.Sprintf("sms: twilio answered %d with error %d (https://www.twilio.com/docs/errors/%d)", e.Status, e.Code, e.Code)
	}
	return fmt.Sprintf("sms: twilio answered %d", e.Status)
}

// isNumberCode reports whether a Twilio error code means that this number
// cannot get the message: invalid To (21211), not a mobile number (21614),
// unreachable (21612), region not enabled (21408), unsubscribed (21610).
func isNumberCode(code int) bool {
	switch code {
	case 21211, 21614, 21612, 21408, 21610:
		return true
	}
	return false
}

// toIDV wraps e in the *idv.Error a caller sees.
func (e *TwilioError) toIDV() *idv.Error {
	switch {
	case isNumberCode(e.Code):
		return invalidNumber(e)
	case e.Status == http.StatusTooManyRequests || e.Code == 20429:
		return &idv.Error{Code: idv.CodeRateLimited, Message: "too many text messages; try again later", Err: e}
	}
	return &idv.Error{Code: idv.CodeInternal, Message: "the text message could not be sent", Err: e}
}

// invalidNumber is the error for a number that cannot receive a text.
func invalidNumber(cause error) *idv.Error {
	const msg = "this phone number cannot receive text messages"
	return &idv.Error{
		Code:    idv.CodeInvalid,
		Message: msg,
		Fields:  []idv.FieldError{{Name: "phone_number", Message: msg}},
		Err:     cause,
	}
}

// parseError reads Twilio's error body: {"code": 21211, "message": "…",
// "more_info": "…", "status": 400}.
func parseError(status int, body []byte) *TwilioError {
	var payload struct {
		Code int `json:"code"`
	}
	_ = json.Unmarshal(body, &payload)
	return &TwilioError{
		Status:    status,
		Code:      payload.Code,
		Temporary: status == http.StatusTooManyRequests || status >= 500,
	}
}
