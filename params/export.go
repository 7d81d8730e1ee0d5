package params

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// Export describes a live group as a GroupSpec: only its user-set
// parameters (Source "user"), sorted by name, because those are the ones
// somebody chose; system and engine-default values follow the family and
// would pin it. Parse(Marshal(Export(...))) gives the same spec back.
func Export(name, family, description string, cluster bool, params []types.Parameter) GroupSpec {
	g := GroupSpec{Name: name, Family: family, Description: description, Cluster: cluster}
	for _, p := range params {
		if isUserSet(p) && str(p.ParameterName) != "" && p.ParameterValue != nil {
			g.Parameters = append(g.Parameters, Assignment{Name: *p.ParameterName, Value: *p.ParameterValue})
		}
	}
	sort.Slice(g.Parameters, func(i, j int) bool { return g.Parameters[i].Name < g.Parameters[j].Name })
	return g
}

// Marshal writes f as YAML that Parse reads back to the same groups. The
// encoding is written here rather than by a generic encoder so that every
// value's quoting is decided by one rule: plain decimal integers and simple
// words are written bare (wait_timeout: 300, slow_query_log: ON),
// everything else double-quoted, so YAML can never reinterpret a value
// ("{DBInstanceClassMemory*3/4}" would otherwise be a flow mapping).
func (f *File) Marshal() ([]byte, error) {
	var b strings.Builder
	if len(f.Groups) == 0 {
		b.WriteString("groups: []\n")
		return []byte(b.String()), nil
	}
	b.WriteString("groups:\n")
	for _, g := range f.Groups {
		b.WriteString("  - name: " + yamlScalar(g.Name) + "\n")
		b.WriteString("    family: " + yamlScalar(g.Family) + "\n")
		if g.Description != "" {
			b.WriteString("    description: " + yamlScalar(g.Description) + "\n")
		}
		if g.Cluster {
			b.WriteString("    cluster: true\n")
		}
		if len(g.Parameters) == 0 {
			b.WriteString("    parameters: {}\n")
			continue
		}
		b.WriteString("    parameters:\n")
		for _, a := range g.Parameters {
			b.WriteString("      " + yamlScalar(a.Name) + ": " + yamlScalar(a.Value) + "\n")
		}
	}
	return []byte(b.String()), nil
}

// yamlScalar writes s bare when YAML reads it back as the very same text,
// and double-quoted otherwise. strconv.Quote's escapes (\", \\, \uXXXX) are
// a subset of YAML's double-quoted ones.
func yamlScalar(s string) string {
	if isPlainInteger(s) || isPlainWord(s) {
		return s
	}
	return strconv.Quote(s)
}

func isPlainInteger(s string) bool {
	d := strings.TrimPrefix(s, "-")
	if d == "0" {
		return s == "0"
	}
	if d == "" || d[0] < '1' || d[0] > '9' {
		return false
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isPlainWord accepts names and enum-like values: a letter or "_" then
// letters, digits and _ . , / + -, except YAML's null spellings.
func isPlainWord(s string) bool {
	if s == "" || !(s[0] == '_' || unicode.IsLetter(rune(s[0])) && s[0] < utf8.RuneSelf) {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("_.,/+-", r):
		default:
			return false
		}
	}
	switch s {
	case "null", "Null", "NULL":
		return false
	}
	return true
}
