package catalog_test

import (
	"os"
	"strings"
	"testing"
)

// TestMySQLMetadata: the MySQL families carry MySQL 8.0's parameters with
// MySQL's metadata, not MariaDB's (issue 12).
func TestMySQLMetadata(t *testing.T) {
	type meta struct{ apply, dataType, allowed, def, source string }
	want := map[string]meta{
		"sql_require_primary_key":                {"dynamic", "boolean", "0,1", "0", "engine-default"},
		"default_authentication_plugin":          {"static", "string", "mysql_native_password,sha256_password,caching_sha2_password", "mysql_native_password", "system"},
		"activate_all_roles_on_login":            {"dynamic", "boolean", "0,1", "0", "engine-default"},
		"innodb_redo_log_capacity":               {"dynamic", "integer", "8388608-137438953472", "104857600", "engine-default"},
		"binlog_transaction_dependency_tracking": {"dynamic", "string", "COMMIT_ORDER,WRITESET,WRITESET_SESSION", "COMMIT_ORDER", "engine-default"},
		"innodb_checksum_algorithm":              {"dynamic", "string", "crc32,strict_crc32,innodb,strict_innodb,none,strict_none", "crc32", "engine-default"},
	}
	f := lookup(t, "mysql8.0")
	for name, w := range want {
		p, ok := f.Param(name)
		if !ok {
			t.Errorf("mysql8.0 lacks %s", name)
			continue
		}
		got := meta{p.ApplyType, p.DataType, p.AllowedValues, p.Default, p.Source}
		if got != w {
			t.Errorf("mysql8.0 %s = %+v, want %+v", name, got, w)
		}
		if !p.IsModifiable {
			t.Errorf("mysql8.0 %s is not modifiable", name)
		}
	}
	// Static on MySQL ("Dynamic: No"), dynamic on MariaDB 10.11.
	if p, _ := f.Param("innodb_log_file_size"); p.ApplyType != "static" {
		t.Errorf("mysql8.0 innodb_log_file_size is %s, want static", p.ApplyType)
	}
	if p, _ := lookup(t, "mariadb10.11").Param("innodb_log_file_size"); p.ApplyType != "dynamic" {
		t.Errorf("mariadb10.11 innodb_log_file_size is %s, want dynamic", p.ApplyType)
	}
	if p, _ := f.Param("innodb_checksum_algorithm"); strings.Contains(strings.ToLower(p.AllowedValues), "full_crc32") {
		t.Errorf("mysql8.0 innodb_checksum_algorithm allows MariaDB's full_crc32: %s", p.AllowedValues)
	}
	// MySQL-only parameters have no MariaDB variable for the lab to set.
	if p, _ := f.Param("sql_require_primary_key"); p.Variable() != "" {
		t.Errorf("sql_require_primary_key maps to mariadbd variable %q", p.Variable())
	}
	// AWS's spelling, carried to MariaDB's variable.
	if p, ok := f.Param("allow-suspicious-udfs"); !ok || p.Variable() != "allow_suspicious_udfs" {
		t.Errorf("allow-suspicious-udfs = %+v (present %v), want MariaDB's allow_suspicious_udfs", p, ok)
	}
	// MariaDB-only variables the older hand list missed are gone: the
	// names are AWS's.
	for _, name := range []string{"max_recursive_iterations", "join_buffer_space_limit", "allow_suspicious_udfs"} {
		if _, ok := f.Param(name); ok {
			t.Errorf("mysql8.0 has MariaDB's %s", name)
		}
	}
	// Aurora: MySQL's metadata too, without what Aurora manages itself.
	a := lookup(t, "aurora-mysql8.0")
	if _, ok := a.Param("sql_require_primary_key"); !ok {
		t.Error("aurora-mysql8.0 lacks sql_require_primary_key")
	}
	if _, ok := a.Param("innodb_redo_log_capacity"); ok {
		t.Error("aurora-mysql8.0 has innodb_redo_log_capacity, which Aurora manages")
	}
}

