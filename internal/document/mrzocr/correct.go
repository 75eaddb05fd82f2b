package mrzocr

import (
	"math"
	"sort"

	"github.com/openidv/openidv/internal/document/mrz"
	"github.com/openidv/openidv/internal/document/ocrb"
)

// Thresholds of the check-digit repair: an alternative glyph is considered
// only when the classifier gives it at least minAlt, and at most maxSubs
// characters are changed.
const (
	minAlt  = 0.05
	maxSubs = 2
)

// slot is one character position: its allowed candidates, best first.
type slot struct {
	alts   []ocrb.Candidate // allowed by the field kind, best first
	choice int              // index into alts
	top    byte             // the classifier's unconstrained first choice
}

// correct turns classified cells (each cell's candidates, best first) into
// lines: each character is the best glyph its field allows, then the
// fewest, likeliest changes that make every check digit pass are applied. It returns per-character confidence
// and the count of characters that differ from the classifier's first
// choice.
func correct(ranked [][][]ocrb.Candidate) ([]string, [][]float32, int) {
	lines := make([]string, len(ranked))
	for i, row := range ranked {
		b := make([]byte, len(row))
		for k, cands := range row {
			b[k] = cands[0].Char
		}
		lines[i] = string(b)
	}
	format, ok := mrz.DetectFormat(lines)
	layout, ok2 := mrz.LayoutOf(format)
	kinds := kindMap(layout, len(ranked), len(ranked[0]))
	slots := make([][]slot, len(ranked))
	for i, row := range ranked {
		slots[i] = make([]slot, len(row))
		for k, cands := range row {
			kind := mrz.AlphaNum
			if ok && ok2 {
				kind = kinds[i][k]
			}
			slots[i][k] = newSlot(cands, kind)
		}
	}
	if ok && ok2 {
		repair(layout, slots)
	}
	conf := make([][]float32, len(slots))
	changed := 0
	for i, row := range slots {
		conf[i] = make([]float32, len(row))
		for k, s := range row {
			c := s.alts[s.choice]
			conf[i][k] = c.Score
			if c.Char != s.top {
				changed++
			}
		}
	}
	return currentLines(slots), conf, changed
}

func kindMap(layout mrz.Layout, nLines, width int) [][]mrz.Kind {
	kinds := make([][]mrz.Kind, nLines)
	for i := range kinds {
		kinds[i] = make([]mrz.Kind, width)
	}
	for _, f := range layout.Fields {
		if f.Span.Line >= nLines {
			continue
		}
		for p := f.Span.Start; p < f.Span.End && p < width; p++ {
			kinds[f.Span.Line][p] = f.Kind
		}
	}
	return kinds
}

func newSlot(cands []ocrb.Candidate, kind mrz.Kind) slot {
	s := slot{top: cands[0].Char}
	for _, c := range cands {
		if !mrz.KindAllows(kind, string(c.Char)) {
			continue
		}
		if len(s.alts) > 0 && c.Score < minAlt {
			break
		}
		s.alts = append(s.alts, c)
	}
	if len(s.alts) == 0 {
		s.alts = []ocrb.Candidate{{Char: '<'}}
	}
	s.addLookalikes(kind)
	return s
}

// lookalikes are the OCR-B glyph pairs a camera confuses most.
var lookalikes = map[byte]string{
	'0': "OD", 'O': "0D", 'D': "0O", '1': "I", 'I': "1", '5': "S", 'S': "5",
	'8': "B", 'B': "8", '2': "Z", 'Z': "2", '6': "G", 'G': "6",
}

// lookalikeShare is the least score a look-alike of the first choice gets
// as an alternative, relative to the first choice: a check digit may swap
// 0 and O even when the classifier was sure, before it may reach for an
// unlikely glyph elsewhere.
const lookalikeShare = 0.15

// addLookalikes makes sure the look-alikes of the first choice that the
// field allows are alternatives with at least lookalikeShare of its score.
func (s *slot) addLookalikes(kind mrz.Kind) {
	top := s.alts[0]
	floor := lookalikeShare * top.Score
	for i := 0; i < len(lookalikes[top.Char]); i++ {
		ch := lookalikes[top.Char][i]
		if !mrz.KindAllows(kind, string(ch)) {
			continue
		}
		found := false
		for k := 1; k < len(s.alts); k++ {
			if s.alts[k].Char == ch {
				s.alts[k].Score = max(s.alts[k].Score, floor)
				found = true
			}
		}
		if !found && floor > 0 {
			s.alts = append(s.alts, ocrb.Candidate{Char: ch, Score: floor})
		}
	}
	rest := s.alts[1:]
	sort.SliceStable(rest, func(i, j int) bool { return rest[i].Score > rest[j].Score })
}

