package catalog_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
	"github.com/rdsctl/rdsctl/cloud/lab/catalog/internal/generate"
	"github.com/rdsctl/rdsctl/params/formula"
	"github.com/rdsctl/rdsctl/params/value"
)

var wantFamilies = []string{"aurora-mysql8.0", "mariadb10.11", "mysql8.0"}

func lookup(t testing.TB, name string) *catalog.Family {
	t.Helper()
	f, err := catalog.Lookup(name)
	if err != nil {
		t.Fatalf("Lookup(%q): %v", name, err)
	}
	return f
}

func TestFamilies(t *testing.T) {
	if got := catalog.Families(); !slices.Equal(got, wantFamilies) {
		t.Fatalf("Families() = %v, want %v", got, wantFamilies)
	}
	tests := []struct {
		family, engine string
		cluster        bool
	}{
		{"mariadb10.11", "mariadb", false},
		{"mysql8.0", "mysql", true},
		{"aurora-mysql8.0", "aurora-mysql", true},
	}
	for _, tt := range tests {
		f := lookup(t, tt.family)
		if f.Name != tt.family || f.Engine != tt.engine || f.EngineVersion == "" {
			t.Errorf("%s: name %q engine %q version %q", tt.family, f.Name, f.Engine, f.EngineVersion)
		}
		// A few hundred parameters each; a handful would mean the
		// generator lost most of the server's variables.
		if len(f.Instance) < 200 {
			t.Errorf("%s: %d instance parameters, want at least 200", tt.family, len(f.Instance))
		}
		if f.HasCluster() != tt.cluster {
			t.Errorf("%s: HasCluster() = %v, want %v", tt.family, f.HasCluster(), tt.cluster)
		}
	}
}

func TestLookupUnknownFamily(t *testing.T) {
	f, err := catalog.Lookup("postgres16")
	if !errors.Is(err, catalog.ErrUnknownFamily) {
		t.Fatalf("Lookup(postgres16) error = %v, want ErrUnknownFamily", err)
	}
	if f != nil {
		t.Errorf("Lookup(postgres16) returned a family")
	}
	if !strings.Contains(err.Error(), "mariadb10.11") {
		t.Errorf("error %q does not list the known families", err)
	}
}

// TestParams pins the parameters other packages are built around.
func TestParams(t *testing.T) {
	type want struct {
		apply, dataType, allowed, def, source string
		modifiable                            bool
	}
	timeout := want{"dynamic", "integer", "1-31536000", "28800", "engine-default", true}
	tests := []struct {
		family, name string
		cluster      bool
		want         want
	}{
		{"mariadb10.11", "wait_timeout", false, timeout},
		{"mariadb10.11", "interactive_timeout", false, timeout},
		{"mysql8.0", "wait_timeout", false, timeout},
		{"mysql8.0", "interactive_timeout", false, timeout},
		{"mysql8.0", "wait_timeout", true, timeout},
		{"aurora-mysql8.0", "wait_timeout", false, timeout},
		{"aurora-mysql8.0", "interactive_timeout", false, timeout},

		{"mariadb10.11", "max_connections", false, want{"dynamic", "integer", "1-100000", "LEAST({DBInstanceClassMemory/25165760},12000)", "system", true}},
		{"mysql8.0", "max_connections", false, want{"dynamic", "integer", "1-100000", "{DBInstanceClassMemory/12582880}", "system", true}},
		{"mariadb10.11", "innodb_buffer_pool_size", false, want{"dynamic", "integer", "2097152-18446744073701163008", "{DBInstanceClassMemory*3/4}", "system", true}},
		{"aurora-mysql8.0", "innodb_buffer_pool_size", false, want{"dynamic", "integer", "2097152-18446744073701163008", "{DBInstanceClassMemory*3/4}", "system", true}},

		// Static: READ_ONLY in SYSTEM_VARIABLES. The lab runs it at 2M and
		// says so as a system value (internal/generate/labown.go).
		{"mariadb10.11", "innodb_log_buffer_size", false, want{"static", "integer", "2097152-2147479552", "2097152", "system", true}},
		{"mariadb10.11", "performance_schema", false, want{"static", "boolean", "0,1", "0", "system", true}},

		// Owned by RDS.
		{"mariadb10.11", "datadir", false, want{"static", "string", "", "/rdsdbdata/db/", "system", false}},
		{"mysql8.0", "basedir", false, want{"static", "string", "", "/rdsdbbin/mysql", "system", false}},
		{"aurora-mysql8.0", "basedir", false, want{"static", "string", "", "/rdsdbbin/oscar", "system", false}},
		{"mariadb10.11", "port", false, want{"static", "integer", "0-65535", "{EndPointPort}", "system", false}},
		{"mariadb10.11", "skip_networking", false, want{"static", "boolean", "0,1", "0", "system", false}},

		// Type mapping.
		{"mariadb10.11", "autocommit", false, want{"dynamic", "boolean", "0,1", "1", "engine-default", true}},
		{"mariadb10.11", "long_query_time", false, want{"dynamic", "float", "0-31536000", "10", "engine-default", true}},
		{"mariadb10.11", "binlog_format", false, want{"dynamic", "string", "MIXED,STATEMENT,ROW", "MIXED", "engine-default", true}},
		{"mariadb10.11", "default_storage_engine", false, want{"dynamic", "string", "", "InnoDB", "engine-default", true}},

		// Aurora: cluster level, and fixed where the guide says so.
		{"aurora-mysql8.0", "binlog_format", true, want{"dynamic", "string", "MIXED,STATEMENT,ROW", "MIXED", "engine-default", true}},
		{"aurora-mysql8.0", "innodb_flush_log_at_trx_commit", true, want{"dynamic", "integer", "0-3", "1", "engine-default", false}},
	}
	for _, tt := range tests {
		f := lookup(t, tt.family)
		get := f.Param
		if tt.cluster {
			get = f.ClusterParam
		}
		p, ok := get(tt.name)
		if !ok {
			t.Errorf("%s: %s (cluster %v) missing", tt.family, tt.name, tt.cluster)
			continue
		}
		got := want{p.ApplyType, p.DataType, p.AllowedValues, p.Default, p.Source, p.IsModifiable}
		if got != tt.want {
			t.Errorf("%s: %s (cluster %v)\n got %+v\nwant %+v", tt.family, tt.name, tt.cluster, got, tt.want)
		}
	}
}

