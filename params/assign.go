package params

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Assignment is one requested parameter value, as given on the command
// line (P=V) or in a desired-state file.
type Assignment struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// String formats a as P=V, the form ParseAssignment reads back.
func (a Assignment) String() string { return a.Name + "=" + a.Value }

// ParseAssignment reads one P=V argument.
//
// The rules, chosen so that what reaches RDS is exactly what was typed:
//   - the name is everything before the first "=", so a value may itself
//     contain "=" (init_connect=SET x=1);
//   - surrounding whitespace is trimmed from name and value, because no
//     server option is sensitive to it and shells make it easy to add;
//   - an empty value is always an error, quoted or not: RDS refuses blank
//     values, and the way back to the default is `rdsctl params reset`.
//     Quotes are the shell's business and are never removed here, so
//     `P="”"` sends the two characters ” rather than an empty value;
//   - a formula such as {DBInstanceClassMemory*3/4} is an ordinary value;
//     validation checks its syntax against the parameter's DataType;
//   - names are letters, digits, "_", "-" and "."; values are valid UTF-8
//     without control characters, which RDS would refuse or mangle.
//
// A rejection is a *ValidationError naming the argument.
func ParseAssignment(arg string) (Assignment, error) {
	a, p, ok := parseAssignment(arg)
	if !ok {
		return Assignment{}, &ValidationError{Problems: []Problem{p}}
	}
	return a, nil
}

// ParseAssignments reads P=V arguments in order. Every malformed argument
// is reported, not just the first. The same parameter given twice with the
// same value collapses to one assignment (scripts that build argument lists
// do this innocently); given twice with different values it is an error,
// because which one wins would be a guess.
func ParseAssignments(args []string) ([]Assignment, error) {
	var (
		out      []Assignment
		problems []Problem
		seen     = map[string]int{} // name -> index in out
	)
	for _, arg := range args {
		a, p, ok := parseAssignment(arg)
		if !ok {
			problems = append(problems, p)
			continue
		}
		if i, dup := seen[a.Name]; dup {
			if out[i].Value != a.Value {
				problems = append(problems, Problem{Kind: ProblemConflict, Param: a.Name, Value: a.Value, Arg: arg,
					Reason: "given twice with different values (" + quote(out[i].Value) + " and " + quote(a.Value) + ")"})
			}
			continue
		}
		seen[a.Name] = len(out)
		out = append(out, a)
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return out, nil
}

func parseAssignment(arg string) (Assignment, Problem, bool) {
	bad := func(name, reason string) (Assignment, Problem, bool) {
		return Assignment{}, Problem{Kind: ProblemSyntax, Param: name, Arg: arg, Reason: reason}, false
	}
	name, v, ok := strings.Cut(arg, "=")
	if !ok {
		return bad("", `missing "=" (want PARAM=VALUE)`)
	}
	name, v = strings.TrimSpace(name), strings.TrimSpace(v)
	if name == "" {
		return bad("", "missing parameter name before \"=\"")
	}
	if !ValidName(name) {
		return bad("", "invalid parameter name "+quote(name)+" (letters, digits, _, - and . only)")
	}
	if v == "" {
		return bad(name, "empty value (RDS refuses blank values; use `rdsctl params reset` to restore the default)")
	}
	if !utf8.ValidString(v) {
		return bad(name, "value is not valid UTF-8")
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return bad(name, "value contains a control character")
	}
	return Assignment{Name: name, Value: v}, Problem{}, true
}

// ValidName reports whether s can be an RDS MySQL/MariaDB parameter name.
// It is a syntax check only; whether the group has the parameter is
// Validate's job.
func ValidName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
}
