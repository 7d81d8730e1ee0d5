package verify

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func testSnapshot() *Snapshot {
	return &Snapshot{Globals: map[string]string{
		"wait_timeout":            "300",
		"interactive_timeout":     "28800",
		"max_connections":         "85",
		"innodb_buffer_pool_size": "134217728",
		"slow_query_log":          "ON",
		"long_query_time":         "10.000000",
		"sql_mode":                "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION",
		"gtid_strict_mode":        "OFF",
		"max_allowed_packet":      "67108864",
		"character_set_server":    "utf8mb4",
	}}
}

func TestCompare(t *testing.T) {
	group := FromParameters([]types.Parameter{
		{ParameterName: aws.String("wait_timeout"), ParameterValue: aws.String("300"), DataType: aws.String("integer"), ApplyType: aws.String("dynamic"), Source: aws.String("user")},
		{ParameterName: aws.String("interactive_timeout"), ParameterValue: aws.String("300"), DataType: aws.String("integer"), ApplyType: aws.String("dynamic"), ApplyMethod: types.ApplyMethodImmediate},
		{ParameterName: aws.String("max_connections"), ParameterValue: aws.String("{DBInstanceClassMemory/12582880}"), DataType: aws.String("integer"), ApplyType: aws.String("dynamic")},
		{ParameterName: aws.String("innodb_buffer_pool_size"), ParameterValue: aws.String("268435456"), DataType: aws.String("integer"), ApplyType: aws.String("static"), ApplyMethod: types.ApplyMethodPendingReboot},
		{ParameterName: aws.String("slow_query_log"), ParameterValue: aws.String("1"), DataType: aws.String("boolean"), ApplyType: aws.String("dynamic")},
		{ParameterName: aws.String("sql_mode"), ParameterValue: aws.String("no_engine_substitution,strict_trans_tables"), DataType: aws.String("list"), ApplyType: aws.String("dynamic")},
		{ParameterName: aws.String("gtid-strict-mode"), ParameterValue: aws.String("0"), DataType: aws.String("boolean"), ApplyType: aws.String("dynamic")},
		{ParameterName: aws.String("max_allowed_packet"), ParameterValue: aws.String("64M"), DataType: aws.String("integer"), ApplyType: aws.String("dynamic")},
		{ParameterName: aws.String("rds.force_ssl"), ParameterValue: aws.String("1"), DataType: aws.String("boolean"), ApplyType: aws.String("static")},
		{ParameterName: aws.String("character_set_server"), ParameterValue: nil}, // engine default: reported, not compared
	})
	overrides, err := ParseExpect([]string{"long_query_time=10", "table_open_cache={DBInstanceVCPU*1000}"})
	if err != nil {
		t.Fatal(err)
	}
	exp := Merge(group, overrides)
	snap := testSnapshot()
	snap.Globals["table_open_cache"] = "2000"

	tests := []struct {
		opts CompareOptions
		want map[string]Status
	}{
		{CompareOptions{InstanceClass: "db.t3.micro", PendingReboot: true}, map[string]Status{
			"wait_timeout":            StatusOK,
			"interactive_timeout":     StatusDrift, // dynamic, immediate: pending status does not excuse it
			"max_connections":         StatusOK,    // 1 GiB / 12582880 = 85
			"innodb_buffer_pool_size": StatusPendingReboot,
			"slow_query_log":          StatusOK,
			"sql_mode":                StatusOK,
			"gtid-strict-mode":        StatusOK,
			"max_allowed_packet":      StatusOK,
			"rds.force_ssl":           StatusNotAVariable,
			"long_query_time":         StatusOK,
			"table_open_cache":        StatusOK,
			"character_set_server":    StatusEngineDefault,
		}},
		{CompareOptions{InstanceClass: "db.t3.micro"}, map[string]Status{
			"innodb_buffer_pool_size": StatusDrift, // in sync, yet different: drift
		}},
		{CompareOptions{}, map[string]Status{
			"max_connections":  StatusUnresolved,
			"table_open_cache": StatusUnresolved,
		}},
		{CompareOptions{InstanceClass: "db.z9.imaginary"}, map[string]Status{
			"max_connections": StatusUnresolved,
		}},
	}
	for _, tt := range tests {
		rs := Compare(exp, snap, tt.opts)
		if len(rs) != 12 {
			t.Fatalf("%+v: %d results, want 12: %+v", tt.opts, len(rs), rs)
		}
		got := map[string]Result{}
		for i, r := range rs {
			got[r.Name] = r
			if i > 0 && rs[i-1].Name > r.Name {
				t.Errorf("results not sorted: %s before %s", rs[i-1].Name, r.Name)
			}
		}
		for name, want := range tt.want {
			if got[name].Status != want {
				t.Errorf("%+v: %s = %+v, want %s", tt.opts, name, got[name], want)
			}
		}
	}

	rs := Compare(exp, snap, CompareOptions{InstanceClass: "db.t3.micro"})
	for _, r := range rs {
		if r.Name == "character_set_server" && (r.Actual != "utf8mb4" || !strings.Contains(r.Detail, "engine default")) {
			t.Errorf("engine default = %+v, want the server's utf8mb4 and an engine-default detail", r)
		}
	}
	var mc Result
	for _, r := range rs {
		if r.Name == "max_connections" {
			mc = r
		}
	}
	if mc.Expected != "85" || mc.Formula != "{DBInstanceClassMemory/12582880}" || mc.Actual != "85" {
		t.Errorf("formula result = %+v", mc)
	}
	if n := Findings(rs); n != 2 {
		t.Errorf("Findings = %d, want 2 (interactive_timeout, innodb_buffer_pool_size)", n)
	}
	var de *DriftError
	if err := Drift(rs); !errors.As(err, &de) || de.Param != "innodb_buffer_pool_size" || de.Want != "268435456" || de.Got != "134217728" {
		t.Errorf("Drift = %v (%+v)", err, de)
	}
	if Drift(rs[:0]) != nil {
		t.Error("Drift of nothing is not nil")
	}
}