func TestFamilyDifferences(t *testing.T) {
	tests := []struct {
		family, name string
		cluster      bool
		present      bool
	}{
		{"mariadb10.11", "aria_pagecache_buffer_size", false, true},
		{"mysql8.0", "aria_pagecache_buffer_size", false, false},
		{"mysql8.0", "query_cache_size", false, false}, // removed in MySQL 8.0
		{"mysql8.0", "tx_isolation", false, false},
		{"mysql8.0", "transaction_isolation", false, true},
		{"mysql8.0", "gtid-mode", false, true},
		{"mariadb10.11", "gtid-mode", false, false},
		{"mariadb10.11", "wsrep_on", false, false},
		{"mariadb10.11", "server_audit_logging", false, false},
		{"mariadb10.11", "version", false, false}, // informational, not a parameter
		{"aurora-mysql8.0", "server_audit_logging", true, true},
		{"aurora-mysql8.0", "server_audit_logging", false, false},
		{"aurora-mysql8.0", "character_set_server", true, true},
		{"aurora-mysql8.0", "character_set_server", false, false},
		{"aurora-mysql8.0", "innodb_print_all_deadlocks", false, true}, // in both tables
		{"aurora-mysql8.0", "innodb_print_all_deadlocks", true, true},
		{"aurora-mysql8.0", "innodb_flush_method", false, false}, // doesn't apply to Aurora
		{"aurora-mysql8.0", "max_connections", true, false},
	}
	for _, tt := range tests {
		f := lookup(t, tt.family)
		get := f.Param
		if tt.cluster {
			get = f.ClusterParam
		}
		if _, ok := get(tt.name); ok != tt.present {
			t.Errorf("%s: %s (cluster %v) present = %v, want %v", tt.family, tt.name, tt.cluster, ok, tt.present)
		}
	}
}

func TestEngineMapping(t *testing.T) {
	f := lookup(t, "mysql8.0")
	tests := []struct{ name, variable string }{
		{"transaction_isolation", "tx_isolation"},
		{"wait_timeout", "wait_timeout"},
		{"gtid-mode", ""},
	}
	for _, tt := range tests {
		p, ok := f.Param(tt.name)
		if !ok {
			t.Errorf("%s missing", tt.name)
			continue
		}
		if got := p.Variable(); got != tt.variable {
			t.Errorf("%s: Variable() = %q, want %q", tt.name, got, tt.variable)
		}
	}
	mdb := lookup(t, "mariadb10.11")
	for name, want := range map[string]bool{"time_zone": true, "sql_select_limit": true, "wait_timeout": false, "character_set_server": false} {
		if p, ok := mdb.Param(name); !ok || p.RuntimeOnly != want {
			t.Errorf("mariadb10.11 %s: RuntimeOnly = %v (present %v), want %v", name, p.RuntimeOnly, ok, want)
		}
	}
}

