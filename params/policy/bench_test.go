package policy

import (
	"fmt"
	"testing"
)

// BenchmarkEvaluate500 is `policy check` after the reads: the README's
// four rules over 500 groups, each used by one instance, every tenth
// violating.
func BenchmarkEvaluate500(b *testing.B) {
	pol, err := Parse("p.yaml", []byte(`version: 1
groups: ["fleet-*"]
rules:
  - parameter: wait_timeout
    max: 600
  - parameter: interactive_timeout
    same_as: wait_timeout
  - parameter: require_secure_transport
    equals: "ON"
  - applied: true
`))
	if err != nil {
		b.Fatal(err)
	}
	var groups []Group
	for i := 1; i <= 500; i++ {
		wt := "300"
		if i%10 == 0 {
			wt = "900"
		}
		groups = append(groups, group(fmt.Sprintf("fleet-%04d", i),
			map[string]string{"wait_timeout": wt, "interactive_timeout": wt, "require_secure_transport": "1"},
			Instance{ID: fmt.Sprintf("db-%04d", i), Class: "db.t3.micro", ApplyStatus: "in-sync"}))
	}
	snaps := []Snapshot{{Account: "000000000000", Region: "us-east-1", Groups: groups}}
	for b.Loop() {
		fs := Evaluate(pol, snaps, Options{})
		bad := 0
		for _, f := range fs {
			if f.Status == StatusViolation {
				bad++
			}
		}
		if bad != 50 {
			b.Fatalf("%d violations in %d findings, want 50", bad, len(fs))
		}
	}
}
