package generate

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
)

// awsMySQL80 is AWS's published default.mysql8.0 group: every parameter
// name, with its value where the group shows one. mysql8.0 carries
// exactly these names (less those the lab cannot describe, see
// mysqlFamily), not MariaDB's.
//
//go:embed aws-mysql8.0.tsv
var awsMySQL80 string

// awsNames parses awsMySQL80 into name -> value.
func awsNames() (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(awsMySQL80, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "\t")
		if !ok || name == "" {
			return nil, fmt.Errorf("aws-mysql8.0.tsv:%d: want NAME<TAB>VALUE", i+1)
		}
		out[name] = value
	}
	return out, nil
}

// mysqlAWSSpelling are names AWS's mysql8.0 group spells with dashes
// where MariaDB's variable has underscores. The lab sets the MariaDB
// variable (Param.EngineName).
var mysqlAWSSpelling = map[string]string{
	"allow_suspicious_udfs":       "allow-suspicious-udfs",
	"core_file":                   "core-file",
	"replicate_do_db":             "replicate-do-db",
	"replicate_do_table":          "replicate-do-table",
	"replicate_ignore_db":         "replicate-ignore-db",
	"replicate_ignore_table":      "replicate-ignore-table",
	"replicate_wild_do_table":     "replicate-wild-do-table",
	"replicate_wild_ignore_table": "replicate-wild-ignore-table",
}

// mysqlOverlay is where MySQL 8.0's metadata differs from MariaDB's for a
// variable both servers have (MySQL 8.0 Reference Manual, "Server System
// Variables" and "InnoDB Startup Options and System Variables").
var mysqlOverlay = map[string][]edit{
	// "Dynamic: No" on MySQL; MariaDB 10.11 resizes it online.
	"innodb_log_file_size": {func(p *catalog.Param) { p.ApplyType = "static" }},
	// MySQL's values; full_crc32 and strict_full_crc32 are MariaDB's.
	"innodb_checksum_algorithm": {allowed("crc32,strict_crc32,innodb,strict_innodb,none,strict_none"),
		func(p *catalog.Param) { p.Default = "crc32" }},
}

// mysqlParam is a MySQL-only parameter: MariaDB has no such variable, so
// the lab validates and records the value and never passes it to its
// server (NoEngine); verify reports it as not-a-variable.
func mysqlParam(name, applyType, dataType, allowedValues, def, description string) catalog.Param {
	return catalog.Param{Name: name, Description: description, ApplyType: applyType, DataType: dataType,
		AllowedValues: allowedValues, IsModifiable: true, Default: def, Source: "engine-default", NoEngine: true}
}

