package params

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// meta builds one parameter as DescribeDBParameters reports it.
func meta(name, value, applyType, dataType, allowed, source string, modifiable bool) types.Parameter {
	p := types.Parameter{ParameterName: aws.String(name), ApplyType: aws.String(applyType),
		DataType: aws.String(dataType), IsModifiable: aws.Bool(modifiable), Source: aws.String(source)}
	if value != "" {
		p.ParameterValue = aws.String(value)
	}
	if allowed != "" {
		p.AllowedValues = aws.String(allowed)
	}
	return p
}

// testGroup is a small mariadb-like group: a mix of dynamic and static,
// typed and constrained parameters, plus n generated dynamic integers
// gen_000... and static ones stat_000... (n of each).
func testGroup(n int) []types.Parameter {
	ps := []types.Parameter{
		meta("wait_timeout", "28800", "dynamic", "integer", "1-31536000", "engine-default", true),
		meta("interactive_timeout", "28800", "dynamic", "integer", "1-31536000", "engine-default", true),
		meta("max_connections", "{DBInstanceClassMemory/12582880}", "dynamic", "integer", "1-100000", "system", true),
		meta("innodb_buffer_pool_size", "{DBInstanceClassMemory*3/4}", "static", "integer", "5242880-18446744073709551615", "system", true),
		meta("datadir", "/rdsdbdata/db/", "static", "string", "", "system", false),
		meta("performance_schema", "0", "static", "boolean", "0,1", "engine-default", true),
		meta("slow_query_log", "0", "dynamic", "boolean", "0,1", "engine-default", true),
		meta("sql_mode", "", "dynamic", "list", "STRICT_TRANS_TABLES,NO_ZERO_DATE,ANSI_QUOTES,ONLY_FULL_GROUP_BY", "engine-default", true),
		meta("character_set_server", "", "dynamic", "string", "utf8mb3,utf8mb4,latin1", "engine-default", true),
		meta("collation_server", "", "dynamic", "string", "", "engine-default", true),
		meta("character_set_client", "", "dynamic", "string", "", "engine-default", true),
		meta("character_set_connection", "", "dynamic", "string", "", "engine-default", true),
		meta("character_set_results", "", "dynamic", "string", "", "engine-default", true),
		meta("collation_connection", "", "dynamic", "string", "", "engine-default", true),
		meta("gtid-mode", "OFF", "static", "string", "OFF,OFF_PERMISSIVE,ON_PERMISSIVE,ON", "engine-default", true),
		meta("enforce_gtid_consistency", "OFF", "static", "string", "OFF,WARN,ON", "engine-default", true),
		meta("binlog_format", "MIXED", "dynamic", "string", "ROW,STATEMENT,MIXED", "system", true),
		meta("binlog_row_image", "FULL", "dynamic", "string", "FULL,MINIMAL,NOBLOB", "engine-default", true),
		meta("max_allowed_packet", "16777216", "dynamic", "integer", "1024-1073741824", "engine-default", true),
	}
	for i := 0; i < n; i++ {
		ps = append(ps, meta(fmt.Sprintf("gen_%03d", i), "0", "dynamic", "integer", "0-1000000", "engine-default", true))
		ps = append(ps, meta(fmt.Sprintf("stat_%03d", i), "0", "static", "integer", "0-1000000", "engine-default", true))
	}
	return ps
}

func userSet(ps []types.Parameter, name, v string) []types.Parameter {
	out := append([]types.Parameter(nil), ps...)
	for i := range out {
		if *out[i].ParameterName == name {
			out[i].ParameterValue = aws.String(v)
			out[i].Source = aws.String("user")
		}
	}
	return out
}
