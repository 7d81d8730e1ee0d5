package verify

import (
	"context"
	"sort"
	"testing"
)

// userSet40 is a parameter group with 40 user-set values, the size of a
// well-tuned production group.
var userSet40 = map[string]string{
	"wait_timeout": "300", "interactive_timeout": "300", "max_connections": "200", "connect_timeout": "10",
	"net_read_timeout": "30", "net_write_timeout": "60", "max_allowed_packet": "64M", "long_query_time": "2",
	"slow_query_log": "1", "log_queries_not_using_indexes": "0", "sql_mode": "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION",
	"innodb_lock_wait_timeout": "30", "lock_wait_timeout": "3600", "max_heap_table_size": "32M", "tmp_table_size": "32M",
	"sort_buffer_size": "4M", "join_buffer_size": "1M", "read_buffer_size": "256K", "read_rnd_buffer_size": "512K",
	"table_open_cache": "2000", "table_definition_cache": "1400", "thread_cache_size": "32", "max_connect_errors": "1000",
	"group_concat_max_len": "4096", "innodb_print_all_deadlocks": "1", "innodb_stats_persistent": "1",
	"innodb_flush_log_at_trx_commit": "1", "binlog_format": "ROW", "event_scheduler": "OFF", "general_log": "0",
	"log_warnings": "2", "max_prepared_stmt_count": "16382", "net_buffer_length": "16K", "query_cache_type": "0",
	"character_set_server": "utf8mb4", "collation_server": "utf8mb4_general_ci", "explicit_defaults_for_timestamp": "1",
	"innodb_file_per_table": "1", "max_error_count": "128", "innodb_buffer_pool_size": "128M",
}

func expect40(t testing.TB) []Expectation {
	t.Helper()
	if len(userSet40) != 40 {
		t.Fatalf("userSet40 has %d parameters", len(userSet40))
	}
	var kv []string
	for k, v := range userSet40 {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	exp, err := ParseExpect(kv)
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

// TestVerify40 checks the benchmark's setup: 40 user-set parameters, all
// ok. (Their speed is BenchmarkVerify40's business, not a test's.)
func TestVerify40(t *testing.T) {
	_, cfg := startServer(t, userSet40)
	r, err := Run(context.Background(), ServerOptions{Conn: cfg, Expect: expect40(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Parameters {
		if p.Status != StatusOK {
			t.Errorf("%s: %+v", p.Name, p)
		}
	}
	if len(r.Parameters) != 40 {
		t.Errorf("%d results", len(r.Parameters))
	}
}

// BenchmarkVerify40 measures a whole verify (connect, authenticate, two
// round trips, compare, close) of 40 user-set parameters on a real server.
func BenchmarkVerify40(b *testing.B) {
	_, cfg := startServer(b, userSet40)
	opts := ServerOptions{Conn: cfg, Expect: expect40(b)}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		r, err := Run(ctx, opts)
		if err != nil {
			b.Fatal(err)
		}
		if r.Findings() != 0 {
			b.Fatalf("findings: %v", r.Err())
		}
	}
}

// BenchmarkCheck40 is the same on a connection kept open, as the failover
// probe does.
func BenchmarkCheck40(b *testing.B) {
	_, cfg := startServer(b, userSet40)
	opts := ServerOptions{Conn: cfg, Expect: expect40(b)}
	ctx := context.Background()
	db, err := Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Check(ctx, db, opts); err != nil {
			b.Fatal(err)
		}
	}
}
