package webhooksig

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The known-answer vector of the Standard Webhooks reference libraries
// (standard-webhooks/standard-webhooks, libraries/go/webhook_test.go).
const (
	katSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	katID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	katTS     = 1614265330
	katBody   = `{"test": 2432232314}`
	katSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignKnownAnswer(t *testing.T) {
	got, err := Sign(katSecret, katID, time.Unix(katTS, 0), []byte(katBody))
	if err != nil {
		t.Fatal(err)
	}
	if got != katSig {
		t.Errorf("Sign = %q, want %q", got, katSig)
	}
}

func headers(id string, ts int64, sig string) http.Header {
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, sig)
	return h
}

func TestVerify(t *testing.T) {
	at := time.Unix(katTS, 0)
	other := NewSecret([]byte("0123456789abcdef0123456789abcdef"))
	otherSig, _ := Sign(other, katID, at, []byte(katBody))
	tests := []struct {
		name   string
		secret string
		h      http.Header
		body   string
		now    time.Time
		want   error
	}{
		{"known answer", katSecret, headers(katID, katTS, katSig), katBody, at, nil},
		{"secret without prefix", katSecret[len(SecretPrefix):], headers(katID, katTS, katSig), katBody, at, nil},
		{"second of two signatures", katSecret, headers(katID, katTS, otherSig+" "+katSig), katBody, at, nil},
		{"first of two signatures", other, headers(katID, katTS, otherSig+" "+katSig), katBody, at, nil},
		{"other versions ignored", katSecret, headers(katID, katTS, "v1a,AAAA "+katSig), katBody, at, nil},
		{"4m59s late", katSecret, headers(katID, katTS, katSig), katBody, at.Add(Tolerance - time.Second), nil},
		{"4m59s early", katSecret, headers(katID, katTS, katSig), katBody, at.Add(-Tolerance + time.Second), nil},
		{"too old", katSecret, headers(katID, katTS, katSig), katBody, at.Add(Tolerance + time.Second), ErrTimestamp},
		{"too new", katSecret, headers(katID, katTS, katSig), katBody, at.Add(-Tolerance - time.Second), ErrTimestamp},
		{"body changed", katSecret, headers(katID, katTS, katSig), `{"test": 2432232315}`, at, ErrSignature},
		{"id changed", katSecret, headers("msg_other", katTS, katSig), katBody, at, ErrSignature},
		{"timestamp changed", katSecret, headers(katID, katTS+1, katSig), katBody, at, ErrSignature},
		{"wrong secret", other, headers(katID, katTS, katSig), katBody, at, ErrSignature},
		{"bad base64 signature", katSecret, headers(katID, katTS, "v1,!!!"), katBody, at, ErrSignature},
		{"no version", katSecret, headers(katID, katTS, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), katBody, at, ErrSignature},
		{"missing id", katSecret, headers("", katTS, katSig), katBody, at, ErrHeaders},
		{"missing signature", katSecret, headers(katID, katTS, ""), katBody, at, ErrHeaders},
		{"bad timestamp", katSecret, http.Header{HeaderID: {katID}, HeaderTimestamp: {"x"}, HeaderSignature: {katSig}}, katBody, at, ErrHeaders},
		{"bad secret", "whsec_%%%", headers(katID, katTS, katSig), katBody, at, ErrSecret},
		{"empty secret", "whsec_", headers(katID, katTS, katSig), katBody, at, ErrSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyAt(tt.secret, tt.h, []byte(tt.body), tt.now)
			if !errors.Is(err, tt.want) {
				t.Errorf("VerifyAt = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSecretRoundTrip(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	got, err := ParseSecret(NewSecret(key))
	if err != nil || string(got) != string(key) {
		t.Errorf("ParseSecret(NewSecret(k)) = %q, %v; want %q", got, err, key)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(katID, strconv.Itoa(katTS), katSig, []byte(katBody))
	f.Add("", "-1", "v1,", []byte{})
	f.Add("a", "99999999999999999999", "v1,a v1,b v2", []byte("x"))
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte) {
		h := http.Header{HeaderID: {id}, HeaderTimestamp: {ts}, HeaderSignature: {sig}}
		err := VerifyAt(katSecret, h, body, time.Unix(katTS, 0))
		if err == nil && sig != "" {
			// A pass must be a real signature of these bytes.
			n, _ := strconv.ParseInt(ts, 10, 64)
			want, _ := Sign(katSecret, id, time.Unix(n, 0), body)
			if !containsField(sig, want) {
				t.Errorf("VerifyAt accepted %q without %q", sig, want)
			}
		}
	})
}

func containsField(s, f string) bool {
	return slices.Contains(strings.Fields(s), f)
}
