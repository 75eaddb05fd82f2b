package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
)

// createSessionRequest is the body of POST /v1/sessions.
type createSessionRequest struct {
	KYCLevel     string `json:"kyc_level"`
	UniqueID     string `json:"unique_id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	EmailAddress string `json:"email_address"`
	PhoneNumber  string `json:"phone_number"`
	PhoneCountry string `json:"phone_country"`
	I18n         string `json:"i18n"`
	VendorData   string `json:"vendor_data"`
	ReturnURL    string `json:"return_url"`
	GenerateQR   bool   `json:"generate_qr"`
}

// decodeCreateSession decodes POST /v1/sessions; empty strings are absent.
func decodeCreateSession(b []byte) (app.NewSession, error) {
	var req createSessionRequest
	if err := decodeStrict(b, &req); err != nil {
		return app.NewSession{}, err
	}
	if req.KYCLevel == "" {
		return app.NewSession{}, fieldError("kyc_level", "is required: the name of a configured level")
	}
	return app.NewSession{
		KYCLevel: req.KYCLevel,
		Applicant: idv.Applicant{
			UniqueID: req.UniqueID, FirstName: req.FirstName, LastName: req.LastName,
			EmailAddress: req.EmailAddress, PhoneNumber: req.PhoneNumber,
			PhoneCountry: req.PhoneCountry, VendorData: req.VendorData,
		},
		Locale:     req.I18n,
		ReturnURL:  req.ReturnURL,
		GenerateQR: req.GenerateQR,
	}, nil
}

// updateSessionRequest is the body of POST /v1/sessions/{id}.
type updateSessionRequest struct {
	FirstName    *string `json:"first_name"`
	LastName     *string `json:"last_name"`
	EmailAddress *string `json:"email_address"`
	PhoneNumber  *string `json:"phone_number"`
	PhoneCountry *string `json:"phone_country"`
	VendorData   *string `json:"vendor_data"`
	I18n         *string `json:"i18n"`
	ReturnURL    *string `json:"return_url"`
	KYCLevel     *string `json:"kyc_level"`
}

// decodeUpdateSession decodes POST /v1/sessions/{id}; absent, null and
// empty fields are left unchanged.
func decodeUpdateSession(b []byte) (app.SessionUpdate, error) {
	var req updateSessionRequest
	if err := decodeStrict(b, &req); err != nil {
		return app.SessionUpdate{}, err
	}
	if present(req.KYCLevel) != nil {
		return app.SessionUpdate{}, fieldError("kyc_level", "cannot be changed; cancel the session and create a new one")
	}
	return app.SessionUpdate{
		FirstName: present(req.FirstName), LastName: present(req.LastName),
		EmailAddress: present(req.EmailAddress), PhoneNumber: present(req.PhoneNumber),
		PhoneCountry: present(req.PhoneCountry), VendorData: present(req.VendorData),
		Locale: present(req.I18n), ReturnURL: present(req.ReturnURL),
	}, nil
}

// present maps "" to absent.
func present(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

// decodeConsent decodes PATCH .../consent: {"consent": true|false}.
func decodeConsent(b []byte) (bool, error) {
	var req struct {
		Consent *bool `json:"consent"`
	}
	if err := decodeStrict(b, &req); err != nil {
		return false, err
	}
	if req.Consent == nil {
		return false, fieldError("consent", "is required: true or false")
	}
	return *req.Consent, nil
}

// decodePhoneStart decodes POST .../phone_verification: {"phone_number"}.
func decodePhoneStart(b []byte) (string, error) {
	var req struct {
		PhoneNumber *string `json:"phone_number"`
	}
	if err := decodeStrict(b, &req); err != nil {
		return "", err
	}
	return required(req.PhoneNumber, "phone_number")
}

// decodeEmailStart decodes POST .../email_verification: {"email_address"}.
func decodeEmailStart(b []byte) (string, error) {
	var req struct {
		EmailAddress *string `json:"email_address"`
	}
	if err := decodeStrict(b, &req); err != nil {
		return "", err
	}
	return required(req.EmailAddress, "email_address")
}

// decodeCode decodes PATCH .../phone_verification and
// .../email_verification: {"code"}.
func decodeCode(b []byte) (string, error) {
	var req struct {
		Code *string `json:"code"`
	}
	if err := decodeStrict(b, &req); err != nil {
		return "", err
	}
	return required(req.Code, "code")
}

func required(v *string, field string) (string, error) {
	if v == nil || *v == "" {
		return "", fieldError(field, "is required")
	}
	return *v, nil
}

// eventRequest is one SDK event.
type eventRequest struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// decodeEvents decodes POST .../events: one event or an array of them.
// Whether a type is known is decided by the service.
func decodeEvents(b []byte) ([]app.SDKEvent, error) {
	var reqs []eventRequest
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		if err := decodeStrict(b, &reqs); err != nil {
			return nil, err
		}
	} else {
		var one eventRequest
		if err := decodeStrict(b, &one); err != nil {
			return nil, err
		}
		reqs = []eventRequest{one}
	}
	if len(reqs) == 0 {
		return nil, idv.Errorf(idv.CodeInvalid, "send at least one event")
	}
	if len(reqs) > app.MaxEventsPerCall {
		return nil, idv.Errorf(idv.CodeInvalid, "send at most %d events per request", app.MaxEventsPerCall)
	}
	out := make([]app.SDKEvent, len(reqs))
	for i, r := range reqs {
		name := fmt.Sprintf("events[%d]", i)
		if len(reqs) == 1 {
			name = ""
		}
		if r.Type == "" {
			return nil, fieldError(join(name, "type"), "is required")
		}
		p := bytes.TrimSpace(r.Payload)
		switch {
		case len(p) == 0 || string(p) == "null":
			p = []byte("{}")
		case p[0] != '{':
			return nil, fieldError(join(name, "payload"), "must be a JSON object")
		}
		out[i] = app.SDKEvent{Type: r.Type, Payload: json.RawMessage(p)}
	}
	return out, nil
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}
