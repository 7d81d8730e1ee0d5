package catalog_test

import (
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
