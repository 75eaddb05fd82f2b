package httpapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"rsc.io/qr"
)

// createSessionReply is the answer of POST /v1/sessions.
type createSessionReply struct {
	SessionID    string    `json:"session_id"`
	ClientToken  string    `json:"client_token"`
	URL          string    `json:"url"`
	WebsocketURL string    `json:"websocket_url"`
	QRBase64PNG  string    `json:"qr_base64_png,omitempty"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// sessionReply is the answer of GET and POST /v1/sessions/{id}.
type sessionReply struct {
	SessionID       string            `json:"session_id"`
	Status          idv.SessionStatus `json:"status"`
	KYCLevel        string            `json:"kyc_level"`
	LevelVersion    string            `json:"level_version"`
	Sandbox         bool              `json:"sandbox"`
	Steps           []stepReply       `json:"steps"`
	Applicant       *applicantReply   `json:"applicant,omitempty"`
	WebSDKReturnURL *string           `json:"web_sdk_return_url"`
	I18n            *string           `json:"i18n"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	ExpiresAt       time.Time         `json:"expires_at"`
}

// stepReply is one step; OTP internals are never shown.
type stepReply struct {
	Kind        idv.StepKind   `json:"kind"`
	Status      idv.StepStatus `json:"status"`
	FlowOrder   int            `json:"flow_order"`
	Attempts    int            `json:"attempts"`
	MaxAttempts int            `json:"max_attempts"`
	LastError   *idv.StepError `json:"last_error"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// applicantReply is the personal data shown to private keys only.
type applicantReply struct {
	UniqueID     string `json:"unique_id,omitempty"`
	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name,omitempty"`
	EmailAddress string `json:"email_address,omitempty"`
	PhoneNumber  string `json:"phone_number,omitempty"`
	PhoneCountry string `json:"phone_country,omitempty"`
	VendorData   string `json:"vendor_data,omitempty"`
}

func toSessionReply(v app.SessionView) sessionReply {
	out := sessionReply{
		SessionID: v.SessionID, Status: v.Status, KYCLevel: v.KYCLevel,
		LevelVersion: v.LevelVersion, Sandbox: v.Sandbox, Steps: []stepReply{},
		CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC(), ExpiresAt: v.ExpiresAt.UTC(),
	}
	if v.WebSDKReturnURL != "" {
		out.WebSDKReturnURL = &v.WebSDKReturnURL
	}
	if v.Locale != "" {
		out.I18n = &v.Locale
	}
	for _, st := range v.Steps {
		out.Steps = append(out.Steps, stepReply{
			Kind: st.Kind, Status: st.Status, FlowOrder: st.FlowOrder, Attempts: st.Attempts,
			MaxAttempts: st.MaxAttempts, LastError: st.LastError, UpdatedAt: st.UpdatedAt.UTC(),
		})
	}
	if a := v.Applicant; a != nil {
		out.Applicant = &applicantReply{
			UniqueID: a.UniqueID, FirstName: a.FirstName, LastName: a.LastName,
			EmailAddress: a.EmailAddress, PhoneNumber: a.PhoneNumber,
			PhoneCountry: a.PhoneCountry, VendorData: a.VendorData,
		}
	}
	return out
}

func (s *Server) createSession(ctx context.Context, c *call) (reply, error) {
	in, err := decodeCreateSession(c.body)
	if err != nil {
		return reply{}, err
	}
	base, err := s.baseURL(c.r)
	if err != nil {
		return reply{}, err
	}
	cs, err := s.svc.CreateSession(ctx, c.p, in)
	if err != nil {
		return reply{}, err
	}
	page, ws := sessionURLs(base, cs.SessionID, cs.ClientToken)
	out := createSessionReply{
		SessionID: cs.SessionID, ClientToken: cs.ClientToken, URL: page,
		WebsocketURL: ws, ExpiresAt: cs.ExpiresAt.UTC(),
	}
	if in.GenerateQR {
		if out.QRBase64PNG, err = qrBase64PNG(page); err != nil {
			return reply{}, err
		}
	}
	return reply{http.StatusCreated, out}, nil
}

// qrBase64PNG is the QR code of url as a base64 PNG.
func qrBase64PNG(url string) (string, error) {
	code, err := qr.Encode(url, qr.M)
	if err != nil {
		return "", err
	}
	code.Scale = 6
	return base64.StdEncoding.EncodeToString(code.PNG()), nil
}

