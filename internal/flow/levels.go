package flow

import (
	"crypto/sha256"
	_ "embed" // the default levels file
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/openidv/openidv/internal/idv"
)

//go:embed levels.default.yaml
var defaultLevelsYAML string

// LevelError lists every problem found in a levels file. Each entry names
// the level and, where it applies, the step index (0-based) and YAML line.
type LevelError struct {
	Problems []LevelProblem
}

// LevelProblem is one problem of a levels file.
type LevelProblem struct {
	Line    int    // YAML line, 0 when unknown
	Level   string // level name, "#<index>" when it has no valid name, "" when not about one level
	Step    int    // step index, -1 when not about one step
	Message string
}

// String formats the problem as "line N: level \"x\": step I: message".
func (p LevelProblem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Level != "" {
		fmt.Fprintf(&b, "level %q: ", p.Level)
	}
	if p.Step >= 0 {
		fmt.Fprintf(&b, "step %d: ", p.Step)
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error lists every problem on one line.
func (e *LevelError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("levels: %d problem(s): %s", len(e.Problems), strings.Join(parts, "; "))
}

// ParseLevels compiles a levels file. It reports every problem at once as a
// *LevelError: unknown keys, unknown or duplicate step kinds, empty levels,
// duplicate level names, consent not first, bad max_attempts. Each returned
// Level has its Version set to a short hash of its compiled content, so a
// session pins the definition it started with.
//
// The format (see levels.default.yaml):
//
//	levels:
//	  - name: contact
//	    steps:
//	      - consent
//	      - {kind: phone, max_attempts: 3}
func ParseLevels(yamlData []byte) ([]idv.Level, error) {
	p := &levelParser{}
	var doc yaml.Node
	if err := yaml.Unmarshal(yamlData, &doc); err != nil {
		return nil, &LevelError{Problems: []LevelProblem{{Step: -1, Message: "invalid YAML: " + err.Error()}}}
	}
	levels := p.document(&doc)
	if len(p.problems) > 0 {
		return nil, &LevelError{Problems: p.problems}
	}
	for i := range levels {
		levels[i].Version = levelVersion(levels[i])
	}
	return levels, nil
}

// DefaultLevels returns the levels shipped in levels.default.yaml: contact,
// basic, full and video. It panics if the embedded file is invalid, which a
// test rules out.
func DefaultLevels() []idv.Level {
	levels, err := ParseLevels([]byte(defaultLevelsYAML))
	if err != nil {
		panic(fmt.Sprintf("flow: embedded levels.default.yaml: %v", err))
	}
	return levels
}

// FindLevel returns the level called name.
func FindLevel(levels []idv.Level, name string) (idv.Level, bool) {
	for _, l := range levels {
		if l.Name == name {
			return l, true
		}
	}
	return idv.Level{}, false
}

// DefaultLevelsYAML returns the text of the shipped levels file, for a
// command that prints an example configuration.
func DefaultLevelsYAML() string { return defaultLevelsYAML }

// levelVersion hashes the compiled level: its name and each step's kind and
// max attempts. Twelve hex digits (48 bits) tell definitions apart.
func levelVersion(l idv.Level) string {
	var b strings.Builder
	b.WriteString("openidv-level-v1\n")
	b.WriteString(l.Name)
	for _, s := range l.Steps {
		fmt.Fprintf(&b, "\n%s:%d", s.Kind, s.MaxAttempts)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:6])
}

// levelParser walks the YAML tree and collects problems.
type levelParser struct {
	problems []LevelProblem
}

func (p *levelParser) add(n *yaml.Node, level string, step int, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.problems = append(p.problems, LevelProblem{Line: line, Level: level, Step: step, Message: fmt.Sprintf(format, args...)})
}

func (p *levelParser) document(doc *yaml.Node) []idv.Level {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.add(nil, "", -1, "the file is empty: it must hold a `levels` list")
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.add(root, "", -1, "the top level must be a mapping with a `levels` key")
		return nil
	}
	var list *yaml.Node
	for _, kv := range pairs(root) {
		switch kv[0].Value {
		case "levels":
			list = kv[1]
		default:
			p.add(kv[0], "", -1, "unknown key %q (known: levels)", kv[0].Value)
		}
	}
	if list == nil {
		p.add(root, "", -1, "missing key `levels`")
		return nil
	}
	if list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		p.add(list, "", -1, "`levels` must be a non-empty list")
		return nil
	}
	var levels []idv.Level
	seen := map[string]int{}
	for i, n := range list.Content {
		l, ok := p.level(n, i)
		if !ok {
			continue
		}
		if first, dup := seen[l.Name]; dup {
			p.add(n, l.Name, -1, "duplicate level name (first defined at line %d)", first)
			continue
		}
		seen[l.Name] = n.Line
		levels = append(levels, l)
	}
	return levels
}

