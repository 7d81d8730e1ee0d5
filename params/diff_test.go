package params

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func TestDiff(t *testing.T) {
	a := []types.Parameter{
		meta("slow_query_log", "ON", "dynamic", "boolean", "0,1", "user", true),
		meta("max_allowed_packet", "64M", "dynamic", "integer", "", "user", true),
		meta("sql_mode", "STRICT_TRANS_TABLES,ANSI_QUOTES", "dynamic", "list", "", "user", true),
		meta("binlog_format", " ROW ", "dynamic", "string", "", "user", true),
		meta("max_connections", "{DBInstanceClassMemory/12582880}", "dynamic", "integer", "", "system", true),
		meta("wait_timeout", "300", "dynamic", "integer", "", "user", true),
		meta("collation_server", "", "dynamic", "string", "", "engine-default", true),
		meta("character_set_server", "utf8mb4", "dynamic", "string", "", "user", true),
		meta("only_in_a", "1", "static", "integer", "", "user", true),
	}
	b := []types.Parameter{
		meta("wait_timeout", "28800", "dynamic", "integer", "", "engine-default", true),
		meta("slow_query_log", "1", "dynamic", "boolean", "0,1", "engine-default", true),
		meta("max_allowed_packet", "67108864", "dynamic", "integer", "", "engine-default", true),
		meta("sql_mode", "ansi_quotes, strict_trans_tables", "dynamic", "list", "", "engine-default", true),
		meta("binlog_format", "row", "dynamic", "string", "", "engine-default", true),
		meta("max_connections", "{DBInstanceClassMemory / 12582880}", "dynamic", "integer", "", "system", true),
		meta("collation_server", "", "dynamic", "string", "", "engine-default", true),
		meta("character_set_server", "", "dynamic", "string", "", "engine-default", true),
		meta("only_in_b", "2", "dynamic", "integer", "", "engine-default", false),
	}
	got := Diff(a, b)
	want := []DiffRow{
		{Name: "character_set_server", A: "utf8mb4", B: "", SourceA: "user", SourceB: "engine-default", ApplyType: "dynamic", DataType: "string", IsModifiable: true, Status: DiffChanged},
		{Name: "only_in_a", A: "1", SourceA: "user", ApplyType: "static", DataType: "integer", IsModifiable: true, Status: DiffOnlyA},
		{Name: "only_in_b", B: "2", SourceB: "engine-default", ApplyType: "dynamic", DataType: "integer", Status: DiffOnlyB},
		{Name: "wait_timeout", A: "300", B: "28800", SourceA: "user", SourceB: "engine-default", ApplyType: "dynamic", DataType: "integer", IsModifiable: true, Status: DiffChanged},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Diff:\n got %+v\nwant %+v", got, want)
	}
	if d := Diff(a, a); len(d) != 0 {
		t.Errorf("Diff(a, a) = %+v", d)
	}
	if d := Diff(b, a); len(d) != len(want) || d[1].Status != DiffOnlyB {
		t.Errorf("Diff(b, a) = %+v", d)
	}

	js, err := json.Marshal(got[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"name"`, `"a"`, `"b"`, `"source_a"`, `"apply_type"`, `"data_type"`, `"is_modifiable"`, `"status":"changed"`} {
		if !strings.Contains(string(js), k) {
			t.Errorf("JSON %s lacks %s", js, k)
		}
	}
}