// TestMySQLHasAWSNames: every name of AWS's default.mysql8.0 group is a
// mysql8.0 parameter, with MySQL 8.0's metadata as mysql-sysvars.tsv
// records it (go-mysql-server for types, ranges and defaults; the MySQL
// manual's summary table for the apply type of the rest), and none of the
// MySQL-only ones reaches mariadbd.
func TestMySQLHasAWSNames(t *testing.T) {
	b, err := os.ReadFile("internal/generate/aws-mysql8.0.tsv")
	if err != nil {
		t.Fatal(err)
	}
	f := lookup(t, "mysql8.0")
	n := 0
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		name, _, _ := strings.Cut(line, "\t")
		if _, ok := f.Param(name); !ok {
			t.Errorf("mysql8.0 lacks AWS's %s", name)
		}
	}
	if n != 529 {
		t.Errorf("aws-mysql8.0.tsv has %d names, want AWS's 529", n)
	}

	type meta struct{ apply, dataType, allowed, def string }
	want := map[string]meta{
		// Manual: Dynamic No; no type or range in the summary table.
		"innodb_doublewrite_files": {"static", "string", "", ""},
		"mysqlx_port":              {"static", "string", "", ""},
		// Manual: Dynamic Yes.
		"validate_password_length": {"dynamic", "string", "", ""},
		"mysqlx_connect_timeout":   {"dynamic", "string", "", ""},
		// go-mysql-server: enum, range and boolean with MySQL's defaults.
		"log_timestamps":      {"dynamic", "string", "UTC,SYSTEM", "UTC"},
		"session_track_gtids": {"dynamic", "string", "OFF,OWN_GTID,ALL_GTIDS", "OFF"},
		"ngram_token_size":    {"static", "integer", "1-10", "2"},
		"offline_mode":        {"dynamic", "boolean", "0,1", "0"},
		// No source: conservative.
		"default_time_zone":       {"static", "string", "", ""},
		"innodb_scan_directories": {"static", "string", "", ""},
		"sysdate-is-now":          {"static", "string", "", ""},
	}
	for name, w := range want {
		p, ok := f.Param(name)
		if !ok {
			t.Errorf("mysql8.0 lacks %s", name)
			continue
		}
		if got := (meta{p.ApplyType, p.DataType, p.AllowedValues, p.Default}); got != w {
			t.Errorf("mysql8.0 %s = %+v, want %+v", name, got, w)
		}
		if !p.IsModifiable || p.Source != "engine-default" {
			t.Errorf("mysql8.0 %s: modifiable %v, source %s", name, p.IsModifiable, p.Source)
		}
		if p.Variable() != "" {
			t.Errorf("mysql8.0 %s maps to mariadbd variable %q", name, p.Variable())
		}
	}

	// Shared with MariaDB: MySQL's apply type and values.
	m := lookup(t, "mariadb10.11")
	for _, name := range []string{"innodb_read_io_threads", "innodb_ft_cache_size", "relay_log_recovery"} {
		p, _ := f.Param(name)
		q, _ := m.Param(name)
		if p.ApplyType != "static" || q.ApplyType != "dynamic" {
			t.Errorf("%s: mysql8.0 %s, mariadb10.11 %s; want static on MySQL, dynamic on MariaDB", name, p.ApplyType, q.ApplyType)
		}
	}
	if p, _ := f.Param("event_scheduler"); p.AllowedValues != "ON,OFF,DISABLED" {
		t.Errorf("mysql8.0 event_scheduler allows %q, want MySQL's ON,OFF,DISABLED (no MariaDB ORIGINAL)", p.AllowedValues)
	}
	// Dynamic on MySQL, read-only on MariaDB: the lab could not apply it
	// online, so it stays static.
	if p, _ := f.Param("ssl_ca"); p.ApplyType != "static" {
		t.Errorf("mysql8.0 ssl_ca is %s, want static (mariadbd cannot change it online)", p.ApplyType)
	}
}
