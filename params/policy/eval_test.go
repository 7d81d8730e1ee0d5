package policy

import (
	"strings"
	"testing"
)

func defaults() map[string]Param {
	return map[string]Param{
		"wait_timeout":             {Name: "wait_timeout", Value: "28800", HasValue: true, DataType: "integer"},
		"interactive_timeout":      {Name: "interactive_timeout", Value: "28800", HasValue: true, DataType: "integer"},
		"require_secure_transport": {Name: "require_secure_transport", Value: "0", HasValue: true, DataType: "boolean"},
		"innodb_buffer_pool_size":  {Name: "innodb_buffer_pool_size", Value: "{DBInstanceClassMemory*3/4}", HasValue: true, DataType: "integer"},
		"innodb_log_buffer_size":   {Name: "innodb_log_buffer_size", Value: "16777216", HasValue: true, DataType: "integer"},
		"binlog_format":            {Name: "binlog_format", Value: "ROW", HasValue: true, DataType: "string"},
		"max_connections":          {Name: "max_connections", HasValue: false, DataType: "integer"},
	}
}

func group(name string, user map[string]string, ins ...Instance) Group {
	ps := map[string]Param{}
	d := defaults()
	for k, v := range user {
		ps[k] = Param{Name: k, Value: v, HasValue: true, DataType: d[k].DataType}
	}
	return Group{Kind: KindDB, Name: name, Family: "mariadb10.11", Params: ps, Defaults: d, Instances: ins}
}

func mustParse(t *testing.T, src string) *Policy {
	t.Helper()
	pol, err := Parse("p.yaml", []byte("version: 1\nrules:\n"+src))
	if err != nil {
		t.Fatal(err)
	}
	return pol
}

func TestEvaluate(t *testing.T) {
	micro := Instance{ID: "db1", Class: "db.t3.micro", ApplyStatus: "in-sync"}
	large := Instance{ID: "db2", Class: "db.r6g.large", ApplyStatus: "in-sync"}
	for _, tc := range []struct {
		name   string
		rules  string
		g      Group
		want   []Status // one per finding
		actual string   // of the first finding, when set
		detail string   // substring of the first finding's detail
		insts  string   // the first finding's instances, when set
	}{
		{"max ok", "  - parameter: wait_timeout\n    max: 600\n", group("g", map[string]string{"wait_timeout": "300"}), []Status{StatusOK}, "300", "", ""},
		{"max violated by the engine default", "  - parameter: wait_timeout\n    max: 600\n", group("g", nil, micro), []Status{StatusViolation}, "28800", "", "db1"},
		{"min and max", "  - parameter: wait_timeout\n    min: 60\n    max: 600\n", group("g", map[string]string{"wait_timeout": "30"}), []Status{StatusViolation, StatusOK}, "30", "", ""},
		{"sizes compare as numbers", "  - parameter: innodb_log_buffer_size\n    max: 32M\n", group("g", map[string]string{"innodb_log_buffer_size": "33554432"}), []Status{StatusOK}, "", "", ""},
		{"sizes over", "  - parameter: innodb_log_buffer_size\n    max: 16M\n", group("g", map[string]string{"innodb_log_buffer_size": "32M"}), []Status{StatusViolation}, "", "", ""},
		{"ON equals 1", "  - parameter: require_secure_transport\n    equals: \"ON\"\n", group("g", map[string]string{"require_secure_transport": "1"}), []Status{StatusOK}, "1", "", ""},
		{"ON is not 0", "  - parameter: require_secure_transport\n    equals: \"ON\"\n", group("g", nil), []Status{StatusViolation}, "0", "", ""},
		{"one_of ignores case", "  - parameter: binlog_format\n    one_of: [row, mixed]\n", group("g", nil), []Status{StatusOK}, "", "", ""},
		{"one_of violated", "  - parameter: binlog_format\n    one_of: [MIXED]\n", group("g", map[string]string{"binlog_format": "STATEMENT"}), []Status{StatusViolation}, "", "", ""},
		{"same_as against a default", "  - parameter: interactive_timeout\n    same_as: wait_timeout\n", group("g", map[string]string{"wait_timeout": "300"}), []Status{StatusViolation}, "28800", "expected evaluates to 300", ""},
		{"same_as ok", "  - parameter: interactive_timeout\n    same_as: wait_timeout\n", group("g", map[string]string{"wait_timeout": "300", "interactive_timeout": "300"}), []Status{StatusOK}, "", "", ""},
		{"default without a value is unresolved", "  - parameter: max_connections\n    max: 100\n", group("g", nil, micro), []Status{StatusUnresolved}, "-", "engine default has no value", ""},
		{"formula without an instance is unresolved", "  - parameter: innodb_buffer_pool_size\n    max: 1G\n", group("g", nil), []Status{StatusUnresolved}, "", "no instance uses the group", ""},
		{"formula per class", "  - parameter: innodb_buffer_pool_size\n    max: 1G\n", group("g", nil, micro, large), []Status{StatusViolation}, "12884901888 ({DBInstanceClassMemory*3/4}) (db.r6g.large); 805306368 ({DBInstanceClassMemory*3/4}) (db.t3.micro)", "", "db2"},
		{"formula expected", "  - parameter: innodb_buffer_pool_size\n    equals: \"{DBInstanceClassMemory*3/4}\"\n", group("g", map[string]string{"innodb_buffer_pool_size": "805306368"}, micro), []Status{StatusOK}, "", "", "db1"},
		{"formula for an unknown class", "  - parameter: innodb_buffer_pool_size\n    max: 1G\n", group("g", nil, Instance{ID: "x", Class: "db.z9.huge"}), []Status{StatusUnresolved}, "", "unknown instance class", ""},
		{"required", "  - parameter: max_connections\n    required: true\n", group("g", nil), []Status{StatusViolation}, "not set", "", ""},
		{"required ok", "  - parameter: max_connections\n    required: true\n", group("g", map[string]string{"max_connections": "100"}), []Status{StatusOK}, "user-set: 100", "", ""},
		{"forbidden", "  - parameter: wait_timeout\n    forbidden: true\n", group("g", map[string]string{"wait_timeout": "300"}), []Status{StatusViolation}, "", "", ""},
		{"applied", "  - applied: true\n", group("g", nil, micro, Instance{ID: "db3", ApplyStatus: "pending-reboot"}), []Status{StatusViolation}, "db3: pending-reboot", "", "db3"},
		{"applied no instances", "  - applied: true\n", group("g", nil), []Status{StatusOK}, "no instances", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pol := mustParse(t, tc.rules)
			fs := Evaluate(pol, []Snapshot{{Account: "1", Region: "r", Groups: []Group{tc.g}}}, Options{})
			if len(fs) != len(tc.want) {
				t.Fatalf("%d findings, want %d: %+v", len(fs), len(tc.want), fs)
			}
			for i, f := range fs {
				if f.Status != tc.want[i] {
					t.Errorf("finding %d: %s, want %s: %+v", i, f.Status, tc.want[i], f)
				}
				if f.Account != "1" || f.Region != "r" || f.Group != "g" || f.Line != 3 || f.Instances == nil {
					t.Errorf("finding %d: %+v", i, f)
				}
			}
			if tc.actual != "" && fs[0].Actual != tc.actual {
				t.Errorf("actual = %q, want %q", fs[0].Actual, tc.actual)
			}
			if !strings.Contains(fs[0].Detail, tc.detail) {
				t.Errorf("detail = %q, want %q", fs[0].Detail, tc.detail)
			}
			if tc.insts != "" && strings.Join(fs[0].Instances, ",") != tc.insts {
				t.Errorf("instances = %v, want %s", fs[0].Instances, tc.insts)
			}
		})
	}
}

