package params

import (
	"fmt"
	"testing"
)

// benchGroupSize gives testGroup as many parameters as mariadb10.11 has
// (19 named plus 2 x 275 generated: 569).
const benchGroupSize = 275

// BenchmarkPlanModify45 is the work of `params set` between reading the
// group and sending the first chunk: validate 45 changes against a
// 569-parameter group's metadata, drop no-ops, chunk by 20 with
// co-dependents together.
func BenchmarkPlanModify45(b *testing.B) {
	group := testGroup(benchGroupSize)
	as := append(gen("gen", 30, "7"), gen("stat", 15, "7")...)
	for b.Loop() {
		p, err := PlanModify("g", false, group, as, ApplyAuto)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(p.Changes()); n != 45 || len(p.Chunks) != 3 {
			b.Fatalf("plan has %d changes in %d chunks, want 45 in 3", n, len(p.Chunks))
		}
	}
}

// BenchmarkDiffGroups is `params diff A B` after the two reads: 569
// parameters a side, 40 of them set differently, compared as the server
// reads them.
func BenchmarkDiffGroups(b *testing.B) {
	a := testGroup(benchGroupSize)
	other := a
	for i := 0; i < 40; i++ {
		other = userSet(other, fmt.Sprintf("gen_%03d", i), "9")
	}
	for b.Loop() {
		if d := Diff(a, other); len(d) != 40 {
			b.Fatalf("Diff found %d differences, want 40", len(d))
		}
	}
}
