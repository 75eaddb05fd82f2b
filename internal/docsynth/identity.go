// Package docsynth generates a synthetic test set of identity-document
// photos with their ground truth: rendered TD1, TD2 and TD3 pages (and an
// ID-1 card front without MRZ) carrying known MRZ text, placed in a
// photo-like scene, then degraded by named variants (blur, motion blur,
// JPEG, half resolution, perspective, rotation, glare, noise, low light).
// Randomness comes from a *rand.Rand the caller seeds, so a set is
// reproducible. It is test tooling: the engine under test is
// internal/document.
package docsynth

import (
	"fmt"
	"math/rand"
	"strings"
)

// Kind is the layout of a synthetic document.
type Kind string

// The kinds of document rendered.
const (
	TD1       Kind = "td1"
	TD2       Kind = "td2"
	TD3       Kind = "td3"
	CardNoMRZ Kind = "card_no_mrz"
)

// Kinds lists every Kind.
var Kinds = [...]Kind{TD1, TD2, TD3, CardNoMRZ}

// Identity is the data printed on a page. Dates are YYMMDD.
type Identity struct {
	DocCode        string // "P<", "I<", "ID", "AC"…
	IssuingState   string
	Surname        string
	GivenNames     string
	DocumentNumber string
	Nationality    string
	BirthDate      string
	Sex            string
	ExpiryDate     string
	Optional       string
}

// Specimen is the ICAO Doc 9303 specimen holder (Utopia, ERIKSSON ANNA
// MARIA).
func Specimen(k Kind) Identity {
	id := Identity{
		DocCode: "P<", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
		DocumentNumber: "L898902C3", Nationality: "UTO", BirthDate: "740812", Sex: "F",
		ExpiryDate: "120415", Optional: "ZE184226B",
	}
	switch k {
	case TD1:
		id.DocCode, id.DocumentNumber, id.Optional = "I<", "D23145890", ""
	case TD2:
		id.DocCode, id.DocumentNumber, id.Optional = "I<", "D23145890", ""
	}
	return id
}

var (
	surnames = []string{"ERIKSSON", "MUSTERMANN", "OKAFOR", "GARCIA", "NGUYEN", "SMITH", "KOWALSKA", "DUBOIS",
		"ROSSI", "HASSAN", "TANAKA", "OLIVEIRA", "MACLEOD", "VAN DER BERG", "O BRIEN"}
	givens = []string{"ANNA MARIA", "ERIKA", "CHIDI", "LUIS", "MAI", "JOHN PAUL", "AGNIESZKA", "CLAIRE",
		"MARCO", "AMIRA", "KENJI", "BEATRIZ", "IAIN", "PIETER", "SEAN"}
	states = []string{"UTO", "D<<", "FRA", "NLD", "GBR", "CAN", "ESP", "ITA", "POL", "SWE", "JPN", "BRA"}
)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// RandomIdentity returns a random, valid identity for kind k.
func RandomIdentity(k Kind, r *rand.Rand) Identity {
	state := states[r.Intn(len(states))]
	code := "P<"
	if k != TD3 {
		code = []string{"I<", "ID", "AC"}[r.Intn(3)]
	}
	num := make([]byte, 9)
	for i := range num {
		if i < 2 && r.Intn(2) == 0 {
			num[i] = alnum[r.Intn(26)]
		} else {
			num[i] = alnum[26+r.Intn(10)]
		}
	}
	opt := ""
	if k == TD3 && r.Intn(2) == 0 {
		opt = fmt.Sprintf("%09d", r.Intn(1_000_000_000))
	}
	return Identity{
		DocCode: code, IssuingState: state, Surname: surnames[r.Intn(len(surnames))],
		GivenNames: givens[r.Intn(len(givens))], DocumentNumber: string(num), Nationality: state,
		BirthDate:  fmt.Sprintf("%02d%02d%02d", r.Intn(100), 1+r.Intn(12), 1+r.Intn(28)),
		Sex:        []string{"M", "F", "<"}[r.Intn(3)],
		ExpiryDate: fmt.Sprintf("%02d%02d%02d", 26+r.Intn(10), 1+r.Intn(12), 1+r.Intn(28)),
		Optional:   opt,
	}
}

// checkDigit is the ICAO 9303 7-3-1 check digit of s.
func checkDigit(s string) byte {
	w := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * w[i%3]
	}
	return byte('0' + sum%10)
}

// field upper-cases s, turns spaces into fillers and pads or cuts it to n.
func field(s string, n int) string {
	s = strings.ReplaceAll(strings.ToUpper(s), " ", "<")
	if len(s) > n {
		return s[:n]
	}
	return s + strings.Repeat("<", n-len(s))
}

func nameField(id Identity, n int) string {
	return field(id.Surname+"<<"+id.GivenNames, n)
}

// MRZ formats id as the MRZ lines of kind k (nil for CardNoMRZ).
func MRZ(k Kind, id Identity) []string {
	doc := field(id.DocumentNumber, 9)
	docCD := string(checkDigit(doc))
	birth := id.BirthDate + string(checkDigit(id.BirthDate))
	expiry := id.ExpiryDate + string(checkDigit(id.ExpiryDate))
	switch k {
	case TD3:
		opt := field(id.Optional, 14)
		optCD := string(checkDigit(opt))
		if strings.Trim(opt, "<") == "" {
			optCD = "<"
		}
		l1 := field(id.DocCode, 2) + field(id.IssuingState, 3) + nameField(id, 39)
		body := doc + docCD + field(id.Nationality, 3) + birth + id.Sex + expiry + opt + optCD
		comp := doc + docCD + birth + expiry + opt + optCD
		return []string{l1, body + string(checkDigit(comp))}
	case TD2:
		l1 := field(id.DocCode, 2) + field(id.IssuingState, 3) + nameField(id, 31)
		opt := field(id.Optional, 7)
		body := doc + docCD + field(id.Nationality, 3) + birth + id.Sex + expiry + opt
		comp := doc + docCD + birth + expiry + opt
		return []string{l1, body + string(checkDigit(comp))}
	case TD1:
		l1 := field(id.DocCode, 2) + field(id.IssuingState, 3) + doc + docCD + field(id.Optional, 15)
		l2 := birth + id.Sex + expiry + field(id.Nationality, 3) + field("", 11)
		comp := l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
		return []string{l1, l2 + string(checkDigit(comp)), nameField(id, 30)}
	}
	return nil
}
