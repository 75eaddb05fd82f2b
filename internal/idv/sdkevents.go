package idv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// SDKFieldType is the JSON type of an SDK event payload field.
type SDKFieldType string

// The payload field types of the seed's tables.
const (
	SDKString  SDKFieldType = "string"
	SDKNumber  SDKFieldType = "number"
	SDKBoolean SDKFieldType = "boolean"
	SDKObject  SDKFieldType = "object"
)

// SDKField is one known field of an SDK event payload. Every field is
// optional (the seed's examples leave most of them out); a present field
// must have its type, or be null. Unknown extra fields are allowed.
type SDKField struct {
	Name string
	Type SDKFieldType
}

// SDKEventSpec is one SDK event type (docs/contracts.md, SDK events).
type SDKEventSpec struct {
	Type   string
	Fields []SDKField
}

// sdkMessage is the common payload {message: String}.
func sdkMessage() []SDKField { return []SDKField{{"message", SDKString}} }

// sdkResponse is the payload {response: Object, message: String}.
func sdkResponse() []SDKField { return []SDKField{{"response", SDKObject}, {"message", SDKString}} }

// SDKEventCatalogue returns every SDK event type of the seed, in the seed's
// order, with its payload fields. Names keep the seed's spelling, typos
// included (noAttemps, signal-connect, networkTest-failedTests).
//
// Seed quirks handled: attemptFailed's table says attemptNumber while its
// example sends attemp (both accepted, numbers); signal-connect's example
// sends success (boolean) while its table says message; conferenceClosed's
// example sends objects (sessionFinishedReason, dataConfirmation,
// captureChecks) while its table says message; networkTest-failedTests'
// example sends reason.
func SDKEventCatalogue() []SDKEventSpec {
	return []SDKEventSpec{
		{"IDNotDetected", sdkMessage()},
		{"nothingHappened", sdkMessage()},
		{"manualCaptureOn", nil},
		{"noAttemps", sdkResponse()},
		{"successCapture", []SDKField{{"response", SDKObject}}},
		{"attemptFailed", append(sdkResponse(), SDKField{"reason", SDKString},
			SDKField{"attemptNumber", SDKNumber}, SDKField{"attemp", SDKNumber})},
		{"selfieTimeout", sdkMessage()},
		{"faceNotDetected", sdkMessage()},
		{"multipleFacesDetected", sdkMessage()},
		{"cropTooSmall", sdkMessage()},
		{"imageNotPortrait", sdkMessage()},
		{"InternalServerError", sdkMessage()},
		{"skip", []SDKField{{"existingUser", SDKBoolean}, {"liveness", SDKNumber},
			{"faceMatch", SDKBoolean}, {"imageBase64", SDKString}}},
		{"spoofAttempt", sdkResponse()},
		{"success", sdkResponse()},
		{"tooFar", sdkMessage()},
		{"dontMove", sdkMessage()},
		{"permissionDenied", sdkMessage()},
		{"OSVersionNotSupported", sdkMessage()},
		{"browserNotSupported", sdkMessage()},
		{"otpSuccess", sdkMessage()},
		{"otpFailure", sdkMessage()},
		{"conferenceSuccess", sdkMessage()},
		{"conferenceClosed", append(sdkMessage(), SDKField{"sessionFinishedReason", SDKObject},
			SDKField{"dataConfirmation", SDKObject}, SDKField{"captureChecks", SDKObject})},
		{"conferenceFailed", sdkMessage()},
		{"clientDisconnected", sdkMessage()},
		{"clientClickedDisconnect", sdkMessage()},
		{"conferenceSignalFailed", sdkMessage()},
		{"signal-connect", append(sdkMessage(), SDKField{"success", SDKBoolean})},
		{"clientClickedConnect", sdkMessage()},
		{"executiveDisconnected", sdkMessage()},
		{"networkTest-failedTests", append(sdkMessage(), SDKField{"reason", SDKString})},
		{"executiveReady", sdkMessage()},
		{"conferenceConnected", sdkMessage()},
		{"clientClickedDisconnectOnSupport", sdkMessage()},
	}
}

// SDKEventTypes returns the names of every SDK event type, in the seed's
// order.
func SDKEventTypes() []string {
	cat := SDKEventCatalogue()
	names := make([]string, len(cat))
	for i, e := range cat {
		names[i] = e.Type
	}
	return names
}

// sdkEventSpec finds the spec of eventType (exact, case-sensitive match).
func sdkEventSpec(eventType string) (SDKEventSpec, bool) {
	for _, e := range SDKEventCatalogue() {
		if e.Type == eventType {
			return e, true
		}
	}
	return SDKEventSpec{}, false
}

// ValidateSDKEvent checks an event reported by a client: eventType must be
// one of SDKEventTypes (exact spelling) and payload, when present, a JSON
// object whose known fields have their seed types (null counts as absent).
// An empty payload or JSON null counts as {}. The error is an *Error with
// CodeInvalid: for an unknown type its message lists the known types; for
// a bad payload its Fields name each wrong field as payload.<name>.
func ValidateSDKEvent(eventType string, payload json.RawMessage) error {
	spec, ok := sdkEventSpec(eventType)
	if !ok {
		known := SDKEventTypes()
		sort.Strings(known)
		return &Error{
			Code:    CodeInvalid,
			Message: fmt.Sprintf("Unknown event type %.64q. Known types: %s.", eventType, strings.Join(known, ", ")),
			Fields:  []FieldError{{Name: "type", Message: "unknown event type"}},
		}
	}
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return nil
	}
	if trimmed[0] != '{' {
		return &Error{Code: CodeInvalid, Message: "The event payload must be a JSON object.",
			Fields: []FieldError{{Name: "payload", Message: "must be a JSON object"}}}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &obj); err != nil {
		return &Error{Code: CodeInvalid, Message: "The event payload is not valid JSON.",
			Fields: []FieldError{{Name: "payload", Message: "invalid JSON"}}, Err: err}
	}
	var fields []FieldError
	for _, f := range spec.Fields {
		v, present := obj[f.Name]
		if !present || jsonTypeOf(v) == "null" || jsonTypeOf(v) == f.Type {
			continue
		}
		fields = append(fields, FieldError{Name: "payload." + f.Name, Message: "must be " + withArticle(f.Type)})
	}
	if len(fields) > 0 {
		return &Error{Code: CodeInvalid, Message: fmt.Sprintf("The payload of %s has fields of the wrong type.", eventType), Fields: fields}
	}
	return nil
}

// jsonTypeOf names the JSON type of a valid JSON value by its first byte.
func jsonTypeOf(v json.RawMessage) SDKFieldType {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "null"
	}
	switch c := v[0]; {
	case c == '"':
		return SDKString
	case c == '{':
		return SDKObject
	case c == '[':
		return "array"
	case c == 't' || c == 'f':
		return SDKBoolean
	case c == 'n':
		return "null"
	default:
		return SDKNumber
	}
}

// withArticle returns "a string", "an object", … for field error messages.
func withArticle(t SDKFieldType) string {
	if t == SDKObject {
		return "an " + string(t)
	}
	return "a " + string(t)
}
