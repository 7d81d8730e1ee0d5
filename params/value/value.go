// Package value checks and normalises parameter values the way RDS reads a
// parameter's DataType and AllowedValues. Both the lab (which enforces AWS's
// rules) and the client (which validates before any call that changes
// anything) use it, so the two can never disagree about what is allowed.
package value

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/rdsctl/rdsctl/params/formula"
)

// ErrInvalid is wrapped by every rejection from Check.
var ErrInvalid = errors.New("invalid parameter value")

// Check reports whether v is an acceptable value for a parameter with the
// given DataType and AllowedValues. Formulas are accepted for integer
// parameters when their syntax is valid; RDS evaluates them per instance.
func Check(dataType, allowed, v string) error {
	s := strings.TrimSpace(v)
	if s == "" {
		return fmt.Errorf("%w: empty value", ErrInvalid)
	}
	if formula.IsFormula(s) {
		if dataType != "integer" {
			return fmt.Errorf("%w: formulas are only allowed for integer parameters", ErrInvalid)
		}
		if err := formula.Validate(s); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		return nil
	}
	switch dataType {
	case "integer":
		if _, ok := new(big.Int).SetString(s, 10); !ok {
			return fmt.Errorf("%w: %q is not an integer", ErrInvalid, v)
		}
	case "float":
		if _, ok := new(big.Float).SetString(s); !ok {
			return fmt.Errorf("%w: %q is not a number", ErrInvalid, v)
		}
	case "boolean":
		if _, ok := boolValue(s); !ok && allowed == "" {
			return fmt.Errorf("%w: %q is not a boolean (use 0 or 1)", ErrInvalid, v)
		}
	}
	if allowed == "" {
		return nil
	}
	items := []string{s}
	if dataType == "list" {
		items = splitList(s)
	}
	for _, it := range items {
		if !Allowed(dataType, allowed, it) {
			return fmt.Errorf("%w: %q is not one of the allowed values %s", ErrInvalid, it, allowed)
		}
	}
	return nil
}

// Allowed reports whether one item matches AllowedValues: a comma-separated
// list of literals and numeric ranges such as "1-31536000" or "-1-100".
func Allowed(dataType, allowed, item string) bool {
	item = strings.TrimSpace(item)
	for _, a := range strings.Split(allowed, ",") {
		a = strings.TrimSpace(a)
		if lo, hi, ok := parseRange(a); ok && (dataType == "integer" || dataType == "float") {
			x, ok := new(big.Float).SetString(item)
			if ok && x.Cmp(lo) >= 0 && x.Cmp(hi) <= 0 {
				return true
			}
			continue
		}
		if strings.EqualFold(a, item) {
			return true
		}
		if dataType == "boolean" {
			if bi, ok := boolValue(item); ok {
				if ba, ok := boolValue(a); ok && ba == bi {
					return true
				}
			}
		}
	}
	return false
}

// parseRange reads "lo-hi" where either bound may be negative.
func parseRange(a string) (lo, hi *big.Float, ok bool) {
	for i := 1; i < len(a); i++ {
		if a[i] != '-' {
			continue
		}
		l, ok1 := new(big.Float).SetString(a[:i])
		h, ok2 := new(big.Float).SetString(a[i+1:])
		if ok1 && ok2 {
			return l, h, true
		}
	}
	return nil, nil, false
}

func boolValue(s string) (bool, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "1", "ON", "TRUE", "YES":
		return true, true
	case "0", "OFF", "FALSE", "NO":
		return false, true
	}
	return false, false
}

func splitList(s string) []string {
	var out []string
	for _, it := range strings.Split(s, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

var sizeSuffix = map[byte]int64{'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30, 'T': 1 << 40}

// Normalize returns a canonical form of v for comparisons, so that values a
// server treats as equal compare equal: ON/1/TRUE, letter case, surrounding
// whitespace, size suffixes (64M) for integers, and list order.
func Normalize(dataType, v string) string {
	s := strings.TrimSpace(v)
	if formula.IsFormula(s) {
		return strings.Join(strings.Fields(s), "")
	}
	if b, ok := boolValue(s); ok && (dataType == "boolean" || dataType == "" || dataType == "string") {
		if dataType == "boolean" || strings.EqualFold(s, "ON") || strings.EqualFold(s, "OFF") {
			if b {
				return "1"
			}
			return "0"
		}
	}
	switch dataType {
	case "integer", "":
		if n, ok := parseSize(s); ok {
			return n.String()
		}
	case "float":
		if f, ok := new(big.Float).SetString(s); ok {
			return f.Text('g', -1)
		}
	case "list":
		items := splitList(strings.ToLower(s))
		sort.Strings(items)
		return strings.Join(items, ",")
	}
	return strings.ToLower(s)
}

// parseSize reads an integer with an optional K/M/G/T suffix.
func parseSize(s string) (*big.Int, bool) {
	if s == "" {
		return nil, false
	}
	mult := int64(1)
	if m, ok := sizeSuffix[strings.ToUpper(s[len(s)-1:])[0]]; ok {
		mult = m
		s = s[:len(s)-1]
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, false
	}
	return n.Mul(n, big.NewInt(mult)), true
}

// Equal reports whether two values are the same setting.
func Equal(dataType, a, b string) bool {
	return Normalize(dataType, a) == Normalize(dataType, b)
}
