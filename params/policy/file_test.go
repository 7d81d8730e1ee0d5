package policy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const examplePolicy = `version: 1
groups: ["staging-*"]
families: [mariadb10.11]
kind: db
regions: [us-east-1, eu-west-1]
rules:
  - parameter: wait_timeout
    max: 600
    min: 60
  - parameter: interactive_timeout
    same_as: wait_timeout
  - parameter: require_secure_transport
    equals: "ON"
  - parameter: innodb_log_buffer_size
    applied: true
    severity: warning
  - parameter: binlog_format
    one_of: [ROW, MIXED]
  - parameter: max_connections
    required: true
  - parameter: general_log
    forbidden: true
`

func TestParseExample(t *testing.T) {
	pol, err := Parse("policy.yaml", []byte(examplePolicy))
	if err != nil {
		t.Fatal(err)
	}
	if pol.Version != 1 || pol.Kind != KindDB || len(pol.Rules) != 7 {
		t.Fatalf("got %+v", pol)
	}
	if got := strings.Join(pol.Groups, ","); got != "staging-*" {
		t.Errorf("groups = %q", got)
	}
	if got := strings.Join(pol.Regions, ","); got != "us-east-1,eu-west-1" {
		t.Errorf("regions = %q", got)
	}
	wantLines := []int{7, 10, 12, 14, 17, 19, 21}
	for i, r := range pol.Rules {
		if r.Line != wantLines[i] || r.Column != 5 {
			t.Errorf("rule %d (%s) at %d:%d, want %d:5", i, r.Parameter, r.Line, r.Column, wantLines[i])
		}
	}
	r := pol.Rules[0]
	if r.Max == nil || *r.Max != "600" || r.Min == nil || *r.Min != "60" || r.Severity != SeverityError {
		t.Errorf("rule 0 = %+v", r)
	}
	var names []string
	for _, c := range r.Checks() {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "min,max" {
		t.Errorf("checks = %v", names)
	}
	if *pol.Rules[2].Equals != "ON" || pol.Rules[3].Severity != SeverityWarning || !pol.Rules[3].Applied {
		t.Errorf("rules 2,3 = %+v %+v", pol.Rules[2], pol.Rules[3])
	}
	if strings.Join(pol.Rules[4].OneOf, ",") != "ROW,MIXED" || !pol.Rules[5].Required || !pol.Rules[6].Forbidden {
		t.Errorf("rules 4-6 = %+v", pol.Rules[4:])
	}
}

var parseErrorCases = []struct {
	name      string
	src       string
	line, col int
	msg       string
}{
	{"unknown top key", "version: 1\nrulez: []\n", 2, 1, `unknown key "rulez"`},
	{"unknown rule key", "version: 1\nrules:\n  - parameter: wait_timeout\n    maximum: 600\n", 4, 5, `unknown key "maximum" in a rule`},
	{"missing version", "rules:\n  - parameter: a\n    max: 1\n", 1, 1, "missing version"},
	{"bad version", "version: 2\nrules:\n  - parameter: a\n    max: 1\n", 1, 10, "version: 2 is not supported"},
	{"version not int", "version: one\nrules: []\n", 1, 10, "version: want an integer"},
	{"no rules", "version: 1\nrules: []\n", 2, 1, "no rules"},
	{"max not a number", "version: 1\nrules:\n  - parameter: wait_timeout\n    max: lots\n", 4, 10, `max: "lots" is not a number`},
	{"max a list", "version: 1\nrules:\n  - parameter: wait_timeout\n    max: [1, 2]\n", 4, 10, "want a single value, got a list"},
	{"bad formula", "version: 1\nrules:\n  - parameter: x\n    max: \"{Memory*2}\"\n", 4, 10, "unknown variable"},
	{"bad severity", "version: 1\nrules:\n  - parameter: wait_timeout\n    max: 600\n    severity: fatal\n", 5, 15, `severity: want error or warning, got "fatal"`},
	{"required not bool", "version: 1\nrules:\n  - parameter: wait_timeout\n    required: yes please\n", 4, 15, "required: want true or false"},
	{"one_of scalar", "version: 1\nrules:\n  - parameter: binlog_format\n    one_of: ROW\n", 4, 13, "one_of: want a list"},
	{"groups scalar", "version: 1\ngroups: staging-*\nrules:\n  - parameter: a\n    max: 1\n", 2, 9, "groups: want a list"},
	{"bad glob", "version: 1\ngroups: [\"staging-[\"]\nrules:\n  - parameter: a\n    max: 1\n", 2, 10, "not a valid name glob"},
	{"bad kind", "version: 1\nkind: instance\nrules:\n  - parameter: a\n    max: 1\n", 2, 7, "kind: want db or cluster"},
	{"no check", "version: 1\nrules:\n  - parameter: wait_timeout\n    severity: warning\n", 3, 5, "checks nothing"},
	{"no parameter", "version: 1\nrules:\n  - max: 600\n", 3, 5, "rule without a parameter"},
	{"required and forbidden", "version: 1\nrules:\n  - parameter: a\n    required: true\n    forbidden: true\n", 3, 5, "both required and forbidden"},
	{"min above max", "version: 1\nrules:\n  - parameter: a\n    min: 10\n    max: 5\n", 3, 5, "min 10 is above max 5"},
	{"same_as itself", "version: 1\nrules:\n  - parameter: a\n    same_as: A\n", 3, 5, "same_as names the parameter itself"},
	{"duplicate key", "version: 1\nrules:\n  - parameter: a\n    max: 1\n    max: 2\n", 5, 5, `mapping key "max" already defined at [4:5]`},
	{"bad parameter name", "version: 1\nrules:\n  - parameter: \"wait timeout\"\n    max: 1\n", 3, 16, "is not a parameter name"},
	{"malformed yaml", "version: 1\nrules:\n  - parameter: [a\n", 3, 16, "malformed YAML"},
	{"tab indentation", "version: 1\nrules:\n\t- parameter: a\n", 3, 1, "malformed YAML"},
	{"not a mapping", "- a\n- b\n", 1, 1, "the policy: want a mapping"},
	{"rule not a mapping", "version: 1\nrules:\n  - wait_timeout\n", 3, 5, "a rule: want a mapping"},
	{"two documents", "version: 1\nrules:\n  - parameter: a\n    max: 1\n---\nversion: 1\n", 5, 1, "more than one YAML document"},
	{"empty", "", 1, 0, "empty policy"},
	{"alias", "version: 1\nx: &a 1\nrules:\n  - parameter: a\n    max: *a\n", 2, 1, `unknown key "x"`},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range parseErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tc.src))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%T), want a *FileError", err, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("err does not wrap ErrInvalid")
			}
			if fe.Line != tc.line || (tc.col != 0 && fe.Column != tc.col) {
				t.Errorf("at %d:%d, want %d:%d (%v)", fe.Line, fe.Column, tc.line, tc.col, err)
			}
			if !strings.Contains(fe.Msg, tc.msg) {
				t.Errorf("msg = %q, want it to contain %q", fe.Msg, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "p.yaml:") {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}

func TestParseFileLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("version: 1\n"+strings.Repeat("# filler\n", MaxFileSize/9+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseFile(context.Background(), big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
	if _, err := ParseFile(context.Background(), filepath.Join(dir, "missing.yaml")); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing file: %v", err)
	}
}

func TestCheckNames(t *testing.T) {
	pol, err := Parse("p.yaml", []byte("version: 1\nrules:\n  - parameter: wait_timeout\n    max: 600\n  - parameter: interactive_timeout\n    same_as: wait_timout\n"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string][]string{"mariadb10.11": {"wait_timeout", "interactive_timeout", "max_connections"}}
	err = pol.CheckNames(known)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line != 5 || !strings.Contains(fe.Msg, `unknown parameter "wait_timout"`) ||
		!strings.Contains(fe.Msg, "did you mean wait_timeout?") || !strings.Contains(fe.Msg, "mariadb10.11") {
		t.Fatalf("CheckNames = %v", err)
	}
	if err := pol.CheckNames(nil); err != nil {
		t.Errorf("no families: %v", err)
	}
	known["mariadb10.11"] = append(known["mariadb10.11"], "Wait-Timout")
	if err := pol.CheckNames(known); err != nil {
		t.Errorf("names compare canonically: %v", err)
	}
}

func TestSelects(t *testing.T) {
	pol := &Policy{Groups: []string{"staging-*"}, Families: []string{"mariadb10.11"}}
	for _, tc := range []struct {
		kind         Kind
		name, family string
		want         bool
	}{
		{KindDB, "staging-a", "mariadb10.11", true},
		{KindDB, "Staging-A", "MariaDB10.11", true},
		{KindCluster, "staging-a", "mariadb10.11", true},
		{KindDB, "prod-a", "mariadb10.11", false},
		{KindDB, "staging-a", "mysql8.0", false},
	} {
		if got := pol.Selects(tc.kind, tc.name, tc.family); got != tc.want {
			t.Errorf("Selects(%s, %s, %s) = %v", tc.kind, tc.name, tc.family, got)
		}
	}
	all := &Policy{Kind: KindCluster}
	if all.Selects(KindDB, "x", "f") || !all.Selects(KindCluster, "x", "f") || all.Selects(KindCluster, "default.aurora-mysql8.0", "f") {
		t.Error("kind or default-group selection wrong")
	}
}

// FuzzParse checks that Parse never panics, that every rejection is a
// *FileError with a position inside the input, and that what it accepts
// is a usable policy.
func FuzzParse(f *testing.F) {
	f.Add(examplePolicy)
	for _, tc := range parseErrorCases {
		f.Add(tc.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		pol, err := Parse("fuzz.yaml", []byte(src))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T %v is not a *FileError", err, err)
			}
			// YAML ends lines at \n, \r and \r\n alike.
			if lines := strings.Count(src, "\n") + strings.Count(src, "\r") + 1; fe.Line > lines+1 {
				t.Fatalf("error line %d beyond the input's %d lines: %v", fe.Line, lines, err)
			}
			return
		}
		if pol.Version != Version || len(pol.Rules) == 0 {
			t.Fatalf("accepted %+v", pol)
		}
		for _, r := range pol.Rules {
			if len(r.Checks()) == 0 || r.Line <= 0 {
				t.Fatalf("accepted rule %+v", r)
			}
			if r.Severity != SeverityError && r.Severity != SeverityWarning {
				t.Fatalf("severity %q", r.Severity)
			}
		}
	})
}
