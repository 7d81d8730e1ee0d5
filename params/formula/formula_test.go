package formula

import (
	"errors"
	"testing"
)

func TestEval(t *testing.T) {
	v := Vars{DBInstanceClassMemory: 1 << 30, DBInstanceVCPU: 2, EndPointPort: 3306}
	tests := []struct {
		in   string
		want int64
	}{
		{"{DBInstanceClassMemory*3/4}", 805306368},
		{"{DBInstanceClassMemory/12582880}", 85},
		{" { DBInstanceClassMemory / 12582880 } ", 85},
		{"GREATEST({DBInstanceClassMemory/9531392},5000)", 5000},
		{"LEAST({DBInstanceClassMemory/9531392},5000)", 112},
		{"SUM({DBInstanceClassMemory/12582880},-50)", 35},
		{"greatest({DBInstanceVCPU*2},3)", 4},
		{"{EndPointPort}", 3306},
		{"{100*3}", 300},
		{"42", 42},
		{"LEAST(GREATEST({DBInstanceVCPU},1),8)", 2},
	}
	for _, tt := range tests {
		got, err := Eval(tt.in, v)
		if err != nil {
			t.Errorf("Eval(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Eval(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	for _, in := range []string{
		"", "{", "{}", "{DBInstanceClassMemory", "{DBInstanceClassMemory*}", "{DBInstanceClassMemory+1}",
		"{DBInstanceClassMem*3}", "{DBInstanceClassMemory/0}", "MAX(1,2)", "GREATEST(1,2", "GREATEST 1",
		"{DBInstanceClassMemory*3/4} extra", "GREATEST()",
	} {
		err := Validate(in)
		if err == nil {
			t.Errorf("Validate(%q) = nil, want a syntax error", in)
			continue
		}
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("Validate(%q) = %v, not ErrSyntax", in, err)
		}
	}
}

func TestIsFormula(t *testing.T) {
	for in, want := range map[string]bool{
		"{DBInstanceClassMemory*3/4}": true, "GREATEST(1,2)": true, "least(1,2)": true,
		"300": false, "ON": false, "utf8mb4": false,
	} {
		if got := IsFormula(in); got != want {
			t.Errorf("IsFormula(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestClasses(t *testing.T) {
	c, ok := LookupClass("db.r6g.large")
	if !ok || c.MemoryBytes != 16<<30 || c.VCPU != 2 {
		t.Fatalf("LookupClass(db.r6g.large) = %+v, %v", c, ok)
	}
	if _, ok := LookupClass("db.nope"); ok {
		t.Fatal("LookupClass(db.nope) found a class")
	}
	got, err := Eval("{DBInstanceClassMemory*3/4}", c.Vars(20, 3306))
	if err != nil || got != 12<<30 {
		t.Fatalf("buffer pool for db.r6g.large = %d, %v", got, err)
	}
	all := Classes()
	for i := 1; i < len(all); i++ {
		if all[i-1].Name >= all[i].Name {
			t.Fatalf("Classes not sorted at %s", all[i].Name)
		}
	}
}

func FuzzEval(f *testing.F) {
	for _, s := range []string{"{DBInstanceClassMemory*3/4}", "GREATEST({DBInstanceClassMemory/9531392},5000)", "42", "{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := Vars{DBInstanceClassMemory: 1 << 30, DBInstanceVCPU: 2}
		_, err := Eval(s, v)
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Fatalf("Eval(%q) returned a non-syntax error: %v", s, err)
		}
	})
}
