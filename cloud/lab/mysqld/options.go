package mysqld

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/rdsctl/rdsctl/cloud/lab/atomicfile"
)

// defaultOptions keep an idle lab instance small (a few tens of MB, few
// threads) so that several fit on a 2-core CI machine, and fast to start.
// Values that shape the datadir on disk (innodb_log_file_size) are also
// given to mariadb-install-db, so that a clone never resizes its redo log
// on its first start.
var defaultOptions = map[string]string{
	"innodb_buffer_pool_size": "32M",
	"innodb_log_file_size":    "8M",
	"innodb_log_buffer_size":  "2M",
	// Buffered I/O: a fresh clone's pages sit dirty in the page cache, and
	// O_DIRECT would first force them to disk, costing every start tens of
	// ms. Durability across a SIGKILL is unchanged: the redo log is written
	// and fsynced at each commit either way.
	"innodb_flush_method":                 "fsync",
	"innodb_temp_data_file_path":          "ibtmp1:1M:autoextend",
	"innodb_buffer_pool_load_at_startup":  "OFF",
	"innodb_buffer_pool_dump_at_shutdown": "OFF",
	// Simulated AIO: native AIO (io_uring/libaio) takes kernel resources
	// per server (aio-max-nr, locked memory) that run out with many
	// instances, and the lab does not need its throughput.
	"innodb_use_native_aio":      "OFF",
	"performance_schema":         "OFF",
	"skip_name_resolve":          "ON",
	"key_buffer_size":            "8M",
	"aria_pagecache_buffer_size": "8M",
}

// templateOptionNames are the defaults that change what mariadb-install-db
// writes; they are part of a template's identity.
var templateOptionNames = []string{"innodb_log_file_size", "innodb_buffer_pool_size", "innodb_use_native_aio", "performance_schema", "skip_name_resolve"}

// DefaultOptions returns a copy of the options every server starts with
// unless Config.Options overrides them.
func DefaultOptions() map[string]string { return maps.Clone(defaultOptions) }

// managedOptions belong to the server's identity and its place on this
// machine. A DB parameter group may carry some of them with RDS's own paths
// (datadir=/rdsdbdata/db/), which must not reach a local server, so they are
// dropped from Config.Options (see Server.Ignored) rather than rejected.
var managedOptions = map[string]bool{
	"datadir": true, "socket": true, "port": true, "bind_address": true,
	"pid_file": true, "log_error": true, "user": true, "server_id": true,
	"basedir": true, "plugin_dir": true, "lc_messages_dir": true, "character_sets_dir": true,
	"tmpdir": true, "innodb_data_home_dir": true, "innodb_log_group_home_dir": true,
	"innodb_undo_directory": true, "secure_file_priv": true, "skip_networking": true,
}

// Managed reports whether the server manager owns the option name (in either
// spelling), so that Config.Options cannot set it.
func Managed(name string) bool {
	n, err := NormalizeName(name)
	return err == nil && managedOptions[n]
}

var nameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9_]*$`) })

// NormalizeName returns the canonical spelling of a server option or system
// variable: lower case with underscores. mariadbd treats '-' and '_' in
// option names alike; SHOW VARIABLES and RDS parameter groups use '_', so
// that is the spelling maps are keyed by. Anything but letters, digits, '-'
// and '_' is an error, which is what makes names safe to splice into SQL
// and option files.
func NormalizeName(name string) (string, error) {
	n := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "-", "_"))
	if len(n) > 64 || !nameRE().MatchString(n) {
		return "", fmt.Errorf("invalid option name %q", name)
	}
	return n, nil
}

// normalizeOptions keys opts by NormalizeName. Two spellings of one name
// with different values are an error: which one would win depends on map
// order.
func normalizeOptions(opts map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(opts))
	from := make(map[string]string, len(opts))
	for k, v := range opts {
		n, err := NormalizeName(k)
		if err != nil {
			return nil, err
		}
		if prev, ok := from[n]; ok && out[n] != v {
			return nil, fmt.Errorf("option %s given twice with different values (as %q and %q)", n, prev, k)
		}
		out[n], from[n] = v, k
	}
	return out, nil
}

// mergeOptions layers the defaults, the caller's options and the identity.
// It returns the names it dropped because they are managed.
func mergeOptions(user, identity map[string]string) (map[string]string, []string, error) {
	norm, err := normalizeOptions(user)
	if err != nil {
		return nil, nil, err
	}
	out := DefaultOptions()
	var ignored []string
	for k, v := range norm {
		if managedOptions[k] {
			ignored = append(ignored, k)
			continue
		}
		out[k] = v
	}
	maps.Copy(out, identity)
	slices.Sort(ignored)
	return out, ignored, nil
}

// WriteOptionFile writes opts as the [mariadbd] group of an option file at
// path, keys normalised and sorted so that the file is stable and diffable.
// An empty value writes the bare name (a flag, e.g. skip_name_resolve).
// Values are quoted and escaped as mysys's option parser expects, so '#',
// spaces, quotes and backslashes survive; newlines cannot be expressed and
// are an error. The write is atomic (temp file, fsync, rename): a crash never
// leaves a half-written file for the next start to trip over.
func WriteOptionFile(path string, opts map[string]string) error {
	norm, err := normalizeOptions(opts)
	if err != nil {
		return fmt.Errorf("writing option file %s: %w", path, err)
	}
	var b strings.Builder
	b.WriteString("# Written by rdsctl's lab (cloud/lab/mysqld); rewritten on every start.\n[mariadbd]\n")
	for _, k := range slices.Sorted(maps.Keys(norm)) {
		v := norm[k]
		if strings.ContainsAny(v, "\n\r\x00") {
			return fmt.Errorf("writing option file %s: value of %s contains a newline or NUL", path, k)
		}
		if v == "" {
			fmt.Fprintf(&b, "%s\n", k)
			continue
		}
		fmt.Fprintf(&b, "%s=%s\n", k, quoteOptionValue(v))
	}
	return atomicfile.Write(path, []byte(b.String()), 0o644)
}

var plainValueRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_.,:/+*@%=-]+$`) })

// quoteOptionValue leaves plain values alone (the file stays readable) and
// double-quotes the rest. Inside quotes mysys keeps '#' and surrounding
// spaces, and turns \\ and \" back into \ and ".
func quoteOptionValue(v string) string {
	if plainValueRE().MatchString(v) {
		return v
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(v) + `"`
}
