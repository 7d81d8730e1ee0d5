package main

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/verify"
)

// group40 is a parameter group with 40 user-set values, the size of a
// well-tuned production group, in the spellings RDS accepts.
// None is its engine default: a value equal to the default stays a
// default (not user-set), as on AWS.
var group40 = map[string]string{
	"wait_timeout": "300", "interactive_timeout": "300", "max_connections": "200", "connect_timeout": "11",
	"net_read_timeout": "31", "net_write_timeout": "61", "max_allowed_packet": "67108864", "long_query_time": "2",
	"slow_query_log": "1", "log_queries_not_using_indexes": "1", "sql_mode": "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION",
	"innodb_lock_wait_timeout": "30", "lock_wait_timeout": "3600", "max_heap_table_size": "33554432", "tmp_table_size": "33554432",
	"sort_buffer_size": "4194304", "join_buffer_size": "1048576", "read_buffer_size": "262144", "read_rnd_buffer_size": "524288",
	"table_open_cache": "2001", "table_definition_cache": "1400", "thread_cache_size": "32", "max_connect_errors": "1000",
	"group_concat_max_len": "4096", "innodb_print_all_deadlocks": "1", "innodb_stats_persistent": "0",
	"innodb_flush_log_at_trx_commit": "2", "binlog_format": "ROW", "event_scheduler": "ON", "general_log": "1",
	"log_warnings": "3", "max_prepared_stmt_count": "16383", "net_buffer_length": "32768", "query_cache_type": "DEMAND",
	"character_set_server": "utf8mb4", "collation_server": "utf8mb4_general_ci", "explicit_defaults_for_timestamp": "0",
	"innodb_file_per_table": "0", "max_error_count": "128", "innodb_buffer_pool_size": "134217728",
}

// labInstance40 starts an in-process engine lab with instance db40 using
// a group that sets group40, and returns what verify.Instance needs.
func labInstance40(t testing.TB) (aws.Config, cloud.RDS) {
	t.Helper()
	l := labtest.Start(t, labtest.WithEngine(t, 0))
	api := labtest.Client(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := api.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("bench40"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("40 user-set parameters")}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range group40 {
		names = append(names, k)
	}
	sort.Strings(names)
	for i := 0; i < len(names); i += 20 {
		var ps []types.Parameter
		for _, n := range names[i:min(i+20, len(names))] {
			ps = append(ps, types.Parameter{ParameterName: aws.String(n), ParameterValue: aws.String(group40[n]), ApplyMethod: types.ApplyMethodPendingReboot})
		}
		if _, err := api.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("bench40"), Parameters: ps}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("db40"), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mariadb"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String(scriptDBPassword),
		DBParameterGroupName: aws.String("bench40")}); err != nil {
		t.Fatal(err)
	}
	if err := cloud.WaitInstanceAvailable(ctx, api, "db40", 2*time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	}); err != nil {
		t.Fatal(err)
	}
	t.Setenv(verify.EnvPassword, scriptDBPassword)
	return aws.Config{Region: "us-east-1"}, api
}

// options40 are the verify options `rdsctl verify db40` runs with.
func options40(t testing.TB) verify.Options {
	vo, err := (&verifyFlags{}).options(defaultDB)
	if err != nil {
		t.Fatal(err)
	}
	return vo
}

// TestVerifyInstance40 is verify.Instance end to end on the benchmark's lab
// instance: 40 user-set parameters, all ok. (Its speed is the benchmark's
// business, not a test's.)
func TestVerifyInstance40(t *testing.T) {
	cfg, api := labInstance40(t)
	rep, err := verify.Instance(context.Background(), api, cfg, "db40", options40(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Parameters) != 40 {
		t.Errorf("%d results, want 40", len(rep.Parameters))
	}
	for _, p := range rep.Parameters {
		if p.Status != verify.StatusOK {
			t.Errorf("%s: %+v", p.Name, p)
		}
	}
	if rep.ParameterGroup != "bench40" || rep.ParameterApplyStatus != "in-sync" || rep.InstanceClass != "db.t3.micro" {
		t.Errorf("report = %+v", rep)
	}
}

// BenchmarkVerifyInstance40 measures `rdsctl verify` without the printing
// against a lab instance whose group sets 40 parameters: DescribeDBInstances,
// DescribeDBParameters, connect and authenticate, two round trips, compare.
func BenchmarkVerifyInstance40(b *testing.B) {
	cfg, api := labInstance40(b)
	ctx := context.Background()
	opts := options40(b)
	for b.Loop() {
		rep, err := verify.Instance(ctx, api, cfg, "db40", opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Parameters) != 40 || rep.Findings() != 0 {
			b.Fatalf("%d results, %v", len(rep.Parameters), rep.Err())
		}
	}
}