// change is one alternative for one slot and what it costs (the drop in
// log probability).
type change struct {
	s    *slot
	alt  int
	cost float64
}

// repair searches, over the slots that check digits cover, the set of at
// most maxSubs changes of least cost after which every check digit passes.
// When none exists the first choices stay.
func repair(layout mrz.Layout, slots [][]slot) {
	if checksPass(layout, slots) {
		return
	}
	var changes []change
	for _, pos := range coveredSlots(layout) {
		if pos[0] >= len(slots) || pos[1] >= len(slots[pos[0]]) {
			return
		}
		s := &slots[pos[0]][pos[1]]
		for a := 1; a < len(s.alts); a++ {
			cost := math.Log(float64(max(s.alts[0].Score, 1e-6))) - math.Log(float64(max(s.alts[a].Score, 1e-6)))
			changes = append(changes, change{s, a, cost})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].cost < changes[j].cost })
	if len(changes) > 40 {
		changes = changes[:40]
	}
	best, bestCost := []change(nil), math.Inf(1)
	var pick func(start int, chosen []change, cost float64)
	pick = func(start int, chosen []change, cost float64) {
		if cost >= bestCost {
			return
		}
		if len(chosen) > 0 {
			for _, c := range chosen {
				c.s.choice = c.alt
			}
			ok := checksPass(layout, slots)
			for _, c := range chosen {
				c.s.choice = 0
			}
			if ok {
				best, bestCost = append([]change(nil), chosen...), cost
				return
			}
		}
		if len(chosen) == maxSubs {
			return
		}
	next:
		for i := start; i < len(changes); i++ {
			for _, c := range chosen {
				if c.s == changes[i].s {
					continue next
				}
			}
			pick(i+1, append(chosen, changes[i]), cost+changes[i].cost)
		}
	}
	pick(0, nil, 0)
	for _, c := range best {
		c.s.choice = c.alt
	}
}

// coveredSlots lists the positions that some check digit covers.
func coveredSlots(layout mrz.Layout) [][2]int {
	seen := map[[2]int]bool{}
	var out [][2]int
	add := func(sp mrz.Span) {
		for p := sp.Start; p < sp.End; p++ {
			k := [2]int{sp.Line, p}
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	for _, c := range layout.Checks {
		for _, sp := range c.Data {
			add(sp)
		}
		add(c.Digit)
	}
	return out
}

func currentLines(slots [][]slot) []string {
	lines := make([]string, len(slots))
	for i, row := range slots {
		b := make([]byte, len(row))
		for k, s := range row {
			b[k] = s.alts[s.choice].Char
		}
		lines[i] = string(b)
	}
	return lines
}

// checksPass reports whether every check digit of the current choice
// passes (with the parser's rules for long document numbers and empty
// optional data).
func checksPass(layout mrz.Layout, slots [][]slot) bool {
	lines := currentLines(slots)
	f, _ := mrz.DetectFormat(lines)
	return f == layout.Format && mrz.ChecksValid(lines)
}

// ProblemLowConfidence is added to Result.Problems (and Result.Valid
// cleared) when a character that no check digit protects was read with a
// probability under MinUnprotectedConfidence: names and state codes have
// no check digit, so a doubtful glyph there must not pass as read.
const ProblemLowConfidence = "ocr_low_confidence"

// MinUnprotectedConfidence is the probability every character outside the
// check digits' reach must reach; MinSlantedConfidence replaces it when
// the cells were sheared to a measured slant, whose error makes some
// glyphs look like others (a slanted I like a Z).
const (
	MinUnprotectedConfidence = 0.6
	MinSlantedConfidence     = 0.7
)

func gateConfidence(rd *Reading, least float32) {
	if rd.MinUnprotectedConfidence() < least {
		rd.Result.Valid = false
		rd.Result.Problems = append(rd.Result.Problems, ProblemLowConfidence)
	}
}

// MinUnprotectedConfidence is the lowest confidence among the characters
// that no check digit covers (names, state codes, document code, sex).
func (r *Reading) MinUnprotectedConfidence() float32 {
	layout, ok := mrz.LayoutOf(r.Format)
	if !ok {
		return 0
	}
	covered := map[[2]int]bool{}
	for _, p := range coveredSlots(layout) {
		covered[p] = true
	}
	m := float32(1)
	for i, row := range r.Confidence {
		for k, c := range row {
			if !covered[[2]int{i, k}] {
				m = min(m, c)
			}
		}
	}
	return m
}
