package idv

import (
	"errors"
	"fmt"
)

// Code classifies an error. The HTTP layer maps each code to one status in
// one place; the code string is the `error.type` of the JSON envelope.
type Code string

// The error codes.
const (
	CodeInvalid              Code = "invalid_request"
	CodeUnauthorized         Code = "unauthorized"
	CodeForbidden            Code = "forbidden"
	CodeNotFound             Code = "not_found"
	CodeConflict             Code = "conflict"
	CodeGone                 Code = "gone"
	CodePayloadTooLarge      Code = "payload_too_large"
	CodeUnsupportedMediaType Code = "unsupported_media_type"
	CodeRateLimited          Code = "rate_limited"
	CodeUnprocessable        Code = "unprocessable" // e.g. an Idempotency-Key reused with another body
	CodeUnavailable          Code = "unavailable"   // a dependency (SMS, email provider) failed; try again later
	CodeInternal             Code = "internal"
)

// FieldError names one invalid input field.
type FieldError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// Error is a domain error: a code, a message safe to show to the caller,
// optional field errors, and the wrapped cause (never shown).
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, CodeInternal when err is not an *Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrNotFound is returned by stores when a row does not exist.
var ErrNotFound = &Error{Code: CodeNotFound, Message: "not found"}
