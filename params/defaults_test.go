package params

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func TestEngineDefaulted(t *testing.T) {
	ps := []types.Parameter{
		meta("wait_timeout", "28800", "dynamic", "integer", "1-31536000", "engine-default", true),
		meta("interactive_timeout", "600", "dynamic", "integer", "1-31536000", "user", true),
		meta("max_connections", "{DBInstanceClassMemory/12582880}", "dynamic", "integer", "1-100000", "system", true),
		meta("net_read_timeout", "30", "dynamic", "integer", "1-31536000", "engine-default", true),
	}
	f, err := Parse("f.yaml", []byte(`groups:
  - name: G
    family: mariadb10.11
    parameters:
      wait_timeout: 28800
      interactive_timeout: 600
      max_connections: "{DBInstanceClassMemory/12582880}"
      net_read_timeout: 60
  - name: missing
    family: mariadb10.11
    parameters:
      wait_timeout: 28800
`))
	if err != nil {
		t.Fatal(err)
	}
	got := EngineDefaulted(f, map[GroupID]GroupState{{Name: "g"}: {Exists: true, Parameters: ps}})
	want := []DefaultValued{{"G", "wait_timeout", "28800"}, {"G", "max_connections", "{DBInstanceClassMemory/12582880}"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("EngineDefaulted = %v, want %v (user-set equal values and different values are not defaults)", got, want)
	}

	p, err := PlanModify("g", false, ps, []Assignment{{"wait_timeout", "28800"}, {"interactive_timeout", "600"}}, ApplyAuto)
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]bool{}
	for _, c := range p.NoOps {
		flags[c.Name] = c.EngineDefault
	}
	if !reflect.DeepEqual(flags, map[string]bool{"wait_timeout": true, "interactive_timeout": false}) {
		t.Errorf("no-ops' EngineDefault = %v", flags)
	}
}
