package params

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/rdsctl/rdsctl/params/yamldoc"
)

// File is a desired-state file: the parameter groups a team wants, with
// the parameters they set by hand. `rdsctl params apply -f` makes RDS match
// it; `rdsctl params export` writes one from a live group.
//
//	groups:
//	  - name: staging-params
//	    family: mariadb10.11
//	    description: staging
//	    cluster: false          # true for a DB cluster parameter group
//	    parameters:
//	      wait_timeout: 300
//	      max_connections: "{DBInstanceClassMemory/12582880}"
//
// Parameters may also be a list of {name: ..., value: ...}, which is how
// `params export -o json` writes them; JSON, being YAML, parses as is.
//
// A group's parameters are the complete list of its user-set parameters:
// PlanFile resets a parameter that is user-set in the group but absent from
// the file. That is what makes the file the truth rather than a patch; an
// empty parameters mapping therefore resets every user-set parameter.
type File struct {
	// Path is the file name errors are reported against; Parse sets it.
	Path   string      `json:"-"`
	Groups []GroupSpec `json:"groups"`
}

// GroupSpec is one group in a File. Parameters keep the file's order;
// Export sorts them by name.
type GroupSpec struct {
	Name        string       `json:"name"`
	Family      string       `json:"family"`
	Description string       `json:"description,omitempty"`
	Cluster     bool         `json:"cluster,omitempty"`
	Parameters  []Assignment `json:"parameters"`

	line       int            // of the group's "- name:" entry
	paramLines map[string]int // parameter name -> line
}

// ID is the group's identity in RDS: names are case-insensitive (RDS
// stores them lowercased), and DB and DB cluster parameter groups are two
// namespaces.
func (g GroupSpec) ID() GroupID { return GroupID{Name: strings.ToLower(g.Name), Cluster: g.Cluster} }

// GroupID names a DB parameter group (Cluster false) or a DB cluster
// parameter group (Cluster true). Name is lowercase, as RDS stores it.
type GroupID struct {
	Name    string
	Cluster bool
}

// FileError is a desired-state file that cannot be read, with the line it
// goes wrong on, in the file:line form editors and CI annotations jump to.
type FileError struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *FileError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.fileName(), e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.fileName(), e.Line, e.Msg)
}

// Unwrap makes a bad file, like a bad argument, an ErrInvalid: refused
// before anything changed.
func (e *FileError) Unwrap() error { return ErrInvalid }

func (e *FileError) fileName() string {
	if e.File == "" {
		return "<input>"
	}
	return e.File
}

// ParseFile reads and parses the desired-state file at path, or standard
// input when path is "-": at most yamldoc.MaxSize bytes of a regular file
// or of stdin, read so that ctx can interrupt it.
func ParseFile(ctx context.Context, path string, stdin io.Reader) (*File, error) {
	data, err := yamldoc.ReadFile(ctx, path, stdin, "desired-state file", 0)
	if err != nil {
		var e *yamldoc.Error
		if errors.As(err, &e) {
			return nil, &FileError{File: e.File, Line: e.Line, Msg: e.Msg}
		}
		return nil, err
	}
	name := filepath.Base(path)
	if path == "-" {
		name = "<stdin>"
	}
	return Parse(name, data)
}

// Parse reads a desired-state file; name is used in error messages
// ("staging.yaml:7: unknown field \"paramters\""). It refuses what would
// otherwise be silently misread: unknown fields, values that are not
// scalars (a list, a mapping, an empty value), a parameter or group given
// twice, aliases, and more than one YAML document. Scalars are read as the
// text written, so 0300, 1e3 or 64M reach validation as typed instead of
// as whatever number YAML would make of them.
func Parse(name string, data []byte) (*File, error) {
	p := fileParser{name: name}
	f, err := p.parse(data)
	if err != nil {
		return nil, err
	}
	f.Path = name
	return f, nil
}

type fileParser struct{ name string }

