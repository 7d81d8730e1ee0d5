package mysqld

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"wait_timeout", "wait_timeout", true},
		{"innodb-buffer-pool-size", "innodb_buffer_pool_size", true},
		{"  Max_Connections ", "max_connections", true},
		{"skip-name-resolve", "skip_name_resolve", true},
		{"", "", false},
		{"1abc", "", false},
		{"wait_timeout=1", "", false},
		{"wait_timeout; DROP DATABASE mysql", "", false},
		{"a.b", "", false},
		{"`x`", "", false},
		{strings.Repeat("a", 65), "", false},
	} {
		got, err := NormalizeName(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestMergeOptions(t *testing.T) {
	got, ignored, err := mergeOptions(map[string]string{
		"innodb-buffer-pool-size": "64M",
		"wait_timeout":            "300",
		"datadir":                 "/rdsdbdata/db/",
		"Port":                    "3306",
	}, map[string]string{"datadir": "/lab/data", "port": "41000"})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"innodb_buffer_pool_size": "64M",       // the group overrides a default
		"wait_timeout":            "300",       // and adds
		"performance_schema":      "OFF",       // defaults stay
		"datadir":                 "/lab/data", // identity wins
		"port":                    "41000",
	} {
		if got[k] != want {
			t.Errorf("%s = %q, want %q", k, got[k], want)
		}
	}
	if strings.Join(ignored, ",") != "datadir,port" {
		t.Errorf("ignored = %v, want [datadir port]", ignored)
	}
}

func TestNormalizeOptionsConflict(t *testing.T) {
	_, err := normalizeOptions(map[string]string{"wait-timeout": "1", "wait_timeout": "2"})
	if err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Fatalf("err = %v, want a duplicate error", err)
	}
	got, err := normalizeOptions(map[string]string{"wait-timeout": "2", "wait_timeout": "2"})
	if err != nil || got["wait_timeout"] != "2" || len(got) != 1 {
		t.Fatalf("same value twice: %v, %v", got, err)
	}
}

func TestManaged(t *testing.T) {
	if !Managed("pid-file") || !Managed("DATADIR") || Managed("wait_timeout") || Managed("bad name") {
		t.Error("Managed disagrees with managedOptions")
	}
}

func TestWriteOptionFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "my.cnf")
	err := WriteOptionFile(path, map[string]string{
		"wait-timeout":      "300",
		"skip_name_resolve": "",
		"init_connect":      `SET @a = 'x # y'`,
		"sql_mode":          "STRICT_TRANS_TABLES,NO_ZERO_DATE",
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `# Written by rdsctl's lab (cloud/lab/mysqld); rewritten on every start.
[mariadbd]
init_connect="SET @a = 'x # y'"
skip_name_resolve
sql_mode=STRICT_TRANS_TABLES,NO_ZERO_DATE
wait_timeout=300
`
	if string(b) != want {
		t.Errorf("option file:\n%s\nwant:\n%s", b, want)
	}
	if err := WriteOptionFile(path, map[string]string{"init_connect": "a\nport=1"}); err == nil {
		t.Error("a newline in a value was written")
	}
	if err := WriteOptionFile(path, map[string]string{"x=1\ny": "1"}); err == nil {
		t.Error("a newline in a name was written")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
}

// TestOptionFileRoundTrip has mysys itself (my_print_defaults, the parser
// mariadbd uses) read values back, so quoting is checked against the real
// parser rather than against our idea of it.
func TestOptionFileRoundTrip(t *testing.T) {
	t.Parallel()
	printer, err := exec.LookPath("my_print_defaults")
	if err != nil {
		t.Skip("my_print_defaults not installed")
	}
	values := []string{
		"plain",
		"300",
		"a b",
		" leading and trailing ",
		"with # hash",
		"semi;colon",
		`back\slash`,
		`trailing\`,
		`\n is not a newline`,
		`"double"`,
		`'single'`,
		`mixed "q" and 'q' # and \ `,
		"=equals=",
		"\"",
		"tab\there",
	}
	opts := map[string]string{}
	for i, v := range values {
		opts["v"+string(rune('a'+i))] = v
	}
	path := filepath.Join(t.TempDir(), "my.cnf")
	if err := WriteOptionFile(path, opts); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(printer, "--defaults-file="+path, "mariadbd").Output()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		k, v, _ := strings.Cut(strings.TrimPrefix(line, "--"), "=")
		got[k] = v
	}
	for k, v := range opts {
		if got[k] != v {
			t.Errorf("value %q read back as %q", v, got[k])
		}
	}
}

func TestBindValue(t *testing.T) {
	for _, tc := range []struct {
		typ, in string
		want    any
	}{
		{"BIGINT UNSIGNED", "300", uint64(300)},
		{"BIGINT UNSIGNED", "32M", uint64(32 << 20)},
		{"BIGINT UNSIGNED", "1k", uint64(1024)},
		{"BIGINT UNSIGNED", "18446744073709551615", uint64(18446744073709551615)},
		{"INT UNSIGNED", " 5 ", uint64(5)},
		{"BIGINT", "-1", int64(-1)},
		{"DOUBLE", "0.5", 0.5},
		{"BOOLEAN", "1", "ON"},
		{"BOOLEAN", "off", "OFF"},
		{"ENUM", "ROW", "ROW"},
		{"VARCHAR", "x'; DROP DATABASE mysql; --", "x'; DROP DATABASE mysql; --"},
	} {
		got, err := bindValue(tc.typ, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("bindValue(%q, %q) = %#v, %v; want %#v", tc.typ, tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ typ, in string }{
		{"BIGINT UNSIGNED", "abc"},
		{"BIGINT UNSIGNED", "-1"},
		{"BIGINT UNSIGNED", "20000000000000000000"},
		{"BIGINT UNSIGNED", "99999999999999E"},
		{"INT", "1.5"},
		{"DOUBLE", "fast"},
		{"BOOLEAN", "maybe"},
	} {
		if got, err := bindValue(tc.typ, tc.in); err == nil {
			t.Errorf("bindValue(%q, %q) = %#v, want an error", tc.typ, tc.in, got)
		}
	}
}

func TestNativePasswordHash(t *testing.T) {
	// SELECT PASSWORD('password') on any MySQL or MariaDB.
	if got := NativePasswordHash("password"); got != "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19" {
		t.Errorf("hash = %s", got)
	}
}

func TestFindMissing(t *testing.T) {
	_, err := find(false, []string{t.TempDir()})
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "apt-get install -y mariadb-server") {
		t.Fatalf("err = %v, want ErrNotInstalled naming the install command", err)
	}
}

func TestSocketPath(t *testing.T) {
	short := "/tmp/x/run"
	if p, d := socketPath(short); p != "/tmp/x/run/mysqld.sock" || d != "" {
		t.Errorf("short run dir: %s, %s", p, d)
	}
	long := "/" + strings.Repeat("d", 120) + "/run"
	p, d := socketPath(long)
	if len(p) > 100 || d == "" || filepath.Dir(p) != d {
		t.Errorf("long run dir: %s (%d bytes), %s", p, len(p), d)
	}
	if p2, _ := socketPath(long); p2 != p {
		t.Errorf("socket path not stable: %s, %s", p, p2)
	}
}

func TestTail(t *testing.T) {
	if got := tail("a\nbb\nccc\n", 5); got != "ccc" {
		t.Errorf("tail = %q", got)
	}
	if got := firstError("x\n2026 0 [ERROR] mariadbd: unknown variable 'x=1'\n[ERROR] Aborting"); got != "mariadbd: unknown variable 'x=1'" {
		t.Errorf("firstError = %q", got)
	}
}
