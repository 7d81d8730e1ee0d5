package params

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func TestExportRoundTrip(t *testing.T) {
	params := []types.Parameter{
		meta("wait_timeout", "300", "dynamic", "integer", "", "user", true),
		meta("max_connections", "{DBInstanceClassMemory/12582880}", "dynamic", "integer", "", "user", true),
		meta("innodb_buffer_pool_size", "{DBInstanceClassMemory*3/4}", "static", "integer", "", "system", true),
		meta("interactive_timeout", "28800", "dynamic", "integer", "", "engine-default", true),
		meta("sql_mode", "STRICT_TRANS_TABLES,NO_ZERO_DATE", "dynamic", "list", "", "user", true),
		meta("init_connect", "SET NAMES 'utf8mb4': # x", "dynamic", "string", "", "user", true),
		meta("slow_query_log", "ON", "dynamic", "boolean", "", "user", true),
		meta("long_query_time", "0.5", "dynamic", "float", "", "user", true),
		meta("zero_padded", "0300", "dynamic", "integer", "", "user", true),
		meta("huge", "18446744073709551615", "static", "integer", "", "user", true),
		meta("yes_no", "yes", "dynamic", "string", "", "user", true),
		meta("null_word", "null", "dynamic", "string", "", "user", true),
	}
	params[0].ApplyMethod = types.ApplyMethodImmediate
	g := Export("staging-params", "mariadb10.11", "staging: the one", false, params)
	var names []string
	for _, a := range g.Parameters {
		names = append(names, a.Name)
	}
	wantNames := []string{"huge", "init_connect", "long_query_time", "max_connections", "null_word", "slow_query_log", "sql_mode", "wait_timeout", "yes_no", "zero_padded"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Fatalf("exported %v, want only user-set, sorted: %v", names, wantNames)
	}
	f := &File{Groups: []GroupSpec{g, Export("c", "aurora-mysql8.0", "", true, nil)}}
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "wait_timeout: 300\n") {
		t.Errorf("integers should be written bare:\n%s", b)
	}
	back, err := Parse("export.yaml", b)
	if err != nil {
		t.Fatalf("Parse(Marshal()): %v\n%s", err, b)
	}
	assertSameFile(t, f, back, b)
	// And it is stable: marshalling again gives the same bytes.
	b2, err := back.Marshal()
	if err != nil || string(b2) != string(b) {
		t.Errorf("second Marshal differs:\n%s\n---\n%s", b, b2)
	}
}

// TestExportJSONRoundTrip: what `params export -o json` writes (File as
// JSON, parameters a list of {name, value}), Parse reads back to the same
// groups, so apply -f takes it.
func TestExportJSONRoundTrip(t *testing.T) {
	params := []types.Parameter{
		meta("wait_timeout", "300", "dynamic", "integer", "", "user", true),
		meta("max_connections", "{DBInstanceClassMemory/12582880}", "dynamic", "integer", "", "user", true),
		meta("init_connect", "SET NAMES 'utf8mb4': # x", "dynamic", "string", "", "user", true),
		meta("zero_padded", "0300", "dynamic", "integer", "", "user", true),
		meta("null_word", "null", "dynamic", "string", "", "user", true),
	}
	f := &File{Groups: []GroupSpec{
		Export("staging-params", "mariadb10.11", "staging: the one", false, params),
		Export("c", "aurora-mysql8.0", "", true, nil),
	}}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"name": "wait_timeout"`) {
		t.Fatalf("not the list form export writes:\n%s", b)
	}
	back, err := Parse("export.json", b)
	if err != nil {
		t.Fatalf("Parse(json): %v\n%s", err, b)
	}
	assertSameFile(t, f, back, b)
}
