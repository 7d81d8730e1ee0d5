package verify

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld/mysqldtest"
)

const (
	testUser     = "rdsadmin_v"
	testPassword = "Pa55-word-not-in-errors"
)

// startServer runs a real MariaDB with a TCP master user, as a lab DB
// instance has. mysqldtest skips without mariadbd unless CI is set.
func startServer(t testing.TB, opts map[string]string) (*mysqld.Server, Config) {
	t.Helper()
	srv := mysqldtest.Start(t, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.CreateUser(ctx, testUser, testPassword); err != nil {
		t.Fatal(err)
	}
	return srv, Config{Host: "127.0.0.1", Port: srv.Port(), User: testUser, Password: testPassword,
		ConnectTimeout: 2 * time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second}
}

func setGlobal(t testing.TB, srv *mysqld.Server, name, value string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.SetGlobal(ctx, name, value); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, cfg Config, expect []string, opts CompareOptions) *Report {
	t.Helper()
	exp, err := ParseExpect(expect)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), ServerOptions{Conn: cfg, Instance: "lab-db", Expect: exp, Compare: opts})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func statusOf(t *testing.T, r *Report, name string) Result {
	t.Helper()
	for _, p := range r.Parameters {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no result for %s in %+v", name, r.Parameters)
	return Result{}
}

// TestInteractiveTimeoutTrap is the story rdsctl exists for: wait_timeout
// is lowered, the engineer's interactive client still shows 28800, and
// verify's non-interactive connection shows what applications really get.
func TestInteractiveTimeoutTrap(t *testing.T) {
	srv, cfg := startServer(t, nil)
	setGlobal(t, srv, "wait_timeout", "300")

	client, err := exec.LookPath("mariadb")
	if err != nil {
		// mariadb-server depends on mariadb-client, so CI has it.
		t.Fatalf("the mariadb client is needed for the trap test: %v", err)
	}
	interactive, transcript := interactiveSessionWaitTimeout(t, client, "127.0.0.1", srv.Port(), testUser, testPassword)
	if interactive != 28800 {
		t.Fatalf("interactive client on a pty saw wait_timeout=%d, want 28800 (CLIENT_INTERACTIVE not sent?)\n%s", interactive, transcript)
	}
	if strings.Contains(transcript, testPassword) {
		t.Error("the password appears in the client's transcript")
	}
	// The same client in batch mode (-e) is non-interactive, like verify.
	batch := exec.Command(client, "--no-defaults", "--protocol=TCP", "-h127.0.0.1", "-P"+strconv.Itoa(srv.Port()), "-u"+testUser,
		"-N", "-e", "SELECT @@SESSION.wait_timeout")
	batch.Env = append(os.Environ(), "MYSQL_PWD="+testPassword)
	out, err := batch.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "300" {
		t.Errorf("batch client: %q, %v; want 300", out, err)
	}

	r := run(t, cfg, []string{"wait_timeout=300"}, CompareOptions{})
	if p := statusOf(t, r, "wait_timeout"); p.Status != StatusOK || p.Actual != "300" {
		t.Errorf("wait_timeout = %+v, want ok at 300", p)
	}
	want := Trap{GlobalWaitTimeout: 300, GlobalInteractiveTimeout: 28800, SessionWaitTimeout: 300, InteractiveSessionWaitTimeout: int64(interactive)}
	if r.Trap != want {
		t.Errorf("trap = %+v, want %+v", r.Trap, want)
	}
	explain := r.Trap.Explain()
	if !strings.Contains(explain, "wait_timeout=28800") || !strings.Contains(explain, "get 300") {
		t.Errorf("Explain() = %q", explain)
	}
	if r.Server.Version == "" || r.Server.ServerID == 0 || r.Server.Hostname == "" {
		t.Errorf("server identity = %+v", r.Server)
	}
	t.Logf("%s", explain)

	// Closing the trap (interactive_timeout = wait_timeout) leaves nothing to explain.
	setGlobal(t, srv, "interactive_timeout", "300")
	if interactive, _ := interactiveSessionWaitTimeout(t, client, "127.0.0.1", srv.Port(), testUser, testPassword); interactive != 300 {
		t.Errorf("after closing the trap the interactive client saw %d, want 300", interactive)
	}
	if r := run(t, cfg, nil, CompareOptions{}); r.Trap.Explain() != "" {
		t.Errorf("closed trap still explained: %q", r.Trap.Explain())
	}
}

func TestDriftBehindOurBack(t *testing.T) {
	srv, cfg := startServer(t, map[string]string{"wait_timeout": "300"})
	if p := statusOf(t, run(t, cfg, []string{"wait_timeout=300"}, CompareOptions{}), "wait_timeout"); p.Status != StatusOK {
		t.Fatalf("before: %+v", p)
	}
	setGlobal(t, srv, "wait_timeout", "999")
	r := run(t, cfg, []string{"wait_timeout=300"}, CompareOptions{})
	if p := statusOf(t, r, "wait_timeout"); p.Status != StatusDrift || p.Expected != "300" || p.Actual != "999" {
		t.Errorf("after SET GLOBAL behind our back: %+v, want drift 300 -> 999", p)
	}
	var de *DriftError
	if r.Findings() != 1 || !errors.As(r.Err(), &de) || de.Param != "wait_timeout" || de.Got != "999" {
		t.Errorf("Findings = %d, Err = %v", r.Findings(), r.Err())
	}
}

// TestGroupOnRealServer checks a parameter group's expectations: statics
// awaiting a reboot, formulas, dashed names and RDS-only names.
func TestGroupOnRealServer(t *testing.T) {
	srv, cfg := startServer(t, map[string]string{"max_connections": "85", "slow_query_log": "1", "sql_mode": "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION"})
	_ = srv
	group := FromParameters([]types.Parameter{
		{ParameterName: aws.String("innodb_buffer_pool_size"), ParameterValue: aws.String("{DBInstanceClassMemory*3/4}"), DataType: aws.String("integer"), ApplyType: aws.String("static"), ApplyMethod: types.ApplyMethodPendingReboot, Source: aws.String("user")},
		{ParameterName: aws.String("max_connections"), ParameterValue: aws.String("{DBInstanceClassMemory/12582880}"), DataType: aws.String("integer"), ApplyType: aws.String("dynamic"), Source: aws.String("system")},
		{ParameterName: aws.String("slow-query-log"), ParameterValue: aws.String("1"), DataType: aws.String("boolean"), ApplyType: aws.String("dynamic"), Source: aws.String("user")},
		{ParameterName: aws.String("sql_mode"), ParameterValue: aws.String("NO_ENGINE_SUBSTITUTION,STRICT_TRANS_TABLES"), DataType: aws.String("list"), ApplyType: aws.String("dynamic"), Source: aws.String("user")},
		{ParameterName: aws.String("rds.force_ssl"), ParameterValue: aws.String("0"), DataType: aws.String("boolean"), ApplyType: aws.String("static"), Source: aws.String("user")},
	})
	check := func(opts CompareOptions) map[string]Status {
		r, err := Run(context.Background(), ServerOptions{Conn: cfg, Expect: group, Compare: opts})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]Status{}
		for _, p := range r.Parameters {
			got[p.Name] = p.Status
		}
		return got
	}
	got := check(CompareOptions{InstanceClass: "db.t3.micro", PendingReboot: true})
	want := map[string]Status{
		"innodb_buffer_pool_size": StatusPendingReboot, // 768 MiB after the reboot; 128 MiB now
		"max_connections":         StatusOK,            // 1 GiB / 12582880 = 85
		"slow-query-log":          StatusOK,
		"sql_mode":                StatusOK,
		"rds.force_ssl":           StatusNotAVariable,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("pending reboot: %s = %s, want %s", k, got[k], v)
		}
	}
	if got := check(CompareOptions{InstanceClass: "db.t3.micro"}); got["innodb_buffer_pool_size"] != StatusDrift {
		t.Errorf("in sync: innodb_buffer_pool_size = %s, want drift", got["innodb_buffer_pool_size"])
	}
	if got := check(CompareOptions{}); got["max_connections"] != StatusUnresolved {
		t.Errorf("no class: max_connections = %s, want unresolved", got["max_connections"])
	}
}