// TestEveryParam checks invariants on every parameter of every family.
func TestEveryParam(t *testing.T) {
	applyTypes := map[string]bool{"static": true, "dynamic": true}
	dataTypes := map[string]bool{"integer": true, "string": true, "boolean": true, "float": true, "list": true}
	sources := map[string]bool{"engine-default": true, "system": true}
	for _, name := range catalog.Families() {
		f := lookup(t, name)
		for _, group := range []struct {
			kind   string
			params []catalog.Param
			get    func(string) (catalog.Param, bool)
		}{{"instance", f.Instance, f.Param}, {"cluster", f.Cluster, f.ClusterParam}} {
			for i, p := range group.params {
				where := name + " " + group.kind + " " + p.Name
				if p.Name == "" || strings.TrimSpace(p.Name) != p.Name {
					t.Errorf("%s: bad name %q", where, p.Name)
				}
				if i > 0 && group.params[i-1].Name >= p.Name {
					t.Errorf("%s: not sorted and unique after %s", where, group.params[i-1].Name)
				}
				if got, ok := group.get(p.Name); !ok || got != p {
					t.Errorf("%s: index lookup disagrees with the list", where)
				}
				if !applyTypes[p.ApplyType] || !dataTypes[p.DataType] || !sources[p.Source] {
					t.Errorf("%s: apply %q data %q source %q", where, p.ApplyType, p.DataType, p.Source)
				}
				if p.Dynamic() != (p.ApplyType == "dynamic") {
					t.Errorf("%s: Dynamic() disagrees with ApplyType", where)
				}
				if p.DataType == "boolean" && p.AllowedValues != "0,1" {
					t.Errorf("%s: boolean with AllowedValues %q", where, p.AllowedValues)
				}
				if p.DataType == "integer" && formula.IsFormula(p.Default) {
					if err := formula.Validate(p.Default); err != nil {
						t.Errorf("%s: default %q: %v", where, p.Default, err)
					}
				}
				// What the lab serves as a default must pass the lab's own
				// validation, or resetting a parameter could be refused.
				// (System values such as pid_file's RDS template are not
				// user input and are exempt.)
				if p.Default != "" && p.IsModifiable {
					if err := value.Check(p.DataType, p.AllowedValues, p.Default); err != nil {
						t.Errorf("%s: default fails validation: %v", where, err)
					}
				}
			}
		}
	}
}

// TestGeneratedDataIsCurrent regenerates the data from the installed
// mariadbd and compares it with the committed files. The output depends
// only on the MariaDB build, so nothing is tolerated: a difference means the
// generator, the overlay or the OS package changed without a go generate.
func TestGeneratedDataIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a mariadbd; skipped with -short")
	}
	bin, err := generate.FindBinaries()
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%v; CI must have it", err)
		}
		t.Fatalf("%v: CI needs MariaDB: apt-get install -y mariadb-server", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	files, err := generate.Files(ctx, bin)
	if err != nil {
		t.Fatalf("generating: %v", err)
	}
	committed, err := filepath.Glob("data/*.json")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, path := range committed {
		names = append(names, filepath.Base(path))
	}
	var generated []string
	for name := range files {
		generated = append(generated, name)
	}
	slices.Sort(generated)
	if !slices.Equal(names, generated) {
		t.Fatalf("committed data files %v, generator writes %v; run go generate ./cloud/lab/catalog", names, generated)
	}
	for _, name := range names {
		want, err := os.ReadFile(filepath.Join("data", name))
		if err != nil {
			t.Fatal(err)
		}
		if got := files[name]; !bytes.Equal(got, want) {
			t.Errorf("data/%s is stale (first difference: %s); run go generate ./cloud/lab/catalog", name, firstDiff(want, got))
		}
	}
}

// firstDiff describes the first differing line of two files.
func firstDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  committed: " + clip(wl) + "\n  generated: " + clip(gl)
		}
	}
	return "none"
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// BenchmarkLookupIterate measures what a DescribeDBParameters request
// costs the lab: find the family, walk every parameter, and look one up.
func BenchmarkLookupIterate(b *testing.B) {
	for b.Loop() {
		f, err := catalog.Lookup("mysql8.0")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, p := range f.Instance {
			if p.IsModifiable && p.Dynamic() {
				n++
			}
		}
		if _, ok := f.Param("wait_timeout"); !ok || n == 0 {
			b.Fatal("wait_timeout missing or no dynamic parameters")
		}
	}
}
