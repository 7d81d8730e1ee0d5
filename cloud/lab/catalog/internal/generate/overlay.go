package generate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
)

// The overlay is Go code rather than a data file so that every entry sits
// next to the reason for it, and so that a typo fails the build or the run:
// each edit names a parameter that must exist (apply returns an error
// otherwise), which also catches a MariaDB upgrade that renames a variable.
//
// It is deliberately small. It covers what RDS demonstrably does
// differently from a stock server: the paths and identity RDS owns, the
// formulas RDS uses for memory-sized defaults, and, for the MySQL families,
// the names MariaDB has and MySQL does not. Sources:
//   - RDS paths and formulas: describe-db-parameters output of a mysql5.7
//     group (basedir /rdsdbbin/mysql, datadir /rdsdbdata/db/, pid_file
//     /rdsdbdata/log/mysql-{EndPointPort}.pid, port {EndPointPort},
//     socket /tmp/mysql.sock, tmpdir /rdsdbdata/tmp, the log paths,
//     max_connections {DBInstanceClassMemory/12582880},
//     innodb_buffer_pool_size {DBInstanceClassMemory*3/4});
//   - Aurora: "Aurora MySQL configuration parameters" in the Aurora User
//     Guide (the cluster-level and instance-level tables, their Modifiable
//     column, and "MySQL parameters that don't apply to Aurora MySQL");
//   - performance_schema: "Determining whether Performance Insights is
//     managing the Performance Schema" (value 0, Source system default).

// edit changes one parameter's metadata.
type edit func(*catalog.Param)

// system marks a value RDS sets and owns: not modifiable, Source system.
func system(value string) edit {
	return func(p *catalog.Param) {
		p.Default, p.Source, p.IsModifiable = value, "system", false
	}
}

// rdsDefault is a default RDS sets itself (often a formula) that users may
// still override: Source system, still modifiable.
func rdsDefault(value string) edit {
	return func(p *catalog.Param) { p.Default, p.Source = value, "system" }
}

// fixed makes a parameter read-only in the group, keeping its default.
func fixed(p *catalog.Param) { p.IsModifiable = false }

// allowed replaces AllowedValues.
func allowed(values string) edit { return func(p *catalog.Param) { p.AllowedValues = values } }

// exact pins all of a parameter's metadata: for the parameters the project
// is built around, a MariaDB upgrade must not move them silently.
func exact(applyType, dataType, allowedValues, def string) edit {
	return func(p *catalog.Param) {
		p.ApplyType, p.DataType, p.AllowedValues, p.Default = applyType, dataType, allowedValues, def
		p.IsModifiable, p.Source = true, "engine-default"
	}
}

