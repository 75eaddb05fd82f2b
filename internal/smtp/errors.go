package smtp

import (
	"errors"
	"fmt"
	"net/textproto"

	gomail "github.com/wneessen/go-mail"

	"github.com/openidv/openidv/internal/idv"
)

// The stages at which a send can fail.
const (
	StageConnect   = "connect"   // dial, greeting, EHLO, STARTTLS
	StageAuth      = "auth"      // SMTP AUTH refused
	StageSender    = "sender"    // MAIL FROM refused
	StageRecipient = "recipient" // RCPT TO refused
	StageData      = "data"      // DATA refused or the transfer failed
	StageMessage   = "message"   // the message could not be built
)

// DeliveryError describes a failed send without the recipient or the
// relay's free text (which often repeats the address).
type DeliveryError struct {
	Stage        string // one of the Stage constants
	SMTPCode     int    // the relay's reply code, 0 when there was none
	EnhancedCode string // e.g. "5.1.1", "" when there was none
	Temporary    bool   // a 4xx reply or a network failure: worth retrying
}

// Error implements error.
func (e *DeliveryError) Error() string {
	s := "smtp: " + e.Stage + " failed"
	if e.SMTPCode != 0 {
		s += fmt.Sprintf(": %d", e.SMTPCode)
	}
	if e.EnhancedCode != "" {
		s += " " + e.EnhancedCode
	}
	if e.Temporary {
		s += " (temporary)"
	}
	return s
}

// toIDV wraps e in the *idv.Error a caller sees.
func (e *DeliveryError) toIDV() *idv.Error {
	if e.Stage == StageRecipient && !e.Temporary {
		return invalidRecipient(e)
	}
	return &idv.Error{Code: idv.CodeInternal, Message: "the email could not be sent", Err: e}
}

// invalidRecipient is the error for an address the relay or go-mail refuses.
func invalidRecipient(cause error) *idv.Error {
	const msg = "the mail server refused this email address"
	return &idv.Error{
		Code:    idv.CodeInvalid,
		Message: msg,
		Fields:  []idv.FieldError{{Name: "email_address", Message: msg}},
		Err:     cause,
	}
}

// classify turns a go-mail error into a DeliveryError.
func classify(err error) *DeliveryError {
	de := &DeliveryError{Stage: StageConnect, Temporary: true}
	var se *gomail.SendError
	if errors.As(err, &se) {
		de.SMTPCode, de.EnhancedCode = se.ErrorCode(), se.EnhancedStatusCode()
		de.Temporary = se.IsTemp()
		switch se.Reason {
		case gomail.ErrSMTPMailFrom, gomail.ErrGetSender:
			de.Stage = StageSender
		case gomail.ErrSMTPRcptTo, gomail.ErrGetRcpts:
			de.Stage = StageRecipient
		case gomail.ErrSMTPData, gomail.ErrSMTPDataClose, gomail.ErrWriteContent, gomail.ErrNoUnencoded:
			de.Stage = StageData
		}
		if de.SMTPCode >= 500 {
			de.Temporary = false
		}
		return de
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		de.SMTPCode = tp.Code
		de.Temporary = tp.Code < 500
		if tp.Code == 530 || tp.Code == 534 || tp.Code == 535 || tp.Code == 454 {
			de.Stage = StageAuth
		}
	}
	return de
}
