// Package formula parses and evaluates RDS parameter formulas such as
// {DBInstanceClassMemory*3/4} and GREATEST({DBInstanceClassMemory/9531392},5000).
//
// RDS defines the grammar loosely; this package accepts what RDS documents:
// a brace term holding one variable or integer followed by any number of
// "*N" or "/N" steps evaluated left to right with integer arithmetic, the
// functions GREATEST, LEAST and SUM over such terms, and plain integers.
package formula

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Vars are the instance facts a formula may refer to.
type Vars struct {
	DBInstanceClassMemory int64 // bytes
	DBInstanceVCPU        int64
	AllocatedStorage      int64 // bytes
	EndPointPort          int64
}

// ErrSyntax is wrapped by every parse error, so callers can tell a malformed
// formula from an unknown variable at evaluation time.
var ErrSyntax = errors.New("formula syntax error")

// IsFormula reports whether s uses formula syntax rather than a literal.
func IsFormula(s string) bool {
	s = strings.TrimSpace(s)
	return strings.Contains(s, "{") || hasFuncPrefix(s)
}

func hasFuncPrefix(s string) bool {
	u := strings.ToUpper(s)
	for _, f := range []string{"GREATEST(", "LEAST(", "SUM("} {
		if strings.HasPrefix(u, f) {
			return true
		}
	}
	return false
}

// Validate checks a formula's syntax without evaluating it.
func Validate(s string) error {
	_, err := parse(s)
	return err
}

// Eval evaluates a formula (or a plain integer) for the given instance facts.
func Eval(s string, v Vars) (int64, error) {
	n, err := parse(s)
	if err != nil {
		return 0, err
	}
	return n.eval(v)
}

type node interface {
	eval(Vars) (int64, error)
}

type num int64

func (n num) eval(Vars) (int64, error) { return int64(n), nil }

type step struct {
	op  byte // '*' or '/'
	arg int64
}

type brace struct {
	variable string // empty when base is a literal
	base     int64
	steps    []step
}

func (b brace) eval(v Vars) (int64, error) {
	x := b.base
	if b.variable != "" {
		switch b.variable {
		case "DBInstanceClassMemory":
			x = v.DBInstanceClassMemory
		case "DBInstanceVCPU":
			x = v.DBInstanceVCPU
		case "AllocatedStorage":
			x = v.AllocatedStorage
		case "EndPointPort":
			x = v.EndPointPort
		}
	}
	for _, s := range b.steps {
		if s.op == '*' {
			x *= s.arg
		} else {
			x /= s.arg
		}
	}
	return x, nil
}

type call struct {
	fn   string
	args []node
}

func (c call) eval(v Vars) (int64, error) {
	var acc int64
	for i, a := range c.args {
		x, err := a.eval(v)
		if err != nil {
			return 0, err
		}
		switch {
		case i == 0:
			acc = x
		case c.fn == "GREATEST" && x > acc, c.fn == "LEAST" && x < acc:
			acc = x
		case c.fn == "SUM":
			acc += x
		}
	}
	return acc, nil
}

var variables = map[string]bool{
	"DBInstanceClassMemory": true, "DBInstanceVCPU": true,
	"AllocatedStorage": true, "EndPointPort": true,
}

type parser struct {
	s   string
	pos int
}

func parse(s string) (node, error) {
	p := &parser{s: strings.TrimSpace(s)}
	if p.s == "" {
		return nil, fmt.Errorf("%w: empty formula", ErrSyntax)
	}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, p.errorf("unexpected %q", p.s[p.pos:])
	}
	return n, nil
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w in %q at offset %d: %s", ErrSyntax, p.s, p.pos, fmt.Sprintf(format, args...))
}

func (p *parser) space() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *parser) expr() (node, error) {
	p.space()
	if p.pos >= len(p.s) {
		return nil, p.errorf("expected a term")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.brace()
	case c == '-' || (c >= '0' && c <= '9'):
		n, err := p.integer()
		return num(n), err
	default:
		return p.call()
	}
}

func (p *parser) integer() (int64, error) {
	start := p.pos
	if p.pos < len(p.s) && p.s[p.pos] == '-' {
		p.pos++
	}
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.ParseInt(p.s[start:p.pos], 10, 64)
	if err != nil {
		p.pos = start
		return 0, p.errorf("expected an integer")
	}
	return n, nil
}

func (p *parser) ident() string {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || (p.pos > start && c >= '0' && c <= '9')) {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *parser) brace() (node, error) {
	p.pos++ // {
	p.space()
	var b brace
	if p.pos < len(p.s) && (p.s[p.pos] == '-' || p.s[p.pos] >= '0' && p.s[p.pos] <= '9') {
		n, err := p.integer()
		if err != nil {
			return nil, err
		}
		b.base = n
	} else {
		name := p.ident()
		if !variables[name] {
			if name == "" {
				return nil, p.errorf("expected a variable")
			}
			return nil, p.errorf("unknown variable %q (known: AllocatedStorage, DBInstanceClassMemory, DBInstanceVCPU, EndPointPort)", name)
		}
		b.variable = name
	}
	for {
		p.space()
		if p.pos >= len(p.s) {
			return nil, p.errorf("missing }")
		}
		c := p.s[p.pos]
		if c == '}' {
			p.pos++
			return b, nil
		}
		if c != '*' && c != '/' {
			return nil, p.errorf("expected *, / or }")
		}
		p.pos++
		p.space()
		n, err := p.integer()
		if err != nil {
			return nil, err
		}
		if c == '/' && n == 0 {
			return nil, p.errorf("division by zero")
		}
		b.steps = append(b.steps, step{op: c, arg: n})
	}
}

func (p *parser) call() (node, error) {
	name := strings.ToUpper(p.ident())
	switch name {
	case "GREATEST", "LEAST", "SUM":
	case "":
		return nil, p.errorf("expected a term")
	default:
		return nil, p.errorf("unknown function %s (known: GREATEST, LEAST, SUM)", name)
	}
	p.space()
	if p.pos >= len(p.s) || p.s[p.pos] != '(' {
		return nil, p.errorf("expected ( after %s", name)
	}
	p.pos++
	c := call{fn: name}
	for {
		arg, err := p.expr()
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, arg)
		p.space()
		if p.pos >= len(p.s) {
			return nil, p.errorf("missing )")
		}
		switch p.s[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return c, nil
		default:
			return nil, p.errorf("expected , or )")
		}
	}
}
