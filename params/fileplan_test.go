package params

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func kinds(actions []FileAction) []string {
	var out []string
	for _, a := range actions {
		s := string(a.Kind) + " " + a.Group
		if a.Plan != nil {
			s += fmt.Sprintf(" %d", len(a.Plan.Changes()))
		}
		out = append(out, s)
	}
	return out
}

// TestPlanFileActions: a file plans creates, changes and resets in order,
// skipping values already so. That applying the plan converges (planning
// again finds nothing, nor does planning an export) is shown on the lab by
// TestLabFileConverges.
func TestPlanFileActions(t *testing.T) {
	defaults := testGroup(30)
	existing := userSet(userSet(testGroup(30), "wait_timeout", "600"), "slow_query_log", "1")
	existing = userSet(existing, "binlog_format", "ROW") // user-set, absent from the file: reset
	src := `groups:
  - name: new-params
    family: mariadb10.11
    parameters:
      wait_timeout: 300
      max_connections: "{DBInstanceClassMemory/12582880}"   # equal to the default: not sent
      innodb_buffer_pool_size: "{DBInstanceClassMemory*1/2}"
  - name: Staging-Params
    family: mariadb10.11
    parameters:
      wait_timeout: 300
      slow_query_log: "ON"         # equal to 1: not a change
      sql_mode: STRICT_TRANS_TABLES, ANSI_QUOTES
` + genYAML("gen", 25)
	f, err := Parse("staging.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	state := map[GroupID]GroupState{
		{Name: "new-params"}:     {Parameters: defaults},
		{Name: "staging-params"}: {Exists: true, Family: "mariadb10.11", Parameters: existing},
	}
	actions, err := PlanFile(f, state, ApplyAuto)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"create new-params", "change new-params 2", "change Staging-Params 27", "reset Staging-Params 1"}
	if got := kinds(actions); !reflect.DeepEqual(got, want) {
		t.Fatalf("actions = %q, want %q", got, want)
	}
	if actions[0].Family != "mariadb10.11" || actions[3].Plan.Changes()[0].Name != "binlog_format" {
		t.Errorf("actions = %+v", actions)
	}
	if len(actions[2].Plan.Chunks) != 2 {
		t.Errorf("27 changes in %d chunks", len(actions[2].Plan.Chunks))
	}

}

func genYAML(prefix string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "      %s_%03d: %d\n", prefix, i, i+1)
	}
	return b.String()
}

func TestPlanFileProblems(t *testing.T) {
	src := `groups:
  - name: a
    family: mariadb10.11
    parameters:
      wait_timout: 300
      datadir: /tmp
  - name: b
    family: mysql8.0
    parameters:
      wait_timeout: 300
  - name: c
    family: mariadb10.11
    parameters:
      innodb_buffer_pool_size: "{DBInstanceClassMemory*1/2}"
`
	f, err := Parse("fleet.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	state := map[GroupID]GroupState{
		{Name: "a"}: {Exists: true, Family: "mariadb10.11", Parameters: testGroup(0)},
		{Name: "b"}: {Exists: true, Family: "mariadb10.11", Parameters: testGroup(0)},
		{Name: "c"}: {Exists: true, Family: "mariadb10.11", Parameters: testGroup(0)},
	}
	_, err = PlanFile(f, state, ApplyImmediate)
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 4 {
		t.Fatalf("err = %v, want 4 problems", err)
	}
	for _, s := range []string{
		"fleet.yaml:5: a: wait_timout=300: no such parameter in the group (did you mean wait_timeout?)",
		"fleet.yaml:6: a: datadir=/tmp: parameter is not modifiable",
		"fleet.yaml:7: b: the group's family is mariadb10.11, the file says mysql8.0",
		"fleet.yaml:14: c: innodb_buffer_pool_size={DBInstanceClassMemory*1/2}: static parameter cannot be applied immediately",
	} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q\ndoes not contain %q", err, s)
		}
	}

	if _, err := PlanFile(f, map[GroupID]GroupState{}, ApplyAuto); !errors.Is(err, ErrNoState) {
		t.Errorf("missing state: %v", err)
	}
}