// commonOverlay applies to every family. The names RDS manages match the
// lab's own list of options it never lets a parameter group set
// (cloud/lab/mysqld managedOptions).
var commonOverlay = map[string][]edit{
	"aria_log_dir_path":         {system(rdsDatadir)}, // a path under RDS's datadir; guess
	"basedir":                   {system("/rdsdbbin/mysql")},
	"bind_address":              {system("")}, // RDS shows no value; guess
	"character_sets_dir":        {system("")}, // RDS shows no value; guess
	"datadir":                   {system(rdsDatadir)},
	"general_log_file":          {system("/rdsdbdata/log/general/mysql-general.log")},
	"innodb_data_home_dir":      {system("/rdsdbdata/db/innodb")},
	"innodb_log_group_home_dir": {system("/rdsdbdata/log/innodb")},
	"innodb_undo_directory":     {system("")}, // Aurora: not modifiable; RDS value unknown
	"lc_messages_dir":           {system("")}, // RDS shows no value; guess
	"log_error":                 {system("/rdsdbdata/log/error/mysql-error.log")},
	"pid_file":                  {system("/rdsdbdata/log/mysql-{EndPointPort}.pid")},
	"plugin_dir":                {system("")}, // guess: RDS owns it, value not published
	"port":                      {system("{EndPointPort}")},
	"relay_log":                 {system("/rdsdbdata/log/relaylog/relaylog")},
	"secure_file_priv":          {system("/tmp")}, // mysql5.7 shows /tmp; later versions unconfirmed
	// RDS shows {ServerId}, which params/formula cannot evaluate, so the
	// value is left out rather than handing callers an unknown variable.
	"server_id":           {system("")},
	"skip_networking":     {system("0")},
	"slow_query_log_file": {system("/rdsdbdata/log/slowquery/mysql-slowquery.log")},
	"socket":              {system("/tmp/mysql.sock")},
	"tmpdir":              {system("/rdsdbdata/tmp")},

	// Memory-sized defaults. RDS's AllowedValues for max_connections is
	// 1-100000 ("Invalid parameter value: 0 for: max_connections allowed
	// values are: 1-100000"); MariaDB's own floor is 10.
	"max_connections":         {rdsDefault("{DBInstanceClassMemory/12582880}"), allowed("1-100000")},
	"innodb_buffer_pool_size": {rdsDefault("{DBInstanceClassMemory*3/4}")},
	// Performance Insights manages it while it is 0 with Source system.
	"performance_schema": {rdsDefault("0")},

	// The interactive_timeout trap is what rdsctl verify exists for; these
	// two must look exactly like RDS's whatever MariaDB does next.
	"wait_timeout":        {exact("dynamic", "integer", "1-31536000", "28800")},
	"interactive_timeout": {exact("dynamic", "integer", "1-31536000", "28800")},
}

// dropEverywhere names what no family carries: Galera (wsrep_*) is not
// offered by RDS, and its defaults (wsrep_node_name) are host-specific.
func dropEverywhere(name string) bool { return strings.HasPrefix(name, "wsrep_") }

// mariadbOnlyPrefixes and mariadbOnly are MariaDB features MySQL 8.0 does
// not have, dropped from the MySQL families. The list is the obvious part,
// not an exhaustive diff of the two servers: Aria, the thread pool, the
// query cache (removed in MySQL 8.0), MariaDB's GTID and encryption
// variables, column compression, system versioning, and variables whose
// names exist only in MariaDB.
var mariadbOnlyPrefixes = []string{
	"aria_", "column_compression_", "deadlock_", "gtid_", "innodb_defragment",
	"innodb_encrypt", "query_cache_", "server_audit_", "system_versioning_", "tcp_keepalive_",
	"thread_pool_",
}

var mariadbOnly = names(`
	alter_algorithm analyze_max_length analyze_sample_percentage binlog_alter_two_phase
	binlog_annotate_row_events binlog_commit_wait_count binlog_commit_wait_usec
	binlog_file_cache_size binlog_optimize_thread_scheduling check_constraint_checks
	default_regex_flags encrypt_binlog encrypt_tmp_disk_tables encrypt_tmp_files
	expensive_subquery_limit extra_max_connections extra_port histogram_size histogram_type
	idle_readonly_transaction_timeout idle_transaction_timeout idle_write_transaction_timeout
	in_predicate_conversion_threshold innodb_alter_copy_bulk innodb_buffer_pool_size_auto_min
	innodb_buffer_pool_size_max innodb_compression_algorithm innodb_deadlock_report
	innodb_force_primary_key innodb_immediate_scrub_data_uncompressed
	innodb_instant_alter_column_allowed innodb_linux_aio innodb_log_file_buffering
	innodb_log_file_mmap innodb_prefix_index_cluster_optimization innodb_read_only_compressed
	innodb_snapshot_isolation innodb_stats_traditional innodb_use_atomic_writes join_cache_level
	key_cache_file_hash_size key_cache_segments log_bin_compress log_bin_compress_min_len
	log_disabled_statements log_slow_disabled_statements log_slow_filter log_slow_max_warnings
	log_slow_min_examined_row_limit log_slow_query log_slow_query_file log_slow_query_time
	log_slow_rate_limit log_slow_verbosity log_tc_size max_password_errors max_rowid_filter_size
	max_session_mem_used max_statement_time mrr_buffer_size mysql56_temporal_format note_verbosity
	old_alter_table old_mode optimizer_adjust_secondary_key_costs optimizer_extra_pruning_depth
	optimizer_join_limit_pref_ratio optimizer_max_sel_arg_weight optimizer_max_sel_args
	optimizer_selectivity_sampling_limit optimizer_use_condition_selectivity plugin_maturity
	progress_report_time proxy_protocol_networks read_binlog_speed_limit
	replicate_annotate_row_events replicate_events_marked_for_skip rowid_merge_buff_size
	secure_timestamp slave_ddl_exec_mode slave_domain_parallel_threads slave_max_statement_time
	slave_parallel_mode slave_parallel_threads slave_run_triggers_for_rbr sql_if_exists
	standard_compliant_cte strict_password_validation use_stat_tables userstat`)

