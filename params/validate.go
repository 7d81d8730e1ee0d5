package params

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/params/value"
)

// ErrInvalid is wrapped by every *ValidationError, for callers that only
// need to know that a request was refused before anything changed (the
// CLI's exit code 2).
var ErrInvalid = errors.New("invalid parameter change")

// ProblemKind says what is wrong with one requested change, so callers can
// branch (and print) without matching reason strings.
type ProblemKind string

// The kinds of problem Validate, ParseAssignments, Parse and PlanFile report.
const (
	ProblemSyntax          ProblemKind = "syntax"           // not P=V, bad name, empty value
	ProblemConflict        ProblemKind = "conflict"         // the same parameter twice with different values
	ProblemUnknown         ProblemKind = "unknown"          // the group has no such parameter
	ProblemNotModifiable   ProblemKind = "not-modifiable"   // IsModifiable is false
	ProblemInvalidValue    ProblemKind = "invalid-value"    // DataType or AllowedValues refuse the value
	ProblemStaticImmediate ProblemKind = "static-immediate" // immediate apply asked for a static parameter
	ProblemFamily          ProblemKind = "family"           // a desired-state file names another family than the group has
)

// Problem is one refused change. Param is empty when the argument did not
// even have a readable name; Arg is the raw argument when there was one.
//
// File and Line place a problem found in a desired-state file.
type Problem struct {
	Kind       ProblemKind `json:"kind"`
	File       string      `json:"file,omitempty"`
	Line       int         `json:"line,omitempty"`
	Group      string      `json:"group,omitempty"`
	Param      string      `json:"param,omitempty"`
	Value      string      `json:"value,omitempty"`
	Arg        string      `json:"arg,omitempty"`
	Reason     string      `json:"reason"`
	Suggestion string      `json:"suggestion,omitempty"`
}

// String places and names the culprit: "file:line: group: param=value: reason (did you mean x?)".
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" && p.Line > 0 {
		fmt.Fprintf(&b, "%s:%d: ", p.File, p.Line)
	}
	if p.Group != "" {
		b.WriteString(p.Group + ": ")
	}
	switch {
	case p.Param != "" && p.Value != "":
		b.WriteString(p.Param + "=" + p.Value + ": ")
	case p.Param != "":
		b.WriteString(p.Param + ": ")
	case p.Kind == ProblemSyntax:
		b.WriteString("argument " + quote(p.Arg) + ": ")
	}
	b.WriteString(p.Reason)
	if p.Suggestion != "" {
		b.WriteString(" (did you mean " + p.Suggestion + "?)")
	}
	return b.String()
}

// ValidationError lists every problem with a request, found before any call
// that changes anything. Reporting all of them at once saves the
// fix-one-rerun-find-the-next loop; the CLI maps it to exit code 2.
type ValidationError struct {
	Problems []Problem `json:"problems"`
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid parameter change: " + e.Problems[0].String()
	}
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("%d invalid parameter changes: %s", len(e.Problems), strings.Join(parts, "; "))
}

// Unwrap lets errors.Is(err, ErrInvalid) classify the error.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// ApplyMode is the --apply flag: when changes take effect.
type ApplyMode string

// The apply modes. Auto is the default: it never asks RDS for something it
// refuses (immediate on a static parameter) and never delays what could be
// live now.
const (
	ApplyAuto          ApplyMode = "auto"
	ApplyImmediate     ApplyMode = "immediate"
	ApplyPendingReboot ApplyMode = "pending-reboot"
)

// ParseApplyMode reads the --apply flag; "" means auto.
func ParseApplyMode(s string) (ApplyMode, error) {
	switch m := ApplyMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return ApplyAuto, nil
	case ApplyAuto, ApplyImmediate, ApplyPendingReboot:
		return m, nil
	}
	return "", fmt.Errorf("invalid apply mode %q (want auto, immediate or pending-reboot): %w", s, ErrInvalid)
}

// method is the ApplyMethod mode gives a parameter of the given ApplyType.
// Anything not reported as dynamic is treated as static: waiting for a
// reboot is always accepted, applying immediately is not.
func (m ApplyMode) method(applyType string) types.ApplyMethod {
	switch m {
	case ApplyImmediate:
		return types.ApplyMethodImmediate
	case ApplyPendingReboot:
		return types.ApplyMethodPendingReboot
	}
	if isDynamic(applyType) {
		return types.ApplyMethodImmediate
	}
	return types.ApplyMethodPendingReboot
}

func isDynamic(applyType string) bool { return strings.EqualFold(applyType, "dynamic") }

// Metadata indexes a group's parameters (DescribeDBParameters output, or
// DescribeEngineDefaultParameters for a group not created yet) by name.
type Metadata struct {
	byName map[string]types.Parameter
	names  []string // sorted
}

