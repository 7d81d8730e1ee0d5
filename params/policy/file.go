// Package policy reads policy files and checks a fleet's parameter groups
// against them: the CI gate of `rdsctl policy check`.
//
// A policy is a versioned YAML file naming which groups it covers (name
// globs, families, kind, regions) and rules per parameter (equals, one_of,
// min, max, required, forbidden, same_as, applied). Evaluate is a pure
// function from a Snapshot of the fleet (groups with their user-set
// parameters, engine defaults, the instances using each group, and
// optionally each instance's live globals) to Findings; the renderers turn
// findings into JSON, JUnit XML or GitHub Actions annotations that point at
// the policy file's lines.
package policy

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/rdsctl/rdsctl/params"
	"github.com/rdsctl/rdsctl/params/formula"
	"github.com/rdsctl/rdsctl/params/value"
	"github.com/rdsctl/rdsctl/params/yamldoc"
)

// MaxFileSize bounds what ParseFile reads: a policy is a page of rules, and
// a CI job pointed at the wrong file (a dump, /dev/zero) should fail fast.
const MaxFileSize = 1 << 20

// Version is the only policy file version this build reads.
const Version = 1

// ErrInvalid is wrapped by every rejection of a policy file, so the CLI
// can exit 2.
var ErrInvalid = errors.New("invalid policy")

// Kind selects DB parameter groups, DB cluster parameter groups, or both.
type Kind string

// The kinds; KindAny is the zero value.
const (
	KindAny     Kind = ""
	KindDB      Kind = "db"
	KindCluster Kind = "cluster"
)

// Severity decides whether a violated rule fails the check.
type Severity string

// The severities. Error is the default.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Policy is a parsed policy file.
type Policy struct {
	// Path is the file name errors and annotations name.
	Path    string
	Version int
	// Groups are name globs (path.Match syntax); empty means every
	// non-default group.
	Groups   []string
	Families []string
	Kind     Kind
	Regions  []string
	Rules    []Rule
}

// Rule is one entry of rules:, with the file position annotations point at.
type Rule struct {
	Parameter string
	Equals    *string
	OneOf     []string
	Min, Max  *string
	Required  bool
	Forbidden bool
	SameAs    string
	Applied   bool
	Severity  Severity
	// Line and Column are those of the rule's parameter: key (or of the
	// rule's first key when it has none).
	Line, Column int
}

// Check is one constraint of a rule: a rule with min and max has two.
type Check struct {
	Name     string // equals, one_of, min, max, required, forbidden, same_as, applied
	Expected string
}

// Checks lists the rule's constraints in a fixed order.
func (r Rule) Checks() []Check {
	var out []Check
	if r.Equals != nil {
		out = append(out, Check{"equals", *r.Equals})
	}
	if r.OneOf != nil {
		out = append(out, Check{"one_of", strings.Join(r.OneOf, ",")})
	}
	if r.Min != nil {
		out = append(out, Check{"min", *r.Min})
	}
	if r.Max != nil {
		out = append(out, Check{"max", *r.Max})
	}
	if r.Required {
		out = append(out, Check{"required", "user-set"})
	}
	if r.Forbidden {
		out = append(out, Check{"forbidden", "not user-set"})
	}
	if r.SameAs != "" {
		out = append(out, Check{"same_as", r.SameAs})
	}
	if r.Applied {
		out = append(out, Check{"applied", "in-sync"})
	}
	return out
}

// FileError is a policy file that cannot be used, at the position it goes
// wrong, in the file:line:col form editors and CI annotations jump to.
type FileError struct {
	File         string
	Line, Column int
	Msg          string
}

// Error reads FILE:LINE:COL: MSG, as every input file's errors do.
func (e *FileError) Error() string {
	return (&yamldoc.Error{File: e.File, Line: e.Line, Column: e.Column, Msg: e.Msg}).Error()
}

// Unwrap makes every FileError an ErrInvalid.
func (e *FileError) Unwrap() error { return ErrInvalid }

// ParseFile reads the policy at file: a regular file of at most
// MaxFileSize bytes, read so that ctx can interrupt it.
func ParseFile(ctx context.Context, file string) (*Policy, error) {
	data, err := yamldoc.ReadFile(ctx, file, nil, "policy", MaxFileSize)
	if err != nil {
		return nil, fromDoc(err)
	}
	return Parse(filepath.ToSlash(file), data)
}