func mariadbOnlyName(name string) bool {
	for _, pre := range mariadbOnlyPrefixes {
		if strings.HasPrefix(name, pre) {
			return true
		}
	}
	return mariadbOnly[name]
}

// mysqlRenames are MySQL 8.0 names for variables MariaDB 10.11 spells the
// old way (MySQL 8.0 removed tx_isolation and tx_read_only). The lab sets
// the MariaDB variable (Param.EngineName).
var mysqlRenames = map[string]string{
	"tx_isolation": "transaction_isolation",
	"tx_read_only": "transaction_read_only",
}

// auroraServerAudit are the audit plugin's variables Aurora lists as
// cluster parameters. Aurora implements them itself; the lab's mariadbd
// does not load the plugin, so they are NoEngine.
var auroraServerAudit = names(`server_audit_events server_audit_excl_users server_audit_incl_users server_audit_logging`)

// auroraInapplicable is "MySQL parameters that don't apply to Aurora
// MySQL", where MariaDB has them.
var auroraInapplicable = names(`
	big_tables bind_address character_sets_dir innodb_adaptive_flushing
	innodb_adaptive_flushing_lwm innodb_buffer_pool_chunk_size innodb_change_buffering
	innodb_checksum_algorithm innodb_data_file_path innodb_doublewrite
	innodb_flush_log_at_timeout innodb_flush_method innodb_flush_neighbors innodb_io_capacity
	innodb_io_capacity_max innodb_log_buffer_size innodb_log_file_size
	innodb_max_dirty_pages_pct innodb_numa_interleave innodb_undo_log_truncate
	innodb_use_native_aio innodb_write_io_threads thread_cache_size innodb_redo_log_capacity`)

// auroraCluster are the cluster-level parameters of Aurora MySQL version 3
// that exist here. They live in the DB cluster parameter group and, as the
// guide says, are not found in the instance's DB parameter group, except
// auroraBoth, which appear in both tables.
var auroraCluster = names(`
	auto_increment_increment auto_increment_offset binlog_checksum binlog_format
	binlog_row_image binlog_row_metadata character_set_client character_set_connection
	character_set_database character_set_filesystem character_set_results
	character_set_server collation_connection collation_server completion_type
	default_storage_engine enforce_gtid_consistency event_scheduler gtid-mode init_connect
	innodb_adaptive_hash_index innodb_autoinc_lock_mode innodb_cmp_per_index_enabled
	innodb_data_home_dir innodb_deadlock_detect innodb_default_row_format
	innodb_file_per_table innodb_flush_log_at_trx_commit innodb_ft_max_token_size
	innodb_ft_min_token_size innodb_ft_num_word_optimize innodb_ft_sort_pll_degree
	innodb_online_alter_log_max_size innodb_optimize_fulltext_only innodb_page_size
	innodb_print_all_deadlocks innodb_purge_batch_size innodb_purge_threads
	innodb_rollback_on_timeout innodb_spin_wait_delay innodb_strict_mode
	innodb_sync_spin_loops innodb_table_locks innodb_undo_directory key_buffer_size
	lc_time_names lower_case_table_names master_verify_checksum read_only
	relay_log_space_limit replicate_do_db replicate_do_table replicate_ignore_db
	replicate_ignore_table replicate_wild_do_table replicate_wild_ignore_table
	require_secure_transport server_audit_events server_audit_excl_users
	server_audit_incl_users server_audit_logging server_id skip_name_resolve time_zone
	tls_version`)