// NewMetadata indexes params. A parameter listed twice keeps its last entry.
func NewMetadata(params []types.Parameter) *Metadata {
	m := &Metadata{byName: make(map[string]types.Parameter, len(params))}
	for _, p := range params {
		n := str(p.ParameterName)
		if n == "" {
			continue
		}
		if _, dup := m.byName[n]; !dup {
			m.names = append(m.names, n)
		}
		m.byName[n] = p
	}
	sort.Strings(m.names)
	return m
}

// Lookup returns the named parameter.
func (m *Metadata) Lookup(name string) (types.Parameter, bool) {
	p, ok := m.byName[name]
	return p, ok
}

// Names lists every parameter name, sorted.
func (m *Metadata) Names() []string { return m.names }

// Validate checks every assignment against the group's metadata before
// anything is sent: the name exists (with the nearest valid name suggested
// for a typo), the parameter is modifiable, the value parses for its
// DataType and lies within AllowedValues, and mode's apply method is
// allowed for it. It returns nil or a *ValidationError with every problem.
func Validate(meta *Metadata, as []Assignment, mode ApplyMode) error {
	var problems []Problem
	seen := map[string]string{}
	for _, a := range as {
		if prev, dup := seen[a.Name]; dup {
			if prev != a.Value {
				problems = append(problems, Problem{Kind: ProblemConflict, Param: a.Name, Value: a.Value,
					Reason: "given twice with different values (" + quote(prev) + " and " + quote(a.Value) + ")"})
			}
			continue
		}
		seen[a.Name] = a.Value
		problems = append(problems, meta.check(a.Name, a.Value, true, mode)...)
	}
	if len(problems) == 0 {
		problems = checkCoDependent(meta, as)
	}
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

// ValidateReset checks a reset of the named parameters the same way: each
// must exist and be modifiable, and mode must suit its ApplyType.
func ValidateReset(meta *Metadata, names []string, mode ApplyMode) error {
	var problems []Problem
	for _, n := range names {
		problems = append(problems, meta.check(n, "", false, mode)...)
	}
	if len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

func (m *Metadata) check(name, v string, hasValue bool, mode ApplyMode) []Problem {
	p, ok := m.byName[name]
	if !ok {
		return []Problem{{Kind: ProblemUnknown, Param: name, Value: v, Reason: "no such parameter in the group",
			Suggestion: Suggest(name, m.names)}}
	}
	var problems []Problem
	if p.IsModifiable != nil && !*p.IsModifiable {
		problems = append(problems, Problem{Kind: ProblemNotModifiable, Param: name, Value: v,
			Reason: "parameter is not modifiable"})
		return problems
	}
	if hasValue {
		if err := value.Check(str(p.DataType), str(p.AllowedValues), v); err != nil {
			problems = append(problems, Problem{Kind: ProblemInvalidValue, Param: name, Value: v,
				Reason: describeValueError(p, err)})
		}
	}
	if mode == ApplyImmediate && !isDynamic(str(p.ApplyType)) {
		problems = append(problems, Problem{Kind: ProblemStaticImmediate, Param: name, Value: v,
			Reason: "static parameter cannot be applied immediately (use --apply pending-reboot or auto)"})
	}
	return problems
}

func describeValueError(p types.Parameter, err error) string {
	msg := strings.TrimPrefix(err.Error(), value.ErrInvalid.Error()+": ")
	if dt := str(p.DataType); dt != "" && !strings.Contains(msg, "allowed values") {
		msg += " (" + dt
		if av := str(p.AllowedValues); av != "" {
			msg += ", allowed: " + av
		}
		msg += ")"
	}
	return msg
}

// Suggest returns the valid name closest to a mistyped one, or "" when
// nothing is close enough to be a plausible typo. It first forgives the
// confusions people make most — letter case and "-" for "_" (MySQL option
// files accept both, RDS names are exact) — then allows a small edit
// distance (insertions, deletions, substitutions, transpositions), scaled
// to the name's length so that short names do not suggest unrelated ones.
func Suggest(name string, valid []string) string {
	key := foldName(name)
	best, bestD := "", -1
	limit := min(3, max(1, len(key)/4))
	for _, v := range valid {
		vk := foldName(v)
		if vk == key {
			return v
		}
		if abs(len(vk)-len(key)) > limit {
			continue
		}
		d := editDistance(key, vk)
		if d > limit {
			continue
		}
		if bestD < 0 || d < bestD || (d == bestD && v < best) {
			best, bestD = v, d
		}
	}
	return best
}

// foldName maps the spellings MySQL treats as one option to one key.
func foldName(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "-", "_")
}

// editDistance is the optimal string alignment distance (Levenshtein plus
// adjacent transpositions, the commonest typo) between two byte strings.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func quote(s string) string { return strconv.Quote(s) }