func TestEvaluateEffective(t *testing.T) {
	pol := mustParse(t, "  - parameter: wait_timeout\n    max: 600\n  - parameter: max_connections\n    max: 100\n  - parameter: interactive_timeout\n    same_as: wait_timeout\n")
	in := func(id string, globals map[string]string) Instance {
		return Instance{ID: id, Class: "db.t3.micro", ApplyStatus: "in-sync", Globals: globals}
	}
	g := group("g", map[string]string{"wait_timeout": "300", "interactive_timeout": "300"},
		in("ok", map[string]string{"wait_timeout": "300", "max_connections": "90", "interactive_timeout": "300"}),
		in("drifted", map[string]string{"wait_timeout": "999", "max_connections": "151", "interactive_timeout": "300"}),
		Instance{ID: "down", Class: "db.t3.micro", GlobalsErr: "connecting: refused"},
	)
	fs := Evaluate(pol, []Snapshot{{Region: "r", Groups: []Group{g}}}, Options{Effective: true})
	got := map[string]Status{}
	for _, f := range fs {
		if len(f.Instances) != 1 {
			t.Fatalf("effective finding without one instance: %+v", f)
		}
		got[f.Parameter+"/"+f.Instances[0]] = f.Status
	}
	want := map[string]Status{
		"wait_timeout/ok": StatusOK, "wait_timeout/drifted": StatusNotApplied, "wait_timeout/down": StatusUnresolved,
		// The group leaves max_connections to the engine: the server settles it.
		"max_connections/ok": StatusOK, "max_connections/drifted": StatusViolation, "max_connections/down": StatusUnresolved,
		// same_as compares the server's two values.
		"interactive_timeout/ok": StatusOK, "interactive_timeout/drifted": StatusNotApplied, "interactive_timeout/down": StatusUnresolved,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s, want %s", k, got[k], w)
		}
	}
	s := Summarize(fs, false)
	if s.NotApplied != 2 || s.Violation != 1 || s.Unresolved != 3 || s.Failing != 3 {
		t.Errorf("summary %+v", s)
	}
	if Summarize(fs, true).Failing != 6 {
		t.Errorf("strict summary %+v", Summarize(fs, true))
	}
}

func TestEvaluateSelectionAndOrder(t *testing.T) {
	pol, err := Parse("p.yaml", []byte("version: 1\ngroups: [\"staging-*\"]\nregions: [r1, r2]\nrules:\n  - parameter: wait_timeout\n    max: 600\n    severity: warning\n"))
	if err != nil {
		t.Fatal(err)
	}
	snaps := []Snapshot{
		{Account: "2", Region: "r1", Groups: []Group{group("staging-b", nil), group("prod", nil), group("staging-a", nil)}},
		{Account: "1", Region: "r3", Groups: []Group{group("staging-c", nil)}},
		{Account: "1", Region: "r2", Groups: []Group{group("staging-d", nil)}},
	}
	fs := Evaluate(pol, snaps, Options{})
	var got []string
	for _, f := range fs {
		got = append(got, f.Account+"/"+f.Region+"/"+f.Group)
		if f.Severity != SeverityWarning || f.Status != StatusViolation || Fails(f, true) {
			t.Errorf("%+v", f)
		}
	}
	if strings.Join(got, " ") != "1/r2/staging-d 2/r1/staging-a 2/r1/staging-b" {
		t.Errorf("findings for %v", got)
	}
	if Summarize(fs, true).Failing != 0 {
		t.Error("warnings fail the check")
	}
}