var auroraBoth = names(`init_connect innodb_deadlock_detect innodb_print_all_deadlocks key_buffer_size`)

// mariadbOverlay applies to the MariaDB families only. RDS for MariaDB
// 10.5 and later sizes max_connections at half MySQL's rate, capped:
// LEAST({DBInstanceClassMemory/25165760},12000) (AWS, "Maximum number of
// database connections", RDS User Guide).
var mariadbOverlay = map[string][]edit{
	"max_connections": {rdsDefault("LEAST({DBInstanceClassMemory/25165760},12000)")},
}

// auroraOverlay applies to both Aurora groups. Modifiable "No" in the
// guide's tables becomes fixed; basedir is Aurora's engine directory
// (/rdsdbbin/oscar in default.aurora5.6; assumed unchanged for version 3).
// Aurora's real max_connections default is
// GREATEST({log(DBInstanceClassMemory/805306368)*45},{log(DBInstanceClassMemory/8187281408)*1000});
// params/formula has no log(), so the RDS MySQL formula is kept.
var auroraOverlay = map[string][]edit{
	"basedir": {system("/rdsdbbin/oscar")},
	// Cluster table, Modifiable "No" (innodb_flush_log_at_trx_commit: No
	// in version 3, always 1).
	"binlog_row_image":               {fixed},
	"default_storage_engine":         {fixed},
	"innodb_flush_log_at_trx_commit": {fixed},
	"innodb_page_size":               {fixed},
	"skip_name_resolve":              {fixed},
	// Instance table, Modifiable "No".
	"allow_suspicious_udfs":               {fixed},
	"core_file":                           {fixed},
	"flush":                               {fixed},
	"ft_boolean_syntax":                   {fixed},
	"innodb_buffer_pool_dump_at_shutdown": {fixed},
	"innodb_buffer_pool_dump_now":         {fixed},
	"innodb_buffer_pool_filename":         {fixed},
	"innodb_buffer_pool_load_abort":       {fixed},
	"innodb_buffer_pool_load_at_startup":  {fixed},
	"innodb_buffer_pool_load_now":         {fixed},
	"innodb_change_buffer_max_size":       {fixed},
	"innodb_flushing_avg_loops":           {fixed},
	"innodb_read_io_threads":              {fixed},
	"innodb_read_only":                    {fixed},
	"log_slave_updates":                   {fixed},
	"max_binlog_size":                     {fixed},
	"sync_binlog":                         {fixed},
	"thread_handling":                     {fixed},
}

// names splits a whitespace-separated list into a set.
func names(s string) map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(s) {
		m[n] = true
	}
	return m
}

// paramSet is a family's parameters under construction, by name.
type paramSet map[string]catalog.Param

// apply runs the overlay; a name the set lacks is an error.
func (s paramSet) apply(overlay map[string][]edit) error {
	for _, name := range slices.Sorted(maps.Keys(overlay)) {
		p, ok := s[name]
		if !ok {
			return fmt.Errorf("overlay names %s, which the server does not have", name)
		}
		for _, e := range overlay[name] {
			e(&p)
		}
		s[name] = p
	}
	return nil
}

// drop removes the names in set, each of which must exist.
func (s paramSet) drop(set map[string]bool) error {
	for name := range set {
		if _, ok := s[name]; !ok {
			return fmt.Errorf("cannot drop %s: the server does not have it", name)
		}
		delete(s, name)
	}
	return nil
}

func (s paramSet) clone() paramSet { return maps.Clone(s) }

func (s paramSet) sorted() []catalog.Param {
	out := make([]catalog.Param, 0, len(s))
	for _, name := range slices.Sorted(maps.Keys(s)) {
		out = append(out, s[name])
	}
	return out
}
