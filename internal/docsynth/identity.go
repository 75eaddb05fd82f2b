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

	"github.com/openidv/openidv/internal/document/mrz"
)

// Kind is the layout of a synthetic document.
type Kind string

// The kinds of document rendered.
const (
	TD1       Kind = "td1"
	TD2       Kind = "td2"
	TD3       Kind = "td3"
	MRVA      Kind = "mrv_a"
	MRVB      Kind = "mrv_b"
	CardNoMRZ Kind = "card_no_mrz"
)

// Kinds lists every Kind.
var Kinds = [...]Kind{TD1, TD2, TD3, MRVA, MRVB, CardNoMRZ}

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
	case TD1, TD2:
		id.DocCode, id.DocumentNumber, id.Optional = "I<", "D23145890", ""
	case MRVA, MRVB:
		id.DocCode, id.Nationality, id.Optional = "V<", "XXX", ""
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
	switch k {
	case MRVA, MRVB:
		code = "V<"
	case TD1, TD2, CardNoMRZ:
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
	if (k == TD3 || k == TD1) && r.Intn(2) == 0 {
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

// formats maps a Kind to its MRZ format.
var formats = map[Kind]mrz.Format{TD1: mrz.TD1, TD2: mrz.TD2, TD3: mrz.TD3, MRVA: mrz.MRVA, MRVB: mrz.MRVB}

// MRZ formats id as the MRZ lines of kind k with internal/document/mrz's
// builder (nil for CardNoMRZ or fields that do not fit).
func MRZ(k Kind, id Identity) []string {
	f, ok := formats[k]
	if !ok {
		return nil
	}
	lines, err := mrz.Build(mrz.Fields{
		Format: f, DocumentCode: strings.TrimRight(id.DocCode, "<"), IssuingState: strings.TrimRight(id.IssuingState, "<"),
		Surname: id.Surname, GivenNames: id.GivenNames, DocumentNumber: id.DocumentNumber,
		Nationality: strings.TrimRight(id.Nationality, "<"), BirthDate: id.BirthDate, Sex: id.Sex,
		ExpiryDate: id.ExpiryDate, OptionalData: id.Optional,
	})
	if err != nil {
		return nil
	}
	return lines
}