// mysqlOnly are MySQL 8.0 parameters MariaDB does not have, with MySQL's
// metadata: type, range and default from the MySQL 8.0 Reference Manual,
// apply type from its "Dynamic" row (read-only variables are static).
// Each is in AWS's default.mysql8.0 list, except innodb_redo_log_capacity,
// which MySQL added in 8.0.30, after that list was taken. The rest of
// AWS's list comes from mysql-sysvars.tsv (mysqlfacts.go).
var mysqlOnly = []catalog.Param{
	mysqlParam("activate_all_roles_on_login", "dynamic", "boolean", "0,1", "0",
		"Automatically set all granted roles as active after the user has authenticated successfully."),
	mysqlParam("binlog_transaction_dependency_history_size", "dynamic", "integer", "1-1000000", "25000",
		"Maximum number of rows to keep in the writeset history."),
	mysqlParam("binlog_transaction_dependency_tracking", "dynamic", "string", "COMMIT_ORDER,WRITESET,WRITESET_SESSION", "COMMIT_ORDER",
		"Selects the source of dependency information from which to assess which transactions can be executed in parallel by the slave's multi-threaded applier."),
	mysqlParam("cte_max_recursion_depth", "dynamic", "integer", "0-4294967295", "1000",
		"Abort a recursive common table expression if it does more than this number of iterations."),
	// MySQL's default is caching_sha2_password; RDS sets
	// mysql_native_password (AWS's default.mysql8.0 shows it).
	{Name: "default_authentication_plugin", Description: "Defines what password- and authentication algorithm to use per default.",
		ApplyType: "static", DataType: "string", AllowedValues: "mysql_native_password,sha256_password,caching_sha2_password",
		IsModifiable: true, Default: "mysql_native_password", Source: "system", NoEngine: true},
	mysqlParam("default_collation_for_utf8mb4", "dynamic", "string", "utf8mb4_0900_ai_ci,utf8mb4_general_ci", "utf8mb4_0900_ai_ci",
		"Controls default collation for utf8mb4 while replicating implicit utf8mb4 collations."),
	{Name: "enforce_gtid_consistency", Description: "Prevents execution of statements that cannot be logged in a transactionally safe manner.",
		ApplyType: "static", DataType: "string", AllowedValues: "OFF,WARN,ON", IsModifiable: true,
		Default: "OFF", Source: "engine-default", NoEngine: true},
	// RDS's spelling, gtid-mode with a dash. Guesses: RDS marks it static
	// (its GTID guide reboots after setting it); OFF_PERMISSIVE is what
	// AWS's default.mysql8.0 shows, as an RDS value.
	{Name: "gtid-mode", Description: "Controls whether GTID based logging is enabled and what type of transactions the logs can contain.",
		ApplyType: "static", DataType: "string", AllowedValues: "OFF,OFF_PERMISSIVE,ON_PERMISSIVE,ON", IsModifiable: true,
		Default: "OFF_PERMISSIVE", Source: "system", NoEngine: true},
	mysqlParam("information_schema_stats_expiry", "dynamic", "integer", "0-31536000", "86400",
		"The number of seconds after which mysqld server will fetch data from storage engine and replace the data in cache."),
	mysqlParam("innodb_print_ddl_logs", "dynamic", "boolean", "0,1", "0",
		"Print all DDl logs to MySQL error log."),
	mysqlParam("innodb_redo_log_capacity", "dynamic", "integer", "8388608-137438953472", "104857600",
		"Limitation for total size of redo log files on disk (expressed in bytes)."),
	mysqlParam("internal_tmp_mem_storage_engine", "dynamic", "string", "MEMORY,TempTable", "TempTable",
		"The default storage engine for in-memory internal temporary tables."),
	mysqlParam("mandatory_roles", "dynamic", "string", "", "",
		"All the specified roles are always considered granted to every user and they can't be revoked."),
	mysqlParam("max_execution_time", "dynamic", "integer", "0-4294967295", "0",
		"Kill SELECT statement that takes over the specified number of milliseconds."),
	mysqlParam("password_history", "dynamic", "integer", "0-4294967295", "0",
		"The number of old passwords to check in the history. Set to 0 (the default) to turn the checks off."),
	mysqlParam("password_reuse_interval", "dynamic", "integer", "0-4294967295", "0",
		"The minimum number of days that need to pass before a password can be reused. Set to 0 (the default) to turn the checks off."),
	mysqlParam("regexp_stack_limit", "dynamic", "integer", "0-2147483647", "8000000",
		"Stack size limit for regular expressions matches."),
	mysqlParam("regexp_time_limit", "dynamic", "integer", "0-2147483647", "32",
		"Timeout for regular expressions matches, in steps of the match engine, typically on the order of milliseconds."),
	mysqlParam("sql_require_primary_key", "dynamic", "boolean", "0,1", "0",
		"When set, CREATE TABLE and ALTER TABLE statements that would create or leave a table without a primary key are refused."),
	mysqlParam("super_read_only", "dynamic", "boolean", "0,1", "0",
		"Make all non-temporary tables read-only, with the exception for replication applier threads. Users with the SUPER privilege are affected, unlike read_only."),
	mysqlParam("temptable_max_ram", "dynamic", "integer", "2097152-18446744073709551615", "1073741824",
		"Maximum amount of memory (in bytes) the TempTable storage engine is allowed to allocate from the main memory (RAM) before starting to store data on disk."),
	mysqlParam("windowing_use_high_precision", "dynamic", "boolean", "0,1", "1",
		"For SQL window functions, determines whether to enable inversion optimization for moving window frames also for floating values."),
}