// level compiles one entry of `levels`; ok is false when it has no usable name.
func (p *levelParser) level(n *yaml.Node, index int) (idv.Level, bool) {
	label := "#" + strconv.Itoa(index)
	if n.Kind != yaml.MappingNode {
		p.add(n, label, -1, "a level must be a mapping with `name` and `steps`")
		return idv.Level{}, false
	}
	var nameNode, stepsNode *yaml.Node
	var unknown []*yaml.Node
	for _, kv := range pairs(n) {
		switch kv[0].Value {
		case "name":
			nameNode = kv[1]
		case "steps":
			stepsNode = kv[1]
		default:
			unknown = append(unknown, kv[0])
		}
	}
	name, ok := p.levelName(n, nameNode, label)
	if ok {
		label = name
	}
	for _, k := range unknown {
		p.add(k, label, -1, "unknown key %q (known: name, steps)", k.Value)
	}
	steps := p.steps(n, stepsNode, label)
	return idv.Level{Name: name, Steps: steps}, ok
}

func (p *levelParser) levelName(parent, n *yaml.Node, label string) (string, bool) {
	switch {
	case n == nil:
		p.add(parent, label, -1, "missing `name`")
	case n.Kind != yaml.ScalarNode || n.Tag != "!!str":
		p.add(n, label, -1, "`name` must be a string")
	case !validLevelName(n.Value):
		p.add(n, label, -1, "invalid name %q: use 1 to 64 of a-z, 0-9, '_', '-', '.', starting with a letter or digit", n.Value)
	default:
		return n.Value, true
	}
	return "", false
}

func (p *levelParser) steps(parent, n *yaml.Node, level string) []idv.LevelStep {
	if n == nil {
		p.add(parent, level, -1, "missing `steps`")
		return nil
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.add(n, level, -1, "`steps` must be a non-empty list")
		return nil
	}
	var steps []idv.LevelStep
	seen := map[idv.StepKind]int{}
	for i, sn := range n.Content {
		s, ok := p.step(sn, level, i)
		if !ok {
			continue
		}
		if first, dup := seen[s.Kind]; dup {
			p.add(sn, level, i, "duplicate step %q (also step %d)", s.Kind, first)
			continue
		}
		seen[s.Kind] = i
		if s.Kind == idv.StepConsent && i != 0 {
			p.add(sn, level, i, "consent must be the first step")
		}
		steps = append(steps, s)
	}
	if len(n.Content) > 0 && stepKindOf(n.Content[0]) != idv.StepConsent {
		if _, has := seen[idv.StepConsent]; !has {
			p.add(n, level, 0, "the first step must be consent")
		}
	}
	return steps
}

// stepKindOf reads the kind of a step node without reporting problems.
func stepKindOf(n *yaml.Node) idv.StepKind {
	if n.Kind == yaml.ScalarNode {
		return idv.StepKind(n.Value)
	}
	for _, kv := range pairs(n) {
		if kv[0].Value == "kind" {
			return idv.StepKind(kv[1].Value)
		}
	}
	return ""
}