// fromDoc makes yamldoc's errors this package's FileError, an ErrInvalid.
func fromDoc(err error) error {
	var e *yamldoc.Error
	if errors.As(err, &e) {
		return &FileError{File: e.File, Line: e.Line, Column: e.Column, Msg: e.Msg}
	}
	return err
}

// Parse reads a policy; name is the file name errors carry. It refuses
// what would otherwise be misread silently: unknown keys, a key given
// twice, wrong types, a rule without a check, contradictory checks,
// invalid globs, numbers or formulas, aliases and more than one document.
// Scalars are read as written, so 64M or 0300 reach the comparison as
// typed.
func Parse(name string, data []byte) (*Policy, error) {
	p := fileParser{name: name}
	pol, err := p.parse(data)
	if err != nil {
		return nil, err
	}
	pol.Path = name
	return pol, nil
}

type fileParser struct{ name string }

func (p fileParser) errAt(n ast.Node, format string, args ...any) *FileError {
	line, col := yamldoc.Pos(n)
	return &FileError{File: p.name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// topKeys and ruleKeys are the keys a policy may use, for error messages.
const (
	topKeys  = "version, groups, families, kind, regions, rules"
	ruleKeys = "parameter, equals, one_of, min, max, required, forbidden, same_as, applied, severity"
)

func (p fileParser) parse(data []byte) (*Policy, error) {
	body, err := yamldoc.Body(p.name, data, "more than one YAML document; a policy is one document")
	if err != nil {
		return nil, fromDoc(err)
	}
	if body == nil {
		return nil, &FileError{File: p.name, Line: 1, Msg: "empty policy: want version: 1 and rules:"}
	}
	top, err := p.mapping(body, "the policy")
	if err != nil {
		return nil, err
	}
	if len(top) == 0 {
		return nil, p.errAt(body, "empty policy: want version: %d and rules:", Version)
	}
	pol := &Policy{}
	var haveVersion bool
	var rulesKey ast.Node = top[0].Key // errors about the whole file point at its first key
	for _, mv := range top {
		switch k := p.key(mv); k {
		case "version":
			s, err := p.scalar(mv.Value, k)
			if err != nil {
				return nil, err
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return nil, p.errAt(mv.Value, "version: want an integer, got %q", s)
			}
			if n != Version {
				return nil, p.errAt(mv.Value, "version: %d is not supported (this rdsctl reads version %d)", n, Version)
			}
			pol.Version, haveVersion = n, true
		case "groups", "families", "regions":
			list, err := p.strings(mv.Value, k)
			if err != nil {
				return nil, err
			}
			for i, s := range list {
				switch k {
				case "groups":
					if _, err := path.Match(s, ""); err != nil || s == "" {
						return nil, p.errAt(p.item(mv.Value, i), "groups: %q is not a valid name glob", s)
					}
					pol.Groups = append(pol.Groups, strings.ToLower(s))
				case "families":
					pol.Families = append(pol.Families, strings.ToLower(s))
				default:
					pol.Regions = append(pol.Regions, s)
				}
			}
		case "kind":
			s, err := p.scalar(mv.Value, k)
			if err != nil {
				return nil, err
			}
			switch Kind(strings.ToLower(s)) {
			case KindDB, KindCluster:
				pol.Kind = Kind(strings.ToLower(s))
			case "all", "any":
			default:
				return nil, p.errAt(mv.Value, "kind: want db or cluster, got %q", s)
			}
		case "rules":
			rulesKey = mv.Key
			rules, err := p.rules(mv.Value)
			if err != nil {
				return nil, err
			}
			pol.Rules = rules
		default:
			return nil, p.errAt(mv.Key, "unknown key %q (want %s)", k, topKeys)
		}
	}
	if !haveVersion {
		return nil, p.errAt(top[0].Key, "missing version (write version: %d)", Version)
	}
	if len(pol.Rules) == 0 {
		return nil, p.errAt(rulesKey, "no rules: a policy needs at least one rule")
	}
	return pol, nil
}

func (p fileParser) rules(n ast.Node) ([]Rule, error) {
	seq, ok := yamldoc.Unwrap(n).(*ast.SequenceNode)
	if !ok {
		if _, null := yamldoc.Unwrap(n).(*ast.NullNode); null {
			return nil, nil
		}
		return nil, p.errAt(n, "rules: want a list of rules")
	}
	var out []Rule
	for _, item := range seq.Values {
		r, err := p.rule(item)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (p fileParser) rule(n ast.Node) (Rule, error) {
	fields, err := p.mapping(n, "a rule")
	if err != nil {
		return Rule{}, err
	}
	r := Rule{Severity: SeverityError}
	if len(fields) > 0 {
		r.Line, r.Column = pos(fields[0].Key)
	}
	// The error for a rule without a check points at the rule.
	ruleNode := ast.Node(n)
	if len(fields) > 0 {
		ruleNode = fields[0].Key
	}
	for _, mv := range fields {
		k := p.key(mv)
		switch k {
		case "parameter", "same_as":
			s, err := p.scalar(mv.Value, k)
			if err != nil {
				return r, err
			}
			s = strings.TrimSpace(s)
			if !params.ValidName(s) {
				return r, p.errAt(mv.Value, "%s: %q is not a parameter name", k, s)
			}
			if k == "parameter" {
				r.Parameter = s
				r.Line, r.Column = pos(mv.Key)
			} else {
				r.SameAs = s
			}
		case "equals":
			s, err := p.scalar(mv.Value, k)
			if err != nil {
				return r, err
			}
			if formula.IsFormula(s) {
				if err := formula.Validate(s); err != nil {
					return r, p.errAt(mv.Value, "equals: %v", err)
				}
			}
			r.Equals = &s
		case "min", "max":
			s, err := p.scalar(mv.Value, k)
			if err != nil {
				return r, err
			}
			if err := checkNumber(s); err != nil {
				return r, p.errAt(mv.Value, "%s: %v", k, err)
			}
			if k == "min" {
				r.Min = &s
			} else {
				r.Max = &s
			}
		case "one_of":
			list, err := p.strings(mv.Value, k)
			if err != nil {
				return r, err
			}
			if len(list) == 0 {
				return r, p.errAt(mv.Value, "one_of: want at least one value")
			}
			r.OneOf = list
		case "required", "forbidden", "applied":
			b, err := p.boolean(mv.Value, k)
			if err != nil {
				return r, err
			}
			switch k {
			case "required":
				r.Required = b
			case "forbidden":
				r.Forbidden = b
			default:
				r.Applied = b
			}
		case "severity":
			s, err := p.scalar(mv.Value, k)
			if err != nil {
				return r, err
			}
			switch Severity(strings.ToLower(s)) {
			case SeverityError, SeverityWarning:
				r.Severity = Severity(strings.ToLower(s))
			default:
				return r, p.errAt(mv.Value, "severity: want error or warning, got %q", s)
			}
		default:
			return r, p.errAt(mv.Key, "unknown key %q in a rule (want %s)", k, ruleKeys)
		}
	}
	switch {
	case r.Parameter == "" && !(r.Applied && len(r.Checks()) == 1):
		return r, p.errAt(ruleNode, "rule without a parameter: key (only applied: true may stand alone)")
	case len(r.Checks()) == 0:
		return r, p.errAt(ruleNode, "rule for %s checks nothing (want one of equals, one_of, min, max, required, forbidden, same_as, applied)", r.Parameter)
	case r.Required && r.Forbidden:
		return r, p.errAt(ruleNode, "rule for %s is both required and forbidden", r.Parameter)
	case r.Min != nil && r.Max != nil && !formula.IsFormula(*r.Min) && !formula.IsFormula(*r.Max) && compareNumbers(*r.Min, *r.Max) > 0:
		return r, p.errAt(ruleNode, "rule for %s: min %s is above max %s", r.Parameter, *r.Min, *r.Max)
	case r.SameAs != "" && strings.EqualFold(r.SameAs, r.Parameter):
		return r, p.errAt(ruleNode, "rule for %s: same_as names the parameter itself", r.Parameter)
	}
	return r, nil
}

// checkNumber accepts what min and max may hold: a number, a size such as
// 64M, or an RDS formula.
func checkNumber(s string) error {
	if formula.IsFormula(s) {
		return formula.Validate(s)
	}
	f, ok := number(s)
	if !ok {
		return fmt.Errorf("%q is not a number (want e.g. 600, 0.5, 64M or {DBInstanceClassMemory*3/4})", s)
	}
	if new(big.Float).Abs(f).Cmp(maxParameterNumber) > 0 {
		return fmt.Errorf("%q is out of range: no parameter holds a number beyond 2^64", s)
	}
	return nil
}

// maxParameterNumber bounds min and max: MySQL and MariaDB parameters are
// at most 64-bit, so a bound such as 1e309 is a mistake, not a policy.
var maxParameterNumber = new(big.Float).SetMantExp(big.NewFloat(1), 64)

// number reads a literal number, sizes (64M) included, as the server would.
func number(s string) (*big.Float, bool) {
	f, ok := new(big.Float).SetString(value.Normalize("integer", s))
	return f, ok
}

func compareNumbers(a, b string) int {
	x, _ := number(a)
	y, _ := number(b)
	if x == nil || y == nil {
		return 0
	}
	return x.Cmp(y)
}

// mapping returns a mapping's entries, refusing a key given twice.
func (p fileParser) mapping(n ast.Node, what string) ([]*ast.MappingValueNode, error) {
	var values []*ast.MappingValueNode
	switch m := yamldoc.Unwrap(n).(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	case *ast.AliasNode:
		return nil, p.errAt(n, "%s: aliases are not supported", what)
	default:
		return nil, p.errAt(n, "%s: want a mapping of key: value", what)
	}
	seen := map[string]int{}
	for _, mv := range values {
		k := p.key(mv)
		if first, dup := seen[k]; dup {
			return nil, p.errAt(mv.Key, "key %q given twice (first at line %d)", k, first)
		}
		seen[k], _ = pos(mv.Key)
	}
	return values, nil
}

func (p fileParser) key(mv *ast.MappingValueNode) string {
	if mv.Key == nil {
		return ""
	}
	s, err := p.scalar(mv.Key, "key")
	if err != nil {
		return mv.Key.String()
	}
	return s
}

// scalar returns a scalar's text as written, so that YAML's typing never
// changes a value.
func (p fileParser) scalar(n ast.Node, what string) (string, error) {
	switch s := yamldoc.Unwrap(n).(type) {
	case *ast.StringNode:
		return s.Value, nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return s.GetToken().Value, nil
	case *ast.NullNode, nil:
		return "", p.errAt(n, "%s: no value", what)
	case *ast.AliasNode:
		return "", p.errAt(n, "%s: aliases are not supported", what)
	case *ast.SequenceNode:
		return "", p.errAt(n, "%s: want a single value, got a list", what)
	case *ast.MappingNode, *ast.MappingValueNode:
		return "", p.errAt(n, "%s: want a single value, got a mapping", what)
	}
	return "", p.errAt(n, "%s: want a single value", what)
}

func (p fileParser) boolean(n ast.Node, what string) (bool, error) {
	s, err := p.scalar(n, what)
	if err != nil {
		return false, err
	}
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, p.errAt(n, "%s: want true or false, got %q", what, s)
}

// strings reads a list of scalars.
func (p fileParser) strings(n ast.Node, what string) ([]string, error) {
	seq, ok := yamldoc.Unwrap(n).(*ast.SequenceNode)
	if !ok {
		return nil, p.errAt(n, "%s: want a list, e.g. [a, b]", what)
	}
	out := make([]string, 0, len(seq.Values))
	for _, v := range seq.Values {
		s, err := p.scalar(v, what)
		if err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out, nil
}

func (p fileParser) item(n ast.Node, i int) ast.Node {
	if seq, ok := yamldoc.Unwrap(n).(*ast.SequenceNode); ok && i < len(seq.Values) {
		return seq.Values[i]
	}
	return n
}

func pos(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line, tk.Position.Column
	}
	return 0, 0
}

// CheckNames refuses a rule on a parameter that none of the families in
// known has (family -> parameter names, from engine defaults or the lab's
// catalog), naming the nearest valid name. With no families known (no
// group selected) there is nothing to check against.
func (pol *Policy) CheckNames(known map[string][]string) error {
	if len(known) == 0 {
		return nil
	}
	all := map[string]bool{}
	var names, fams []string
	for fam, ns := range known {
		fams = append(fams, fam)
		for _, n := range ns {
			k := canonical(n)
			if !all[k] {
				all[k] = true
				names = append(names, n)
			}
		}
	}
	sortStrings(fams)
	for _, r := range pol.Rules {
		for _, name := range []string{r.Parameter, r.SameAs} {
			if name == "" || all[canonical(name)] {
				continue
			}
			msg := fmt.Sprintf("unknown parameter %q: no selected family (%s) has it", name, strings.Join(fams, ", "))
			if s := params.Suggest(name, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			return &FileError{File: pol.Path, Line: r.Line, Column: r.Column, Msg: msg}
		}
	}
	return nil
}
