package params

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParseFile(t *testing.T) {
	f, err := ParseFile(context.Background(), "testdata/staging.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != "staging.yaml" || len(f.Groups) != 2 {
		t.Fatalf("file = %+v", f)
	}
	g := f.Groups[0]
	if g.Name != "staging-params" || g.Family != "mariadb10.11" || g.Description != "staging" || g.Cluster {
		t.Errorf("group header = %+v", g)
	}
	want := []Assignment{
		{"wait_timeout", "300"}, {"interactive_timeout", "300"},
		{"max_connections", "{DBInstanceClassMemory/12582880}"},
		{"sql_mode", "STRICT_TRANS_TABLES,NO_ZERO_DATE"},
		{"slow_query_log", "ON"}, // as written, not YAML 1.1's true
		{"init_connect", "SET NAMES utf8mb4 # not a comment"},
	}
	if !reflect.DeepEqual(g.Parameters, want) {
		t.Errorf("parameters:\n got %v\nwant %v", g.Parameters, want)
	}
	if g.line != 3 || g.paramLines["max_connections"] != 9 {
		t.Errorf("lines: group %d, max_connections %d", g.line, g.paramLines["max_connections"])
	}
	c := f.Groups[1]
	if !c.Cluster || len(c.Parameters) != 0 || c.ID() != (GroupID{"staging-cluster", true}) {
		t.Errorf("cluster group = %+v", c)
	}
}

var parseErrorCases = []struct {
	name, src, want string
}{
	{"unknown field", `groups:
  - name: staging-params
    family: mariadb10.11
    description: staging
    parameters:
      wait_timeout: 300
    paramters:
      x: 1
`, `staging.yaml:7: unknown field "paramters"`},
	{"unknown top-level field", "group:\n  - name: a\n", `staging.yaml:1: unknown field "group"`},
	{"list value", "groups:\n  - name: a\n    family: f\n    parameters:\n      sql_mode: [A, B]\n", `staging.yaml:5: sql_mode: value is not a scalar`},
	{"mapping value", "groups:\n  - name: a\n    family: f\n    parameters:\n      x:\n        y: 1\n", `staging.yaml:6: x: value is not a scalar`},
	{"empty value", "groups:\n  - name: a\n    family: f\n    parameters:\n      wait_timeout:\n", `staging.yaml:5: wait_timeout: no value`},
	{"blank string", "groups:\n  - name: a\n    family: f\n    parameters:\n      wait_timeout: \"  \"\n", `staging.yaml:5: wait_timeout: empty value`},
	{"duplicate group", "groups:\n  - name: a\n    family: f\n    parameters: {}\n  - name: A\n    family: f\n    parameters: {}\n",
		`staging.yaml:5: duplicate group "A" (first at line 2)`},
	{"duplicate parameter", "groups:\n  - name: a\n    family: f\n    parameters:\n      x: 1\n      x: 2\n", `staging.yaml:6: malformed YAML: mapping key "x" already defined`},
	{"no family", "groups:\n  - name: a\n    parameters: {}\n", `staging.yaml:2: group "a": missing family`},
	{"no parameters key", "groups:\n  - name: a\n    family: f\n", `staging.yaml:2: group "a": missing parameters`},
	{"no name", "groups:\n  - family: f\n    parameters: {}\n", `staging.yaml:2: group without a name`},
	{"bad cluster", "groups:\n  - name: a\n    family: f\n    cluster: maybe\n    parameters: {}\n", `staging.yaml:4: cluster: want true or false`},
	{"groups not a list", "groups: 5\n", `staging.yaml:1: groups: want a list`},
	{"syntax", "groups: [\n", `staging.yaml:1: malformed YAML: sequence end token`},
	{"two documents", "groups: []\n---\ngroups: []\n", `staging.yaml:2: more than one YAML document`},
	{"alias", "groups:\n  - name: a\n    family: f\n    parameters:\n      x: &v 1\n      y: *v\n", `staging.yaml:6: y: aliases are not supported`},
	{"bad name", "groups:\n  - name: a\n    family: f\n    parameters:\n      \"wait timeout\": 1\n", `staging.yaml:5: invalid parameter name "wait timeout"`},
	{"list: duplicate", "groups:\n  - name: a\n    family: f\n    parameters:\n      - {name: x, value: 1}\n      - {name: x, value: 2}\n", `staging.yaml:6: parameter "x" given twice (first at line 5)`},
	{"list: no value", "groups:\n  - name: a\n    family: f\n    parameters:\n      - name: x\n", `staging.yaml:5: x: missing value`},
	{"list: no name", "groups:\n  - name: a\n    family: f\n    parameters:\n      - value: 1\n", `staging.yaml:5: a parameter: missing name`},
	{"list: extra field", "groups:\n  - name: a\n    family: f\n    parameters:\n      - {name: x, value: 1, source: user}\n", `staging.yaml:5: unknown field "source" (want name, value)`},
	{"list: not a mapping", "groups:\n  - name: a\n    family: f\n    parameters:\n      - x=1\n", `staging.yaml:5: a parameter: want a mapping`},
	{"empty file", "", `staging.yaml: empty file`},
	{"scalar file", "hello\n", `staging.yaml:1: the file: want a mapping`},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range parseErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("staging.yaml", []byte(tc.src))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("Parse error = %v, want prefix %q", err, tc.want)
			}
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) {
				t.Errorf("error %T is not a *FileError / ErrInvalid", err)
			}
		})
	}
}

func assertSameFile(t *testing.T, want, got *File, src []byte) {
	t.Helper()
	if len(want.Groups) != len(got.Groups) {
		t.Fatalf("groups: %d, want %d\n%s", len(got.Groups), len(want.Groups), src)
	}
	for i := range want.Groups {
		w, g := want.Groups[i], got.Groups[i]
		if w.Name != g.Name || w.Family != g.Family || w.Description != g.Description || w.Cluster != g.Cluster ||
			len(w.Parameters) != len(g.Parameters) {
			t.Fatalf("group %d: got %+v, want %+v\n%s", i, g, w, src)
		}
		for j := range w.Parameters {
			if w.Parameters[j] != g.Parameters[j] {
				t.Fatalf("group %d parameter %d: got %+v, want %+v\n%s", i, j, g.Parameters[j], w.Parameters[j], src)
			}
		}
	}
}

// FuzzParse checks that Parse never panics, and that whatever it accepts
// marshals to a file it reads back the same.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("testdata/staging.yaml"); err == nil {
		f.Add(string(b))
	}
	for _, tc := range parseErrorCases {
		f.Add(tc.src)
	}
	f.Add("groups:\n  - name: a\n    family: f\n    parameters:\n      x: \"{DBInstanceClassMemory*3/4}\"\n      y: 'it''s'\n      z: |\n        multi\n")
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse("fuzz.yaml", []byte(src))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not a *FileError", err, err)
			}
			return
		}
		for _, g := range file.Groups {
			for _, a := range g.Parameters {
				if _, err := ParseAssignment(a.String()); err != nil {
					t.Fatalf("accepted parameter %+v that P=V refuses: %v", a, err)
				}
			}
		}
		b, err := file.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := Parse("fuzz.yaml", b)
		if err != nil {
			t.Fatalf("Parse(Marshal()) = %v\n%s", err, b)
		}
		assertSameFile(t, file, back, b)
	})
}
