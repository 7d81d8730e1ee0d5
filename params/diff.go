package params

import (
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/params/value"
)

// DiffStatus says how one parameter differs between the two sides.
type DiffStatus string

// The statuses of a DiffRow.
const (
	DiffChanged DiffStatus = "changed" // both sides have it, with different settings
	DiffOnlyA   DiffStatus = "only_a"  // B does not have the parameter at all
	DiffOnlyB   DiffStatus = "only_b"  // A does not have the parameter at all
)

// DiffRow is one parameter whose setting differs. A and B are the values as
// each side reports them ("" when the side has the parameter but no value);
// the sources say where each value comes from (user, system,
// engine-default), which is usually the first question a reader has.
type DiffRow struct {
	Name         string     `json:"name"`
	A            string     `json:"a"`
	B            string     `json:"b"`
	SourceA      string     `json:"source_a,omitempty"`
	SourceB      string     `json:"source_b,omitempty"`
	ApplyType    string     `json:"apply_type,omitempty"`
	DataType     string     `json:"data_type,omitempty"`
	IsModifiable bool       `json:"is_modifiable"`
	Status       DiffStatus `json:"status"`
}

// Diff compares two parameter sets: group against group, or a group against
// its family's engine defaults (DescribeEngineDefaultParameters). Values are
// compared with value.Equal under the parameter's DataType, so settings a
// server treats as the same (ON and 1, letter case, surrounding whitespace,
// list order, 64M and 67108864, formula spacing) never show as differences;
// a side with no value differs from a side with one. Rows are sorted by
// name, so output is stable for humans, golden files and CI.
func Diff(a, b []types.Parameter) []DiffRow {
	ma, mb := NewMetadata(a), NewMetadata(b)
	names := mergeSorted(ma.Names(), mb.Names())
	var rows []DiffRow
	for _, n := range names {
		pa, inA := ma.Lookup(n)
		pb, inB := mb.Lookup(n)
		meta := pa
		if !inA {
			meta = pb
		}
		row := DiffRow{Name: n, A: str(pa.ParameterValue), B: str(pb.ParameterValue),
			SourceA: str(pa.Source), SourceB: str(pb.Source), ApplyType: str(meta.ApplyType),
			DataType: str(meta.DataType), IsModifiable: meta.IsModifiable != nil && *meta.IsModifiable}
		switch {
		case !inB:
			row.Status = DiffOnlyA
		case !inA:
			row.Status = DiffOnlyB
		case sameSetting(row.DataType, row.A, row.B):
			continue
		default:
			row.Status = DiffChanged
		}
		rows = append(rows, row)
	}
	return rows
}

// sameSetting treats a missing value and an empty one alike: RDS reports
// either for a parameter nobody set.
func sameSetting(dataType, a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	return value.Equal(dataType, a, b)
}

func mergeSorted(a, b []string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	out := make([]string, 0, len(a)+len(b))
	for _, l := range [][]string{a, b} {
		for _, n := range l {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}