func (p fileParser) errAt(n ast.Node, format string, args ...any) *FileError {
	line, col := yamldoc.Pos(n)
	return &FileError{File: p.name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (p fileParser) parse(data []byte) (*File, error) {
	body, err := yamldoc.Body(p.name, data, "more than one YAML document; put every group under one groups: list")
	if err != nil {
		var e *yamldoc.Error
		if errors.As(err, &e) {
			return nil, &FileError{File: e.File, Line: e.Line, Column: e.Column, Msg: e.Msg}
		}
		return nil, err
	}
	if body == nil {
		return nil, &FileError{File: p.name, Msg: "empty file: want a groups: list"}
	}
	top, err := p.mapping(body, "the file")
	if err != nil {
		return nil, err
	}
	f := &File{}
	var groupsNode ast.Node
	for _, mv := range top {
		switch k := p.key(mv); k {
		case "groups":
			groupsNode = mv.Value
		default:
			return nil, p.errAt(mv.Key, "unknown field %q (want groups)", k)
		}
	}
	if groupsNode == nil {
		return nil, p.errAt(body, "missing field \"groups\"")
	}
	seq, ok := yamldoc.Unwrap(groupsNode).(*ast.SequenceNode)
	if !ok {
		if _, null := yamldoc.Unwrap(groupsNode).(*ast.NullNode); null {
			return f, nil
		}
		return nil, p.errAt(groupsNode, "groups: want a list of groups")
	}
	seen := map[GroupID]int{}
	for _, item := range seq.Values {
		g, err := p.group(item)
		if err != nil {
			return nil, err
		}
		if first, dup := seen[g.ID()]; dup {
			return nil, &FileError{File: p.name, Line: g.line,
				Msg: fmt.Sprintf("duplicate group %q (first at line %d)", g.Name, first)}
		}
		seen[g.ID()] = g.line
		f.Groups = append(f.Groups, g)
	}
	return f, nil
}

func (p fileParser) group(n ast.Node) (GroupSpec, error) {
	fields, err := p.mapping(n, "a group")
	if err != nil {
		return GroupSpec{}, err
	}
	g := GroupSpec{paramLines: map[string]int{}}
	if tk := yamldoc.Unwrap(n).GetToken(); tk != nil && tk.Position != nil {
		g.line = tk.Position.Line
	}
	var hasParams bool
	for _, mv := range fields {
		k := p.key(mv)
		switch k {
		case "name", "family", "description":
			s, err := p.scalar(mv.Value, k)
			if err != nil {
				return g, err
			}
			s = strings.TrimSpace(s)
			switch k {
			case "name":
				g.Name = s
				if ln := lineOf(mv.Key); ln > 0 {
					g.line = ln
				}
			case "family":
				g.Family = s
			default:
				g.Description = s
			}
		case "cluster":
			s, err := p.scalar(mv.Value, k)
			if err != nil {
				return g, err
			}
			switch strings.ToLower(s) {
			case "true":
				g.Cluster = true
			case "false":
			default:
				return g, p.errAt(mv.Value, "cluster: want true or false, got %q", s)
			}
		case "parameters":
			hasParams = true
			if err := p.parameters(mv.Value, &g); err != nil {
				return g, err
			}
		default:
			return g, p.errAt(mv.Key, "unknown field %q (want name, family, description, cluster, parameters)", k)
		}
	}
	switch {
	case g.Name == "":
		return g, p.errAt(n, "group without a name")
	case g.Family == "":
		return g, &FileError{File: p.name, Line: g.line, Msg: fmt.Sprintf("group %q: missing family (e.g. mariadb10.11)", g.Name)}
	case !hasParams:
		// A missing key would otherwise mean "reset everything": make that explicit.
		return g, &FileError{File: p.name, Line: g.line, Msg: fmt.Sprintf("group %q: missing parameters (write parameters: {} to reset every user-set parameter)", g.Name)}
	}
	return g, nil
}

func (p fileParser) parameters(n ast.Node, g *GroupSpec) error {
	if _, null := yamldoc.Unwrap(n).(*ast.NullNode); null {
		return nil
	}
	if seq, ok := yamldoc.Unwrap(n).(*ast.SequenceNode); ok {
		return p.parameterList(seq, g)
	}
	fields, err := p.mapping(n, "parameters")
	if err != nil {
		return err
	}
	for _, mv := range fields {
		if err := p.parameter(g, p.key(mv), mv.Key, mv.Value); err != nil {
			return err
		}
	}
	return nil
}

// parameterList reads parameters written as a list of {name, value}, the
// form `params export -o json` writes, so that whatever export writes,
// apply reads.
func (p fileParser) parameterList(seq *ast.SequenceNode, g *GroupSpec) error {
	for _, item := range seq.Values {
		fields, err := p.mapping(item, "a parameter")
		if err != nil {
			return err
		}
		var nameNode, valueNode ast.Node
		for _, mv := range fields {
			switch k := p.key(mv); k {
			case "name":
				nameNode = mv.Value
			case "value":
				valueNode = mv.Value
			default:
				return p.errAt(mv.Key, "unknown field %q (want name, value)", k)
			}
		}
		if nameNode == nil {
			return p.errAt(item, "a parameter: missing name")
		}
		name, err := p.scalar(nameNode, "a parameter's name")
		if err != nil {
			return err
		}
		if valueNode == nil {
			return p.errAt(item, "%s: missing value (remove the entry to leave it unset)", name)
		}
		if err := p.parameter(g, name, nameNode, valueNode); err != nil {
			return err
		}
	}
	return nil
}

// parameter adds one parameter to g, whichever form the file wrote it in.
func (p fileParser) parameter(g *GroupSpec, name string, keyNode, valueNode ast.Node) error {
	if !ValidName(name) {
		return p.errAt(keyNode, "invalid parameter name %q", name)
	}
	if _, dup := g.paramLines[name]; dup {
		return p.errAt(keyNode, "parameter %q given twice (first at line %d)", name, g.paramLines[name])
	}
	v, err := p.scalar(valueNode, name)
	if err != nil {
		return err
	}
	a, prob, ok := parseAssignment(name + "=" + v)
	if !ok {
		return p.errAt(valueNode, "%s: %s", name, prob.Reason)
	}
	g.paramLines[name] = lineOf(keyNode)
	g.Parameters = append(g.Parameters, a)
	return nil
}

// mapping returns a mapping node's entries, or an error saying what was
// wanted.
func (p fileParser) mapping(n ast.Node, what string) ([]*ast.MappingValueNode, error) {
	switch m := yamldoc.Unwrap(n).(type) {
	case *ast.MappingNode:
		return m.Values, nil
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}, nil
	case *ast.AliasNode:
		return nil, p.errAt(n, "%s: aliases are not supported", what)
	}
	return nil, p.errAt(n, "%s: want a mapping of key: value", what)
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

// scalar returns the text of a scalar node as written (unquoted), so that
// YAML's number and boolean typing never changes a value.
func (p fileParser) scalar(n ast.Node, what string) (string, error) {
	switch s := yamldoc.Unwrap(n).(type) {
	case *ast.StringNode:
		return s.Value, nil
	case *ast.LiteralNode:
		if s.Value != nil {
			return s.Value.Value, nil
		}
		return "", nil
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return s.GetToken().Value, nil
	case *ast.NullNode, nil:
		return "", p.errAt(n, "%s: no value (remove the line to leave it unset)", what)
	case *ast.AliasNode:
		return "", p.errAt(n, "%s: aliases are not supported", what)
	}
	return "", p.errAt(n, "%s: value is not a scalar", what)
}

func lineOf(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}
