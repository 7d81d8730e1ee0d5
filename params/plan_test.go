package params

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// chunkShape renders chunks as "name:method ..." per chunk (i immediate,
// p pending-reboot), for readable table tests.
func chunkShape(cs []Chunk) []string {
	var out []string
	for _, c := range cs {
		var parts []string
		for _, ch := range c.Changes {
			m := "i"
			if ch.ApplyMethod == types.ApplyMethodPendingReboot {
				m = "p"
			}
			parts = append(parts, ch.Name+":"+m)
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

func gen(prefix string, n int, v string) []Assignment {
	var as []Assignment
	for i := 0; i < n; i++ {
		as = append(as, Assignment{fmt.Sprintf("%s_%03d", prefix, i), v})
	}
	return as
}

func changes(spec string) []Change {
	var out []Change
	for _, f := range strings.Fields(spec) {
		name, m, _ := strings.Cut(f, ":")
		c := Change{Name: name, Value: "1", ApplyMethod: types.ApplyMethodImmediate}
		if m == "p" {
			c.ApplyMethod = types.ApplyMethodPendingReboot
		}
		out = append(out, c)
	}
	return out
}

func seq(prefix string, n int, m string) string {
	var parts []string
	for i := 0; i < n; i++ {
		parts = append(parts, fmt.Sprintf("%s_%03d:%s", prefix, i, m))
	}
	return strings.Join(parts, " ")
}

func TestChunkChanges(t *testing.T) {
	charset := "character_set_client:i character_set_connection:i character_set_results:i collation_connection:i"
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{name: "empty", in: "", want: nil},
		{name: "immediate before pending-reboot, each by name", in: "b:p z:i a:p y:i",
			want: []string{"y:i z:i a:p b:p"}},
		{name: "45 make exactly 3", in: seq("d", 25, "i") + " " + seq("s", 20, "p"),
			want: []string{seq("d", 20, "i"), seq("d", 25, "i")[len(seq("d", 20, "i"))+1:] + " " + seq("s", 15, "p"), seq("s", 20, "p")[len(seq("s", 15, "p"))+1:]}},
		{name: "co-dependent set moves whole to the next chunk",
			in:   seq("a", 18, "i") + " collation_connection:i character_set_results:i character_set_client:i character_set_connection:i",
			want: []string{seq("a", 18, "i"), charset}},
		{name: "co-dependent pair fits exactly", in: seq("a", 18, "i") + " collation_server:i character_set_server:i",
			want: []string{seq("a", 18, "i") + " character_set_server:i collation_server:i"}},
		{name: "gtid set in either spelling, with the static ones", in: "enforce_gtid_consistency:p x:i gtid-mode:p",
			want: []string{"x:i enforce_gtid_consistency:p gtid-mode:p"}},
		{name: "a set with one static member waits with the static ones", in: "binlog_row_image:i a:p binlog_format:p z:i",
			want: []string{"z:i a:p binlog_format:p binlog_row_image:i"}},
		{name: "a set that straddles is not split, and the rest keep order",
			in:   seq("a", 19, "i") + " binlog_format:i binlog_row_image:i " + seq("z", 1, "i"),
			want: []string{seq("a", 19, "i"), "binlog_format:i binlog_row_image:i z_000:i"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := chunkShape(chunkChanges(changes(tc.in)))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("chunks:\n got %q\nwant %q", got, tc.want)
			}
			for _, c := range chunkChanges(changes(tc.in)) {
				if len(c.Changes) > maxParamModifyChunk {
					t.Fatalf("chunk of %d", len(c.Changes))
				}
			}
			// Deterministic whatever the input order.
			r := rand.New(rand.NewSource(1))
			for i := 0; i < 20; i++ {
				in := changes(tc.in)
				r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
				if again := chunkShape(chunkChanges(in)); !reflect.DeepEqual(again, got) {
					t.Fatalf("shuffled input gave %q, want %q", again, got)
				}
			}
		})
	}
}

func TestPlanModify(t *testing.T) {
	group := testGroup(40)
	tests := []struct {
		name    string
		params  []Assignment
		mode    ApplyMode
		sizes   []int
		noOps   []string
		methods map[string]types.ApplyMethod
		values  map[string]string
	}{
		{name: "45 changes, 3 chunks", params: append(gen("gen", 25, "7"), gen("stat", 20, "7")...), mode: ApplyAuto,
			sizes:   []int{20, 20, 5},
			methods: map[string]types.ApplyMethod{"gen_000": "immediate", "gen_024": "immediate", "stat_000": "pending-reboot"}},
		{name: "auto", params: []Assignment{{"wait_timeout", "300"}, {"innodb_buffer_pool_size", "{DBInstanceClassMemory*1/2}"}}, mode: ApplyAuto,
			sizes: []int{2}, methods: map[string]types.ApplyMethod{"wait_timeout": "immediate", "innodb_buffer_pool_size": "pending-reboot"}},
		{name: "pending-reboot", params: []Assignment{{"wait_timeout", "300"}}, mode: ApplyPendingReboot,
			sizes: []int{1}, methods: map[string]types.ApplyMethod{"wait_timeout": "pending-reboot"}},
		{name: "immediate", params: []Assignment{{"wait_timeout", "300"}}, mode: ApplyImmediate,
			sizes: []int{1}, methods: map[string]types.ApplyMethod{"wait_timeout": "immediate"}},
		{name: "no-ops are skipped under normalisation", mode: ApplyAuto,
			params: []Assignment{
				{"slow_query_log", "OFF"},                                 // 0
				{"max_allowed_packet", "016777216"},                       // 16777216
				{"max_connections", "{ DBInstanceClassMemory/12582880 }"}, // formula spacing
				{"binlog_format", "mixed"},                                // case
				{"wait_timeout", " 28800"},                                // whitespace (as from a file)
				{"interactive_timeout", "300"},                            // a real change
			},
			sizes: []int{1}, noOps: []string{"binlog_format", "max_allowed_packet", "max_connections", "slow_query_log", "wait_timeout"}},
		{name: "boolean synonyms are sent as the allowed literal", params: []Assignment{{"slow_query_log", "ON"}}, mode: ApplyAuto, sizes: []int{1},
			values: map[string]string{"slow_query_log": "1"}},
		{name: "unset current value is a change", params: []Assignment{{"sql_mode", "ANSI_QUOTES"}}, mode: ApplyAuto, sizes: []int{1}},
		{name: "same assignment twice collapses", params: []Assignment{{"wait_timeout", "300"}, {"wait_timeout", "300"}}, mode: ApplyAuto, sizes: []int{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := PlanModify("pg", false, group, tc.params, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			var sizes []int
			for _, c := range p.Chunks {
				sizes = append(sizes, len(c.Changes))
			}
			if !reflect.DeepEqual(sizes, tc.sizes) {
				t.Errorf("chunk sizes = %v, want %v: %q", sizes, tc.sizes, chunkShape(p.Chunks))
			}
			var noOps []string
			for _, c := range p.NoOps {
				noOps = append(noOps, c.Name)
			}
			if !reflect.DeepEqual(noOps, tc.noOps) {
				t.Errorf("no-ops = %v, want %v", noOps, tc.noOps)
			}
			got := map[string]types.ApplyMethod{}
			for _, c := range p.Changes() {
				got[c.Name] = c.ApplyMethod
			}
			for _, c := range p.Changes() {
				if v, ok := tc.values[c.Name]; ok && c.Value != v {
					t.Errorf("%s: sends %q, want %q", c.Name, c.Value, v)
				}
			}
			for n, m := range tc.methods {
				if got[n] != m {
					t.Errorf("%s: method %q, want %q", n, got[n], m)
				}
			}
			if p.Group != "pg" || p.Action != ActionModify {
				t.Errorf("plan header %+v", p)
			}
		})
	}
}

func TestPlanModifyRefused(t *testing.T) {
	p, err := PlanModify("staging", false, testGroup(0), []Assignment{{"wait_timout", "300"}, {"innodb_buffer_pool_size", "1073741824"}}, ApplyImmediate)
	if p != nil {
		t.Fatalf("plan %+v despite problems", p)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Fatalf("err = %v", err)
	}
	want := "2 invalid parameter changes: staging: wait_timout=300: no such parameter in the group (did you mean wait_timeout?); " +
		"staging: innodb_buffer_pool_size=1073741824: static parameter cannot be applied immediately (use --apply pending-reboot or auto)"
	if err.Error() != want {
		t.Errorf("error:\n got %s\nwant %s", err, want)
	}
}

func TestPlanReset(t *testing.T) {
	group := userSet(userSet(userSet(testGroup(30), "wait_timeout", "300"), "innodb_buffer_pool_size", "1073741824"), "gen_003", "5")
	for i := 0; i < 25; i++ {
		group = userSet(group, fmt.Sprintf("stat_%03d", i), "9")
	}

	p, err := PlanReset("pg", false, group, []string{"wait_timeout", "interactive_timeout", "wait_timeout", "innodb_buffer_pool_size"}, false, ApplyAuto)
	if err != nil {
		t.Fatal(err)
	}
	if got := chunkShape(p.Chunks); !reflect.DeepEqual(got, []string{"wait_timeout:i innodb_buffer_pool_size:p"}) {
		t.Errorf("chunks = %q", got)
	}
	if len(p.NoOps) != 1 || p.NoOps[0].Name != "interactive_timeout" {
		t.Errorf("no-ops = %+v (interactive_timeout is not user-set)", p.NoOps)
	}
	if p.Action != ActionReset || p.Chunks[0].Changes[0].Value != "" || p.Chunks[0].Changes[0].Current != "300" {
		t.Errorf("plan = %+v", p)
	}

	all, err := PlanReset("pg", false, group, nil, true, ApplyAuto)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(all.Changes()); n != 28 || len(all.Chunks) != 2 {
		t.Errorf("reset all: %d changes in %d chunks, want 28 in 2", n, len(all.Chunks))
	}

	if _, err := PlanReset("pg", false, group, []string{"wait_timout"}, false, ApplyAuto); !errors.Is(err, ErrInvalid) ||
		!strings.Contains(err.Error(), "did you mean wait_timeout?") {
		t.Errorf("reset of a typo: %v", err)
	}
}
