package lab

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// request is one decoded Query API call. Values are looked up by name:
// list members are keyed by member name and index
// (Parameters.Parameter.N.ParameterName), never by position in the body.
type request struct {
	action string
	form   url.Values
	id     string
	// resource names the parameter groups or instances touched, for
	// requests.jsonl; it never holds a value.
	resource string
}

func (r *request) str(name string) string { return r.form.Get(name) }

func (r *request) required(name string) (string, error) {
	v := r.form.Get(name)
	if v == "" {
		return "", missingParameter(name)
	}
	return v, nil
}

// boolean reads an optional xs:boolean.
func (r *request) boolean(name string) (val, set bool, err error) {
	v := r.form.Get(name)
	switch strings.ToLower(v) {
	case "":
		return false, false, nil
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, true, apiErr(codeInvalidParameterValue, "Invalid value '%s' for boolean parameter %s", v, name)
}

// integer reads an optional xs:int.
func (r *request) integer(name string) (val int, set bool, err error) {
	v := r.form.Get(name)
	if v == "" {
		return 0, false, nil
	}
	n, perr := strconv.Atoi(v)
	if perr != nil {
		return 0, true, apiErr(codeInvalidParameterValue, "Invalid value '%s' for integer parameter %s", v, name)
	}
	return n, true, nil
}

// members decodes a list of structures: for prefix "Parameters.Parameter"
// it groups Parameters.Parameter.N.Field keys by N, in numeric order of N,
// each as a Field -> value map.
func members(form url.Values, prefix string) []map[string]string {
	byIndex := map[int]map[string]string{}
	p := prefix + "."
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, p)
		if !ok || len(vs) == 0 {
			continue
		}
		idx, field, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if err != nil || n < 1 {
			continue
		}
		m := byIndex[n]
		if m == nil {
			m = map[string]string{}
			byIndex[n] = m
		}
		m[field] = vs[0]
	}
	return ordered(byIndex)
}

// scalars decodes a list of strings, e.g. Values.Value.N.
func scalars(m map[string]string, prefix string) []string {
	p := prefix + "."
	byIndex := map[int]string{}
	for k, v := range m {
		rest, ok := strings.CutPrefix(k, p)
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(rest); err == nil && n >= 1 {
			byIndex[n] = v
		}
	}
	idx := make([]int, 0, len(byIndex))
	for n := range byIndex {
		idx = append(idx, n)
	}
	sort.Ints(idx)
	out := make([]string, len(idx))
	for i, n := range idx {
		out[i] = byIndex[n]
	}
	return out
}

func ordered(byIndex map[int]map[string]string) []map[string]string {
	idx := make([]int, 0, len(byIndex))
	for n := range byIndex {
		idx = append(idx, n)
	}
	sort.Ints(idx)
	out := make([]map[string]string, len(idx))
	for i, n := range idx {
		out[i] = byIndex[n]
	}
	return out
}

// filter is one Filters.Filter.N of a Describe call.
type filter struct {
	Name   string
	Values []string
}

func (r *request) filters() []filter {
	var out []filter
	for _, m := range members(r.form, "Filters.Filter") {
		out = append(out, filter{Name: m["Name"], Values: scalars(m, "Values.Value")})
	}
	return out
}

// formScalars decodes a top-level list of strings, e.g.
// EventCategories.EventCategory.N.
func formScalars(form url.Values, prefix string) []string {
	m := map[string]string{}
	for k, vs := range form {
		if strings.HasPrefix(k, prefix+".") && len(vs) > 0 {
			m[k] = vs[0]
		}
	}
	return scalars(m, prefix)
}