func TestWrongPassword(t *testing.T) {
	_, cfg := startServer(t, nil)
	cfg.Password = "Wr0ng-" + testPassword
	start := time.Now()
	db, err := Open(context.Background(), cfg)
	if err == nil {
		db.Close()
		t.Fatal("wrong password accepted")
	}
	if strings.Contains(err.Error(), cfg.Password) || strings.Contains(err.Error(), testPassword) || strings.Contains(err.Error(), "Wr0ng") {
		t.Errorf("error shows the password: %v", err)
	}
	if !IsAuthError(err) || errors.Is(err, ErrTimeout) {
		t.Errorf("err = %v, want an auth error, not a timeout", err)
	}
	if time.Since(start) > cfg.ConnectTimeout {
		t.Errorf("auth failure took %s", time.Since(start))
	}
	t.Log(err)
}

// freeze SIGSTOPs the server; the cleanup SIGCONTs it before mysqldtest
// stops it (cleanups run last-in first-out).
func freeze(t *testing.T, srv *mysqld.Server) {
	t.Helper()
	t.Cleanup(func() { syscall.Kill(srv.Pid(), syscall.SIGCONT) })
	if err := syscall.Kill(srv.Pid(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
}

func TestFrozenServer(t *testing.T) {
	srv, cfg := startServer(t, nil)
	cfg.ConnectTimeout, cfg.ReadTimeout, cfg.WriteTimeout = time.Second, 500*time.Millisecond, 500*time.Millisecond

	// A connection opened before the freeze: the query's reads time out.
	db, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	freeze(t, srv)

	start := time.Now()
	_, err = Check(context.Background(), db, ServerOptions{Conn: cfg})
	took := time.Since(start)
	if !errors.Is(err, ErrTimeout) || took > 2*time.Second {
		t.Errorf("query on a frozen server: %v after %s, want a timeout within about 1s", err, took)
	}
	t.Logf("open connection: %v (%s)", err, took)

	// A new connection: the kernel still accepts TCP, but no handshake comes.
	start = time.Now()
	_, err = Run(context.Background(), ServerOptions{Conn: cfg})
	took = time.Since(start)
	if !errors.Is(err, ErrTimeout) || took > 2*time.Second {
		t.Errorf("connect to a frozen server: %v after %s, want a timeout within about 1s", err, took)
	}
	if err != nil && (strings.Contains(err.Error(), testPassword) || !strings.Contains(err.Error(), "timed out")) {
		t.Errorf("unclear or leaky error: %v", err)
	}
	t.Logf("new connection: %v (%s)", err, took)
}
