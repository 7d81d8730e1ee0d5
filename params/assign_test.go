package params

import (
	"errors"
	"strings"
	"testing"
)

var assignmentCases = []struct {
	arg     string
	want    Assignment
	wantErr string // substring of the error; "" means success
}{
	{arg: "wait_timeout=300", want: Assignment{"wait_timeout", "300"}},
	{arg: " wait_timeout = 300 ", want: Assignment{"wait_timeout", "300"}},
	{arg: "init_connect=SET NAMES utf8mb4; SET x=1", want: Assignment{"init_connect", "SET NAMES utf8mb4; SET x=1"}},
	{arg: "max_connections={DBInstanceClassMemory/12582880}", want: Assignment{"max_connections", "{DBInstanceClassMemory/12582880}"}},
	{arg: "innodb_buffer_pool_size={DBInstanceClassMemory*3/4}", want: Assignment{"innodb_buffer_pool_size", "{DBInstanceClassMemory*3/4}"}},
	{arg: "gtid-mode=ON", want: Assignment{"gtid-mode", "ON"}},
	{arg: "a==", want: Assignment{"a", "="}},
	{arg: "sql_mode=''", want: Assignment{"sql_mode", "''"}},
	{arg: "wait_timeout", wantErr: `argument "wait_timeout": missing "="`},
	{arg: "=300", wantErr: "missing parameter name"},
	{arg: "wait_timeout=", wantErr: "wait_timeout: empty value"},
	{arg: "wait_timeout=   ", wantErr: "wait_timeout: empty value"},
	{arg: "wait timeout=3", wantErr: `invalid parameter name "wait timeout"`},
	{arg: "x=a\nb", wantErr: "control character"},
	{arg: "x=\xff", wantErr: "not valid UTF-8"},
	{arg: "", wantErr: `missing "="`},
}

func TestParseAssignment(t *testing.T) {
	for _, tc := range assignmentCases {
		got, err := ParseAssignment(tc.arg)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseAssignment(%q) error = %v, want one containing %q", tc.arg, err, tc.wantErr)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Problems[0].Arg != tc.arg || ve.Problems[0].Kind != ProblemSyntax {
				t.Errorf("ParseAssignment(%q) error %#v: want a *ValidationError naming the argument", tc.arg, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseAssignment(%q): error is not ErrInvalid", tc.arg)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAssignment(%q) = %+v, %v; want %+v", tc.arg, got, err, tc.want)
		}
	}
}

func TestParseAssignmentsDuplicates(t *testing.T) {
	got, err := ParseAssignments([]string{"a=1", "b=2", "a=1", "c= 3"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Assignment{{"a", "1"}, {"b", "2"}, {"c", "3"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}

	_, err = ParseAssignments([]string{"a=1", "a=2", "bad", "b="})
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 3 {
		t.Fatalf("err = %v, want 3 problems", err)
	}
	if ve.Problems[0].Kind != ProblemConflict || ve.Problems[0].Param != "a" {
		t.Errorf("first problem = %+v, want a conflict on a", ve.Problems[0])
	}
	msg := err.Error()
	for _, s := range []string{`a=2: given twice with different values ("1" and "2")`, `argument "bad"`, "b: empty value"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q does not mention %q", msg, s)
		}
	}
}

// FuzzParseAssignment checks that whatever is accepted has a usable name
// and value and formats back to an argument that parses to the same thing.
func FuzzParseAssignment(f *testing.F) {
	for _, tc := range assignmentCases {
		f.Add(tc.arg)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		a, err := ParseAssignment(arg)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Arg != arg {
				t.Fatalf("error %v does not name the argument", err)
			}
			return
		}
		if !ValidName(a.Name) || a.Value == "" || strings.TrimSpace(a.Value) != a.Value {
			t.Fatalf("accepted %q as %+v", arg, a)
		}
		b, err := ParseAssignment(a.String())
		if err != nil || b != a {
			t.Fatalf("round trip of %q: %+v -> %q -> %+v, %v", arg, a, a.String(), b, err)
		}
	})
}
