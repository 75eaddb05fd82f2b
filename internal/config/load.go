package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/knadh/koanf/maps"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/v2"
)

// configFlag is the flag naming the YAML file.
const configFlag = "config"

// AddFlags registers --config and one flag per setting on fs: every
// setting, or only the settings named by keys (a command that opens the
// store needs a few of them, not the server's). Boolean settings are
// boolean flags (--dev); the others are string flags whose values are
// typed when Load decodes them, so every problem is reported together with
// the others. Each flag shows its default in -h.
func AddFlags(fs *flag.FlagSet, keys ...string) {
	fs.String(configFlag, "", "YAML configuration file (or "+EnvConfigFile+")")
	for _, s := range settings() {
		if s.fileOnly || len(keys) > 0 && !slices.Contains(keys, s.key) {
			continue
		}
		usage := fmt.Sprintf("%s (env %s)", s.usage, EnvName(s.key))
		if def, ok := s.def.(bool); ok {
			fs.Bool(FlagName(s.key), def, usage)
			continue
		}
		fs.String(FlagName(s.key), defaultText(s), usage)
	}
}

// defaultText is the default of s as it would be written on the command
// line (lists comma-separated); flag shows it in -h.
func defaultText(s setting) string {
	if l, ok := s.def.([]string); ok {
		return strings.Join(l, ",")
	}
	return fmt.Sprint(s.def)
}

// Load builds the configuration from the defaults, the YAML file, the
// environment (in os.Environ form) and the flags of fs that were set. fs
// may be nil; when not nil it must have been made by AddFlags and parsed.
// The error lists every problem found.
func Load(fs *flag.FlagSet, environ []string) (Config, error) {
	flags := setFlags(fs)
	k := koanf.New(".")
	if err := k.Load(mapProvider(defaults()), nil); err != nil {
		return Config{}, fmt.Errorf("config: defaults: %w", err)
	}
	var problems []string
	if path := configPath(flags, environ); path != "" {
		problems = append(problems, loadFile(k, path)...)
	}
	if err := k.Load(env.Provider(".", env.Opt{
		Prefix:        EnvPrefix,
		TransformFunc: envTransform(),
		EnvironFunc:   func() []string { return environ },
	}), nil); err != nil {
		return Config{}, fmt.Errorf("config: environment: %w", err)
	}
	if err := k.Load(mapProvider(flagValues(flags)), nil); err != nil {
		return Config{}, fmt.Errorf("config: flags: %w", err)
	}
	var c Config
	var bad []string
	if err := k.Unmarshal("", &c); err != nil {
		bad = decodeProblems(err)
		problems = append(problems, bad...)
	}
	problems = append(problems, withoutKeysOf(c.validate(), bad)...)
	if len(problems) > 0 {
		return c, &Error{Problems: problems}
	}
	return c, nil
}

// Error lists every configuration problem.
type Error struct {
	Problems []string
}

// Error lists the problems, one per line.
func (e *Error) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// setFlags returns the flags that were given on the command line, by name.
func setFlags(fs *flag.FlagSet) map[string]string {
	out := map[string]string{}
	if fs == nil {
		return out
	}
	fs.Visit(func(f *flag.Flag) { out[f.Name] = f.Value.String() })
	return out
}

// configPath returns the YAML file named by --config or OPENIDV_CONFIG.
func configPath(flags map[string]string, environ []string) string {
	if p, ok := flags[configFlag]; ok {
		return p
	}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, EnvConfigFile+"="); ok {
			return v
		}
	}
	return ""
}

// loadFile merges the YAML file into k and reports unknown keys.
func loadFile(k *koanf.Koanf, path string) []string {
	f := koanf.New(".")
	if err := f.Load(fileProvider(path), yaml.Parser()); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return []string{fmt.Sprintf("config file %s does not exist", path)}
		}
		return []string{fmt.Sprintf("config file %s: %v", path, err)}
	}
	known := map[string]bool{}
	for _, s := range settings() {
		known[s.key] = true
	}
	var problems []string
	for _, key := range f.Keys() {
		if !known[key] {
			problems = append(problems, fmt.Sprintf("config file %s: unknown setting %q", path, key))
		}
	}
	if err := k.Merge(f); err != nil {
		problems = append(problems, fmt.Sprintf("config file %s: %v", path, err))
	}
	return problems
}

// envTransform maps OPENIDV_SMS_TWILIO_FROM to sms.twilio.from; unknown
// variables (OPENIDV_CONFIG, test settings) are ignored.
func envTransform() func(k, v string) (string, any) {
	byEnv := map[string]setting{}
	for _, s := range settings() {
		if !s.fileOnly {
			byEnv[EnvName(s.key)] = s
		}
	}
	return func(k, v string) (string, any) {
		s, ok := byEnv[k]
		if !ok {
			return "", nil
		}
		return s.key, value(s, v)
	}
}

// flagValues maps the given flags to their keys.
func flagValues(flags map[string]string) map[string]any {
	out := map[string]any{}
	for _, s := range settings() {
		if v, ok := flags[FlagName(s.key)]; ok {
			out[s.key] = value(s, v)
		}
	}
	return out
}

// value turns a string into the setting's shape (comma lists for lists).
func value(s setting, v string) any {
	if !s.list {
		return v
	}
	var out []string
	for part := range strings.SplitSeq(v, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// defaults returns every setting's default by key.
func defaults() map[string]any {
	out := map[string]any{}
	for _, s := range settings() {
		out[s.key] = s.def
	}
	return out
}

// decodeProblems splits a mapstructure error into one line per field.
func decodeProblems(err error) []string {
	var lines []string
	for line := range strings.SplitSeq(err.Error(), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "*"))
		if line == "" || strings.HasSuffix(line, "error(s) decoding:") || strings.HasSuffix(line, "error(s):") {
			continue
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		lines = []string{err.Error()}
	}
	slices.Sort(lines)
	return lines
}

// withoutKeysOf drops the validation lines about settings that already
// failed to decode, so a bad value is reported once.
func withoutKeysOf(lines, decodeErrs []string) []string {
	var out []string
	for _, l := range lines {
		key, _, _ := strings.Cut(l, " ")
		dup := false
		for _, d := range decodeErrs {
			if strings.Contains(d, "'"+key+"'") {
				dup = true
			}
		}
		if !dup {
			out = append(out, l)
		}
	}
	return out
}

// fileProvider is a koanf.Provider reading a file once. koanf's own file
// provider also watches files, which drags fsnotify into every build.
type fileProvider string

// ReadBytes returns the file's contents.
func (p fileProvider) ReadBytes() ([]byte, error) { return os.ReadFile(string(p)) }

// Read is not supported: the bytes need a parser.
func (p fileProvider) Read() (map[string]any, error) {
	return nil, errors.New("config: file provider needs a parser")
}

// mapProvider is a koanf.Provider over a flat map of keys.
type mapProvider map[string]any

// ReadBytes is not supported: the map is already parsed.
func (m mapProvider) ReadBytes() ([]byte, error) {
	return nil, errors.New("config: map provider has no bytes")
}

// Read returns the map nested by key path.
func (m mapProvider) Read() (map[string]any, error) {
	return maps.Unflatten(maps.Copy(m), "."), nil
}