// step compiles one step: either a bare kind or {kind, max_attempts}.
func (p *levelParser) step(n *yaml.Node, level string, i int) (idv.LevelStep, bool) {
	var kindNode, maxNode, titleNode, textNode *yaml.Node
	switch n.Kind {
	case yaml.ScalarNode:
		kindNode = n
	case yaml.MappingNode:
		for _, kv := range pairs(n) {
			switch kv[0].Value {
			case "kind":
				kindNode = kv[1]
			case "max_attempts":
				maxNode = kv[1]
			case "title":
				titleNode = kv[1]
			case "text":
				textNode = kv[1]
			default:
				p.add(kv[0], level, i, "unknown key %q (known: kind, max_attempts, title, text)", kv[0].Value)
			}
		}
	default:
		p.add(n, level, i, "a step must be a kind or a mapping with `kind` and `max_attempts`")
		return idv.LevelStep{}, false
	}
	kind, ok := p.stepKind(n, kindNode, level, i)
	if !ok {
		return idv.LevelStep{}, false
	}
	s := idv.LevelStep{Kind: kind, MaxAttempts: defaultMaxAttempts(kind)}
	if maxNode != nil {
		s.MaxAttempts = p.maxAttempts(maxNode, kind, level, i, s.MaxAttempts)
	}
	s.Title = p.displayText(titleNode, "title", kind, level, i, 200)
	s.Text = p.displayText(textNode, "text", kind, level, i, 4000)
	return s, true
}

// displayText reads a step's title or text, on consent steps only: a
// string, or a mapping of language (en, es, …) to string, each 1 to max
// bytes.
func (p *levelParser) displayText(n *yaml.Node, key string, kind idv.StepKind, level string, i, max int) idv.Localized {
	if n == nil {
		return nil
	}
	if k, _ := infoOf(kind); !k.displayText {
		p.add(n, level, i, "%s is only supported on consent steps", key)
		return nil
	}
	one := func(v *yaml.Node, name string) (string, bool) {
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
			p.add(v, level, i, "%s must be a string or a mapping of language to string", name)
			return "", false
		}
		if strings.TrimSpace(v.Value) == "" || len(v.Value) > max {
			p.add(v, level, i, "%s must be 1 to %d bytes", name, max)
			return "", false
		}
		return v.Value, true
	}
	out := idv.Localized{}
	if n.Kind != yaml.MappingNode {
		if v, ok := one(n, key); ok {
			out[""] = v
		}
		return out
	}
	for _, kv := range pairs(n) {
		lang := kv[0].Value
		if !validLanguage(lang) {
			p.add(kv[0], level, i, "%s: %q is not a language like en or es", key, lang)
			continue
		}
		if v, ok := one(kv[1], key+"."+lang); ok {
			out[lang] = v
		}
	}
	return out
}

// validLanguage accepts a primary language subtag: 2 or 3 letters a-z.
func validLanguage(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, c := range []byte(s) {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func (p *levelParser) stepKind(parent, n *yaml.Node, level string, i int) (idv.StepKind, bool) {
	if n == nil {
		p.add(parent, level, i, "missing `kind`")
		return "", false
	}
	k := idv.StepKind(n.Value)
	if _, ok := infoOf(k); !ok || n.Kind != yaml.ScalarNode {
		p.add(n, level, i, "unknown step kind %q (known: %s)", n.Value, knownKinds())
		return "", false
	}
	return k, true
}

func (p *levelParser) maxAttempts(n *yaml.Node, kind idv.StepKind, level string, i, def int) int {
	v, err := strconv.Atoi(n.Value)
	switch {
	case n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil:
		p.add(n, level, i, "max_attempts must be an integer, got %q", n.Value)
	case answeredOnce(kind) && v != 1:
		p.add(n, level, i, "%s is answered once: max_attempts must be 1 or absent", kind)
	case v < 1 || v > MaxMaxAttempts:
		p.add(n, level, i, "max_attempts must be between 1 and %d, got %d", MaxMaxAttempts, v)
	default:
		return v
	}
	return def
}

func knownKinds() string {
	names := make([]string, len(idv.StepKinds))
	for i, k := range idv.StepKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// pairs returns the key/value nodes of a mapping node. Merge keys and
// aliases are not followed: level files are small and explicit.
func pairs(m *yaml.Node) [][2]*yaml.Node {
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		out = append(out, [2]*yaml.Node{m.Content[i], m.Content[i+1]})
	}
	return out
}

// validLevelName reports whether name has the shape of a level name: 1 to
// 64 of a-z, 0-9, '_', '-', '.', starting with a letter or digit. Level
// names appear in URLs and configuration.
func validLevelName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case i > 0 && (r == '_' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}
