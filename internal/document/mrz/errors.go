package mrz

import (
	"errors"
	"fmt"
)

// Errors for text that cannot be an MRZ at all. A zone that has the right
// shape but fails its check digits is not an error: Parse returns it with
// Result.Valid false.
var (
	ErrLineCount  = errors.New("mrz: wrong number of lines")
	ErrLineLength = errors.New("mrz: wrong line length")
	ErrCharacter  = errors.New("mrz: character outside the MRZ alphabet")
)

// ShapeError describes a malformed zone. It matches ErrLineCount,
// ErrLineLength or ErrCharacter with errors.Is.
type ShapeError struct {
	Kind error // one of the sentinel errors above
	Line int   // 0-based line, -1 when not about one line
	Pos  int   // 0-based position for ErrCharacter, else -1
	Got  int   // the count or length seen
}

func (e *ShapeError) Error() string {
	switch e.Kind {
	case ErrCharacter:
		return fmt.Sprintf("%v: line %d position %d", e.Kind, e.Line+1, e.Pos+1)
	case ErrLineLength:
		return fmt.Sprintf("%v: line %d has %d characters", e.Kind, e.Line+1, e.Got)
	}
	return fmt.Sprintf("%v: %d lines", e.Kind, e.Got)
}

// Is makes errors.Is(err, ErrLineCount) and friends work.
func (e *ShapeError) Is(target error) bool { return target == e.Kind }
