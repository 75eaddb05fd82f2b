package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// statusFor is the one table from error codes to HTTP statuses.
func statusFor(code idv.Code) int {
	switch code {
	case idv.CodeInvalid:
		return http.StatusBadRequest
	case idv.CodeUnauthorized:
		return http.StatusUnauthorized
	case idv.CodeForbidden:
		return http.StatusForbidden
	case idv.CodeNotFound:
		return http.StatusNotFound
	case idv.CodeConflict:
		return http.StatusConflict
	case idv.CodeGone:
		return http.StatusGone
	case idv.CodePayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case idv.CodeUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case idv.CodeUnprocessable:
		return http.StatusUnprocessableEntity
	case idv.CodeRateLimited:
		return http.StatusTooManyRequests
	case idv.CodeUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorEnvelope is the JSON body of every error answer.
type errorEnvelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Type      idv.Code         `json:"type"`
	Message   string           `json:"message"`
	Fields    []idv.FieldError `json:"fields,omitempty"`
	RequestID string           `json:"request_id"`
}

// retryAfterError is satisfied by errors that tell when to try again.
type retryAfterError interface {
	error
	RetryAfter() time.Duration
}

// errRetryAfter is a rate-limited error with its wait.
type errRetryAfter struct {
	err   *idv.Error
	after time.Duration
}

func (e errRetryAfter) Error() string             { return e.err.Error() }
func (e errRetryAfter) Unwrap() error             { return e.err }
func (e errRetryAfter) RetryAfter() time.Duration { return e.after }

// encodeError turns err into a status and envelope. Internal errors get a
// generic message; their cause is returned for logging.
func encodeError(err error, requestID string) (status int, body []byte, retry time.Duration) {
	var de *idv.Error
	eb := errorBody{Type: idv.CodeInternal, Message: "internal error", RequestID: requestID}
	if errors.As(err, &de) && de.Code != idv.CodeInternal && de.Code != "" {
		eb.Type, eb.Message, eb.Fields = de.Code, de.Message, de.Fields
		if eb.Message == "" {
			eb.Message = string(de.Code)
		}
	}
	if ra, ok := errors.AsType[retryAfterError](err); ok {
		retry = ra.RetryAfter()
		if eb.Type == idv.CodeInternal {
			eb.Type, eb.Message = idv.CodeRateLimited, "too many requests"
		}
	}
	status = statusFor(eb.Type)
	if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && retry <= 0 {
		retry = time.Second
	}
	body, _ = json.Marshal(errorEnvelope{Error: eb})
	return status, append(body, '\n'), retry
}

// writeError answers err as the JSON envelope, logging internal errors
// with the request id (the cause never reaches the client).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	st := stateOf(r)
	status, body, retry := encodeError(err, st.requestID)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "internal error",
			slog.String("request_id", st.requestID), slog.String("route", routeOf(r)),
			slog.String("error", err.Error()))
	}
	writeErrorBody(w, status, body, retry)
}

func writeErrorBody(w http.ResponseWriter, status int, body []byte, retry time.Duration) {
	h := w.Header()
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="openidv"`)
	}
	if retry > 0 {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
	}
	writeJSONBytes(w, status, body)
}

func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json; charset=utf-8"}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// fieldError is an invalid_request naming one field.
func fieldError(name, message string) *idv.Error {
	return &idv.Error{Code: idv.CodeInvalid, Message: name + ": " + message,
		Fields: []idv.FieldError{{Name: name, Message: message}}}
}