// qrReply is the answer of GET /v1/sessions/{id}/qr.
type qrReply struct {
	URL         string `json:"url"`
	QRBase64PNG string `json:"qr_base64_png"`
}

// sessionQR answers the hosted page's desktop-to-phone hand-off: the QR
// code of the session's url. The url carries the client token, so only
// that token may ask for it.
func (s *Server) sessionQR(_ context.Context, c *call) (reply, error) {
	if c.p.Kind != app.PrincipalClientToken {
		return reply{}, idv.Errorf(idv.CodeForbidden, "the QR code carries the client token: ask with the session's client token")
	}
	base, err := s.baseURL(c.r)
	if err != nil {
		return reply{}, err
	}
	page, _ := sessionURLs(base, c.id, bearerFrom(c.r))
	png, err := qrBase64PNG(page)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, qrReply{URL: page, QRBase64PNG: png}}, nil
}

func (s *Server) showSession(ctx context.Context, c *call) (reply, error) {
	v, err := s.svc.Session(ctx, c.p, c.id)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toSessionReply(v)}, nil
}

func (s *Server) updateSession(ctx context.Context, c *call) (reply, error) {
	in, err := decodeUpdateSession(c.body)
	if err != nil {
		return reply{}, err
	}
	v, err := s.svc.UpdateSession(ctx, c.p, c.id, in)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, toSessionReply(v)}, nil
}

// deleteSession cancels the session, or erases it with ?erase=true.
func (s *Server) deleteSession(ctx context.Context, c *call) (reply, error) {
	var err error
	switch c.r.URL.Query().Get("erase") {
	case "", "false":
		err = s.svc.CancelSession(ctx, c.p, c.id)
	case "true":
		err = s.svc.EraseSession(ctx, c.p, c.id)
	default:
		err = fieldError("erase", "must be true or false")
	}
	if err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusNoContent}, nil
}

func (s *Server) consent(ctx context.Context, c *call) (reply, error) {
	accepted, err := decodeConsent(c.body)
	if err != nil {
		return reply{}, err
	}
	return preflightReply(s.svc.Consent(ctx, c.p, c.id, accepted))
}

// preflight answers the session's encoded preflight, which the service
// keeps per session version: no encoding on a repeated GET.
func (s *Server) preflight(ctx context.Context, c *call) (reply, error) {
	body, err := s.svc.PreflightJSON(ctx, c.p, c.id)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, rawJSON(body)}, nil
}

func preflightReply(pf idv.Preflight, err error) (reply, error) {
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, pf}, nil
}

func (s *Server) recordEvents(ctx context.Context, c *call) (reply, error) {
	evs, err := decodeEvents(c.body)
	if err != nil {
		return reply{}, err
	}
	if err := s.svc.RecordEvents(ctx, c.p, c.id, evs); err != nil {
		return reply{}, err
	}
	return reply{http.StatusCreated, map[string]int{"recorded": len(evs)}}, nil
}

// listEvents answers one page of the timeline (?limit=, ?cursor=),
// streamed event by event.
func (s *Server) listEvents(ctx context.Context, c *call) (reply, error) {
	limit, err := limitParam(c.r)
	if err != nil {
		return reply{}, err
	}
	page, err := s.svc.EventPage(ctx, c.p, c.id, app.EventQuery{Limit: limit, Cursor: c.r.URL.Query().Get("cursor")})
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusOK, eventsStream{page}}, nil
}

func (s *Server) startPhone(ctx context.Context, c *call) (reply, error) {
	v, err := decodePhoneStart(c.body)
	if err != nil {
		return reply{}, err
	}
	return preflightReply(s.svc.StartPhoneVerification(ctx, c.p, c.id, v))
}

func (s *Server) completePhone(ctx context.Context, c *call) (reply, error) {
	v, err := decodeCode(c.body)
	if err != nil {
		return reply{}, err
	}
	return preflightReply(s.svc.CompletePhoneVerification(ctx, c.p, c.id, v))
}

func (s *Server) startEmail(ctx context.Context, c *call) (reply, error) {
	v, err := decodeEmailStart(c.body)
	if err != nil {
		return reply{}, err
	}
	return preflightReply(s.svc.StartEmailVerification(ctx, c.p, c.id, v))
}

func (s *Server) completeEmail(ctx context.Context, c *call) (reply, error) {
	v, err := decodeCode(c.body)
	if err != nil {
		return reply{}, err
	}
	return preflightReply(s.svc.CompleteEmailVerification(ctx, c.p, c.id, v))
}
