package otp

import (
	"fmt"

	"github.com/openidv/openidv/internal/idv"
)

// PhoneMessage returns the SMS that carries code to the E.164 number to.
// It is short (one GSM-7 segment) and states the validity.
func PhoneMessage(to, code string) idv.Message {
	return idv.Message{
		To: to,
		Body: fmt.Sprintf("Your verification code is %s. It expires in %d minutes. Do not share it.",
			code, int(SMSValidity.Minutes())),
	}
}

// EmailMessage returns the email that carries code to the address to.
func EmailMessage(to, code string) idv.Message {
	return idv.Message{
		To:      to,
		Subject: "Your verification code",
		Body: fmt.Sprintf("Your verification code is %s.\n\n"+
			"It expires in %d minutes. Enter it on the verification page.\n"+
			"Do not share it with anyone. If you did not ask for this code, ignore this email.\n",
			code, int(EmailValidity.Minutes())),
	}
}
