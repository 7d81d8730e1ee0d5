package params

import (
	"errors"
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	names := NewMetadata(testGroup(0)).Names()
	for in, want := range map[string]string{
		"wait_timout":              "wait_timeout",
		"wait_timeuot":             "wait_timeout",
		"max-connections":          "max_connections",
		"MAX_CONNECTIONS":          "max_connections",
		"max_connection":           "max_connections",
		"gtid_mode":                "gtid-mode",
		"enforce-gtid-consistency": "enforce_gtid_consistency",
		"binlog_fromat":            "binlog_format",
		"foo":                      "",
		"timeout":                  "",
		"completely_unrelated":     "",
	} {
		if got := Suggest(in, names); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"kitten", "sitting", 3}, {"wait_timout", "wait_timeout", 1}} {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}

func TestValidate(t *testing.T) {
	m := NewMetadata(testGroup(0))
	tests := []struct {
		name  string
		as    []Assignment
		mode  ApplyMode
		kinds []ProblemKind
		msgs  []string
	}{
		{name: "valid", as: []Assignment{{"wait_timeout", "300"}, {"max_connections", "{DBInstanceClassMemory/12582880}"},
			{"innodb_buffer_pool_size", "{DBInstanceClassMemory*3/4}"}, {"slow_query_log", "ON"}, {"sql_mode", "ANSI_QUOTES, STRICT_TRANS_TABLES"}}, mode: ApplyAuto},
		{name: "static with pending-reboot", as: []Assignment{{"innodb_buffer_pool_size", "134217728"}}, mode: ApplyPendingReboot},
		{name: "typo", as: []Assignment{{"wait_timout", "300"}}, mode: ApplyAuto,
			kinds: []ProblemKind{ProblemUnknown}, msgs: []string{"wait_timout=300: no such parameter in the group (did you mean wait_timeout?)"}},
		{name: "dash", as: []Assignment{{"max-connections", "10"}}, mode: ApplyAuto,
			kinds: []ProblemKind{ProblemUnknown}, msgs: []string{"did you mean max_connections?"}},
		{name: "immediate on static", as: []Assignment{{"wait_timeout", "300"}, {"innodb_buffer_pool_size", "134217728"}}, mode: ApplyImmediate,
			kinds: []ProblemKind{ProblemStaticImmediate}, msgs: []string{"innodb_buffer_pool_size=134217728: static parameter cannot be applied immediately"}},
		{name: "not modifiable", as: []Assignment{{"datadir", "/tmp"}}, mode: ApplyAuto,
			kinds: []ProblemKind{ProblemNotModifiable}, msgs: []string{"datadir=/tmp: parameter is not modifiable"}},
		{name: "not an integer", as: []Assignment{{"wait_timeout", "5m"}}, mode: ApplyAuto,
			kinds: []ProblemKind{ProblemInvalidValue}, msgs: []string{`wait_timeout=5m: "5m" is not an integer`}},
		{name: "out of range", as: []Assignment{{"wait_timeout", "0"}}, mode: ApplyAuto,
			kinds: []ProblemKind{ProblemInvalidValue}, msgs: []string{"wait_timeout=0", "1-31536000"}},
		{name: "not allowed", as: []Assignment{{"binlog_format", "FANCY"}}, mode: ApplyAuto,
			kinds: []ProblemKind{ProblemInvalidValue}, msgs: []string{"binlog_format=FANCY", "ROW,STATEMENT,MIXED"}},
		{name: "bad formula", as: []Assignment{{"max_connections", "{DBInstanceClassMemory/}"}}, mode: ApplyAuto,
			kinds: []ProblemKind{ProblemInvalidValue}},
		{name: "conflict", as: []Assignment{{"wait_timeout", "300"}, {"wait_timeout", "600"}}, mode: ApplyAuto,
			kinds: []ProblemKind{ProblemConflict}},
		{name: "all problems at once",
			as:    []Assignment{{"wait_timout", "300"}, {"datadir", "/x"}, {"wait_timeout", "-1"}, {"innodb_buffer_pool_size", "1"}, {"interactive_timeout", "300"}},
			mode:  ApplyImmediate,
			kinds: []ProblemKind{ProblemUnknown, ProblemNotModifiable, ProblemInvalidValue, ProblemInvalidValue, ProblemStaticImmediate},
			msgs:  []string{"5 invalid parameter changes", "wait_timout", "datadir", "wait_timeout=-1", "innodb_buffer_pool_size=1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(m, tc.as, tc.mode)
			if len(tc.kinds) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want *ValidationError", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Error("not errors.Is ErrInvalid")
			}
			var kinds []ProblemKind
			for _, p := range ve.Problems {
				kinds = append(kinds, p.Kind)
			}
			if strings.Join(kindsS(kinds), ",") != strings.Join(kindsS(tc.kinds), ",") {
				t.Errorf("kinds = %v, want %v (%v)", kinds, tc.kinds, err)
			}
			for _, s := range tc.msgs {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func kindsS(ks []ProblemKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func TestValidateReset(t *testing.T) {
	m := NewMetadata(testGroup(0))
	if err := ValidateReset(m, []string{"wait_timeout", "innodb_buffer_pool_size"}, ApplyAuto); err != nil {
		t.Fatal(err)
	}
	err := ValidateReset(m, []string{"wait_timout", "datadir", "innodb_buffer_pool_size"}, ApplyImmediate)
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 3 {
		t.Fatalf("err = %v, want 3 problems", err)
	}
	if ve.Problems[0].Suggestion != "wait_timeout" {
		t.Errorf("suggestion = %q", ve.Problems[0].Suggestion)
	}
}

func TestParseApplyMode(t *testing.T) {
	for in, want := range map[string]ApplyMode{"": ApplyAuto, "auto": ApplyAuto, "Immediate": ApplyImmediate, "pending-reboot": ApplyPendingReboot} {
		if got, err := ParseApplyMode(in); err != nil || got != want {
			t.Errorf("ParseApplyMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseApplyMode("later"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseApplyMode(later) = %v", err)
	}
}