func TestMergeKeepsMetadata(t *testing.T) {
	base := []Expectation{{Name: "gtid-strict-mode", Value: "1", DataType: "boolean", ApplyType: "dynamic", Source: "user"}}
	over, _ := ParseExpect([]string{"GTID_STRICT_MODE=0", "wait_timeout = 300"})
	got := Merge(base, over)
	if len(got) != 2 || got[0].Value != "0" || got[0].DataType != "boolean" || got[0].Source != "expect" || got[1].Name != "wait_timeout" || got[1].Value != "300" {
		t.Errorf("Merge = %+v", got)
	}
}

func TestParseExpectRejects(t *testing.T) {
	for _, bad := range [][]string{{"wait_timeout"}, {"=300"}, {""},
		{"wait_timeout=300", "wait-timeout=301"}, {"max_connections={garbage"}, {"x={DBInstanceClassMemory*}"}} {
		if _, err := ParseExpect(bad); !errors.Is(err, ErrInvalidExpect) {
			t.Errorf("ParseExpect(%q) err = %v", bad, err)
		}
	}
	// The same value twice is only said twice.
	if got, err := ParseExpect([]string{"wait_timeout=300", "wait_timeout=300"}); err != nil || len(got) != 1 {
		t.Errorf("repeated equal expectation: %v, %v", got, err)
	}
}

func TestUntypedEqual(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"10", "10.000000", true}, {"ON", "1", true}, {"64M", "67108864", true}, {"abc", "ABC", true},
		{"10", "10.5", false}, {"300", "999", false},
	} {
		if got := equal("", c.a, c.b); got != c.want {
			t.Errorf("equal(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestCanonicalName(t *testing.T) {
	if CanonicalName(" Binlog-Format ") != "binlog_format" {
		t.Error(CanonicalName(" Binlog-Format "))
	}
	s := testSnapshot()
	if v, ok := s.Global("gtid-strict-mode"); !ok || v != "OFF" {
		t.Errorf("Global(gtid-strict-mode) = %q, %v", v, ok)
	}
	// A MySQL 8.0 group's transaction_isolation, on a MariaDB 10.x server
	// that only knows tx_isolation, and the other way round.
	s.Globals["tx_isolation"] = "READ-COMMITTED"
	if v, ok := s.Global("transaction_isolation"); !ok || v != "READ-COMMITTED" {
		t.Errorf("Global(transaction_isolation) via tx_isolation = %q, %v", v, ok)
	}
	delete(s.Globals, "tx_isolation")
	s.Globals["transaction_isolation"] = "SERIALIZABLE"
	if v, ok := s.Global("tx_isolation"); !ok || v != "SERIALIZABLE" {
		t.Errorf("Global(tx_isolation) via transaction_isolation = %q, %v", v, ok)
	}
	if _, ok := s.Global("tx_nonsense"); ok {
		t.Error("Global(tx_nonsense) found")
	}
}

func FuzzParseExpect(f *testing.F) {
	for _, s := range []string{"wait_timeout=300", "sql_mode=A,B", "x==", "gtid-mode = ON", "=", "", "a=b=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		exp, err := ParseExpect([]string{s})
		if err != nil {
			return
		}
		if len(exp) != 1 || exp[0].Name == "" || strings.Contains(exp[0].Name, "=") {
			t.Fatalf("ParseExpect(%q) = %+v", s, exp)
		}
		if CanonicalName(CanonicalName(exp[0].Name)) != CanonicalName(exp[0].Name) {
			t.Fatalf("CanonicalName is not idempotent for %q", exp[0].Name)
		}
	})
}

// TestNotAVariableOnLabMySQL: a mysql instance whose server is MariaDB
// (every lab instance) has no MySQL-only variables, and verify says why.
func TestNotAVariableOnLabMySQL(t *testing.T) {
	exp := []Expectation{{Name: "sql_require_primary_key", Value: "0", DataType: "boolean"}}
	snap := testSnapshot()
	snap.Server.Version = "10.11.19-MariaDB-0+deb12u1"
	for engine, want := range map[string]string{
		"mysql":   "a MySQL-only variable: this mysql instance's server is MariaDB",
		"mariadb": "not a server variable",
		"":        "not a server variable",
	} {
		r := Compare(exp, snap, CompareOptions{Engine: engine})[0]
		if r.Status != StatusNotAVariable || !strings.HasPrefix(r.Detail, want) {
			t.Errorf("engine %q: %s %q, want not-a-variable %q", engine, r.Status, r.Detail, want)
		}
	}
}
