package mysqld_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld/mysqldtest"
	"github.com/rdsctl/rdsctl/cloud/lab/proc"
)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func queryString(t testing.TB, db *sql.DB, q string, args ...any) string {
	t.Helper()
	var v sql.NullString
	if err := db.QueryRowContext(ctxT(t), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v.String
}

func TestStart(t *testing.T) {
	t.Parallel()
	srv := mysqldtest.Start(t, nil)
	db := srv.DB()
	if got := queryString(t, db, "SELECT @@port"); got != strconv.Itoa(srv.Port()) {
		t.Errorf("@@port = %s, Port() = %d", got, srv.Port())
	}
	if got := queryString(t, db, "SELECT @@server_id"); got != "1" {
		t.Errorf("@@server_id = %s, want the default 1", got)
	}
	if got := queryString(t, db, "SELECT @@socket"); got != srv.Socket() {
		t.Errorf("@@socket = %s, Socket() = %s", got, srv.Socket())
	}
	// The defaults are in force and nothing from /etc/mysql is.
	for name, want := range map[string]string{
		"innodb_buffer_pool_size": strconv.Itoa(32 << 20),
		"performance_schema":      "0",
		"skip_name_resolve":       "1",
		"bind_address":            "127.0.0.1",
		"log_bin":                 "0",
	} {
		if got := queryString(t, db, "SELECT @@GLOBAL."+name); got != want {
			t.Errorf("@@GLOBAL.%s = %s, want %s", name, got, want)
		}
	}
	if got := queryString(t, db, "SELECT @@tmpdir"); got != filepath.Join(srv.Config().RunDir, "tmp") {
		t.Errorf("@@tmpdir = %s, want the server's own", got)
	}
	// TCP works too: that is what the lab's endpoint proxy connects to.
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr, cfg.Timeout = "root", "tcp", srv.Addr(), 2*time.Second
	tcp, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tdb := sql.OpenDB(tcp)
	defer tdb.Close()
	if err := tdb.PingContext(ctxT(t)); err != nil {
		t.Errorf("TCP %s: %v", srv.Addr(), err)
	}
	b, err := os.ReadFile(filepath.Join(srv.Config().RunDir, "mariadbd.pid"))
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(srv.Pid()) {
		t.Errorf("pid file = %q, %v; want %d", b, err, srv.Pid())
	}
}

func TestProcessGroup(t *testing.T) {
	t.Parallel()
	srv := mysqldtest.Start(t, nil)
	pgid, err := syscall.Getpgid(srv.Pid())
	if err != nil {
		t.Fatal(err)
	}
	if pgid != srv.Pid() {
		t.Errorf("pgid = %d, want its own group %d", pgid, srv.Pid())
	}
	if own := syscall.Getpgrp(); pgid == own {
		t.Errorf("server shares the test's process group %d", own)
	}
}

func TestOptionsApplied(t *testing.T) {
	t.Parallel()
	initConnect := `SET @rdsctl = 'a # b \ "c"'`
	srv := mysqldtest.Start(t, map[string]string{
		"wait_timeout":            "300",
		"max-connections":         "42", // the dash spelling
		"innodb_buffer_pool_size": "48M",
		"init_connect":            initConnect,
		"datadir":                 "/rdsdbdata/db/", // RDS's path: ignored
	})
	db := srv.DB()
	for name, want := range map[string]string{
		"wait_timeout":            "300",
		"max_connections":         "42",
		"innodb_buffer_pool_size": strconv.Itoa(48 << 20),
		"init_connect":            initConnect,
		"interactive_timeout":     "28800", // untouched: the trap rdsctl verify reports
	} {
		if got := queryString(t, db, "SELECT @@GLOBAL."+name); got != want {
			t.Errorf("@@GLOBAL.%s = %q, want %q", name, got, want)
		}
	}
	if got := srv.Ignored(); len(got) != 1 || got[0] != "datadir" {
		t.Errorf("Ignored() = %v, want [datadir]", got)
	}
	if got := queryString(t, db, "SELECT @@datadir"); got != srv.Config().DataDir+"/" {
		t.Errorf("@@datadir = %s", got)
	}
}

func TestSetGlobal(t *testing.T) {
	t.Parallel()
	srv := mysqldtest.Start(t, nil)
	ctx := ctxT(t)
	injection := `x'; DROP DATABASE mysql; -- \`
	for _, tc := range []struct{ name, value, want string }{
		{"wait_timeout", "300", "300"},
		{"max-allowed-packet", "32M", strconv.Itoa(32 << 20)},
		{"long_query_time", "0.5", "0.5"},
		{"slow_query_log", "1", "1"},
		{"slow_query_log", "OFF", "0"},
		{"binlog_format", "ROW", "ROW"},
		{"sql_mode", "STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES", "NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES"},
		{"init_connect", injection, injection},
		{"innodb_buffer_pool_size", "64M", strconv.Itoa(64 << 20)},
	} {
		if err := srv.SetGlobal(ctx, tc.name, tc.value); err != nil {
			t.Errorf("SetGlobal(%s, %s): %v", tc.name, tc.value, err)
			continue
		}
		n, _ := mysqld.NormalizeName(tc.name)
		if got := queryString(t, srv.DB(), "SELECT @@GLOBAL."+n); got != tc.want {
			t.Errorf("after SetGlobal(%s, %s): @@GLOBAL = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
	if got := queryString(t, srv.DB(), "SELECT COUNT(*) FROM mysql.user"); got == "0" {
		t.Error("mysql.user is empty")
	}

	g, err := srv.Globals(ctx, "wait_timeout", "Max-Allowed-Packet", "no_such_variable")
	if err != nil {
		t.Fatal(err)
	}
	if g["wait_timeout"] != "300" || g["max_allowed_packet"] != strconv.Itoa(32<<20) || len(g) != 2 {
		t.Errorf("Globals = %v", g)
	}
	all, err := srv.Globals(ctx)
	if err != nil || len(all) < 300 {
		t.Errorf("Globals() returned %d values, %v", len(all), err)
	}

	for _, tc := range []struct {
		name, value string
		is          error
	}{
		{"no_such_variable", "1", mysqld.ErrUnknownVariable},
		{"datadir", "/x", mysqld.ErrReadOnly},
		{"wait_timeout = 1; DROP DATABASE mysql", "1", nil},
		{"wait_timeout", "abc", nil},
		{"slow_query_log", "maybe", nil},
		{"binlog_format", "NOPE", nil}, // the server rejects it
	} {
		err := srv.SetGlobal(ctx, tc.name, tc.value)
		if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("SetGlobal(%q, %q) = %v, want an error (%v)", tc.name, tc.value, err, tc.is)
		}
	}
	if got := queryString(t, srv.DB(), "SELECT @@GLOBAL.wait_timeout"); got != "300" {
		t.Errorf("a rejected SetGlobal changed wait_timeout to %s", got)
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	srv := mysqldtest.Start(t, map[string]string{"sql_mode": "NO_BACKSLASH_ESCAPES"})
	password := `p'a"s\s#w@rd`
	ctx := ctxT(t)
	if err := srv.CreateUser(ctx, "admin", password); err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateUser(ctx, "admin", password); err != nil {
		t.Fatalf("second CreateUser (a password change): %v", err)
	}
	connect := func(pw string) error {
		cfg := mysql.NewConfig()
		cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.Timeout = "admin", pw, "tcp", srv.Addr(), 2*time.Second
		c, err := mysql.NewConnector(cfg)
		if err != nil {
			return err
		}
		db := sql.OpenDB(c)
		defer db.Close()
		var grants string
		if err := db.QueryRowContext(ctx, "SHOW GRANTS").Scan(&grants); err != nil {
			return err
		}
		if !strings.Contains(grants, "ALL PRIVILEGES") || !strings.Contains(grants, "WITH GRANT OPTION") {
			return fmt.Errorf("grants: %s", grants)
		}
		return nil
	}
	if err := connect(password); err != nil {
		t.Errorf("connecting as admin over TCP: %v", err)
	}
	if err := connect("wrong"); err == nil {
		t.Error("a wrong password was accepted")
	}
	if err := srv.CreateUser(ctx, "x'@'%", "pw"); err == nil {
		t.Error("an unsafe user name was accepted")
	}
}

func TestStopStartKeepsData(t *testing.T) {
	t.Parallel()
	cfg := mysqldtest.Config(t, nil)
	ctx := ctxT(t)
	srv, err := mysqld.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, srv.DB(), "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)", "INSERT INTO app.t VALUES (1), (2)")
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.Exited():
	default:
		t.Fatal("Exited() open after Stop")
	}
	if _, err := os.Stat(filepath.Join(cfg.RunDir, "mariadbd.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file left after Stop: %v", err)
	}
	// A reboot: same dirs, a new option value.
	cfg.Options = map[string]string{"wait_timeout": "120"}
	srv2, err := mysqld.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mysqldtest.Stop(t, srv2) })
	if got := queryString(t, srv2.DB(), "SELECT COUNT(*) FROM app.t"); got != "2" {
		t.Errorf("rows after restart = %s, want 2", got)
	}
	if got := queryString(t, srv2.DB(), "SELECT @@GLOBAL.wait_timeout"); got != "120" {
		t.Errorf("wait_timeout after reboot = %s, want 120", got)
	}
}

// TestKillRecovers is the Multi-AZ failover: SIGKILL the primary in the
// middle of a stream of commits, start the standby on the same storage,
// and find every acknowledged commit.
func TestKillRecovers(t *testing.T) {
	t.Parallel()
	cfg := mysqldtest.Config(t, nil)
	ctx := ctxT(t)
	srv, err := mysqld.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, srv.DB(), "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY, pad VARCHAR(200))")
	var acked atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; ; i++ {
			if _, err := srv.DB().ExecContext(ctx, "INSERT INTO app.t VALUES (?, REPEAT('x', 200))", i); err != nil {
				return
			}
			acked.Store(int64(i))
		}
	}()
	// Kill it in the middle of the stream: once some commits are in.
	waitFor(t, func() bool { return acked.Load() >= 50 })
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	<-done
	if st := srv.ExitState(); st != "signal: killed" {
		t.Errorf("ExitState = %q", st)
	}
	n := int(acked.Load())
	if n == 0 {
		t.Fatal("no commit acknowledged before the kill")
	}
	cfg.ServerID = 2 // the standby
	srv2, err := mysqld.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mysqldtest.Stop(t, srv2) })
	got, _ := strconv.Atoi(queryString(t, srv2.DB(), "SELECT COUNT(*) FROM app.t"))
	if got < n || got > n+1 { // the last insert may have committed unacknowledged
		t.Errorf("rows after crash recovery = %d, acknowledged = %d", got, n)
	}
	if got := queryString(t, srv2.DB(), "SELECT @@server_id"); got != "2" {
		t.Errorf("@@server_id = %s, want 2", got)
	}
	t.Logf("%d acknowledged commits survived SIGKILL", n)
}

func TestBadOptionFailsFast(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		opts map[string]string
		want string
	}{
		{map[string]string{"wait_timeout": "abc"}, "wait_timeout"},
		{map[string]string{"no_such_option": "1"}, "unknown variable 'no_such_option=1'"},
		{map[string]string{"innodb_page_size": "4k"}, "innodb"}, // does not match the datadir
	} {
		start := time.Now()
		_, err := mysqldtest.StartErr(t, tc.opts)
		var exit *mysqld.ExitError
		if !errors.As(err, &exit) {
			t.Errorf("%v: err = %v, want *ExitError", tc.opts, err)
			continue
		}
		first, _, _ := strings.Cut(err.Error(), "\n")
		if !strings.Contains(first, tc.want) {
			t.Errorf("%v: error does not name the problem (%q):\n%v", tc.opts, tc.want, err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%v: failed after %v, want fast", tc.opts, d)
		}
	}
}

func TestWaitDeadline(t *testing.T) {
	t.Parallel()
	cfg := mysqldtest.Config(t, nil)
	srv, err := mysqld.Launch(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Kill()
	// SIGSTOP: the process lives but never answers.
	if err := syscall.Kill(srv.Pid(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = srv.Wait(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait on a stopped server = %v, want DeadlineExceeded", err)
	}
	if err := srv.Kill(); err != nil {
		t.Fatalf("Kill of a stopped process: %v", err)
	}
}

func TestRunDirInUse(t *testing.T) {
	t.Parallel()
	srv := mysqldtest.Start(t, nil)
	cfg := srv.Config()
	cfg.Port = 0
	if _, err := mysqld.Launch(cfg); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Launch in %s = %v, want in use", cfg.RunDir, err)
	}
	if _, err := mysqld.KillStale(cfg.RunDir); err == nil {
		t.Error("KillStale killed a server this process owns")
	}
}

func TestLongRunDir(t *testing.T) {
	t.Parallel()
	cfg := mysqldtest.Config(t, nil)
	cfg.RunDir = filepath.Join(filepath.Dir(cfg.RunDir), strings.Repeat("r", 60), strings.Repeat("u", 60), "run")
	srv, err := mysqld.Start(ctxT(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Socket()) > 100 || strings.HasPrefix(srv.Socket(), cfg.RunDir) {
		t.Errorf("socket %s", srv.Socket())
	}
	if err := srv.DB().PingContext(ctxT(t)); err != nil {
		t.Error(err)
	}
	mysqldtest.Stop(t, srv)
	if _, err := os.Stat(filepath.Dir(srv.Socket())); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("short socket dir left behind: %v", err)
	}
}

// TestKillStale leaves an engine running as a SIGKILLed lab without
// Pdeathsig would, and checks that the next Start removes it.
func TestKillStale(t *testing.T) {
	t.Parallel()
	cfg := mysqldtest.Config(t, nil)
	ctx := ctxT(t)
	first, err := mysqld.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// The orphan: started with the run dir's option file, outside the
	// manager, and recorded in the pid file as the manager would.
	orphan := exec.Command(cfg.Binaries.Mariadbd, "--defaults-file="+first.OptionFile())
	orphan.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := orphan.Start(); err != nil {
		t.Fatal(err)
	}
	reaped := make(chan struct{})
	go func() { orphan.Wait(); close(reaped) }()
	defer orphan.Process.Kill()
	pidFile := filepath.Join(cfg.RunDir, "mariadbd.pid")
	os.WriteFile(pidFile, []byte(strconv.Itoa(orphan.Process.Pid)+"\n"), 0o644)
	waitFor(t, func() bool { _, err := os.Stat(first.Socket()); return err == nil })

	second, err := mysqld.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start over a stale engine: %v", err)
	}
	t.Cleanup(func() { mysqldtest.Stop(t, second) })
	select {
	case <-reaped:
	case <-time.After(5 * time.Second):
		t.Fatal("the stale engine is still running")
	}
	if orphan.ProcessState.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Errorf("stale engine ended by %v", orphan.ProcessState)
	}
}

func TestKillStaleIgnoresOtherProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A pid file naming a live process that is not our engine (a recycled pid).
	os.WriteFile(filepath.Join(dir, "mariadbd.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644)
	pid, err := mysqld.KillStale(dir)
	if err != nil || pid != 0 {
		t.Errorf("KillStale = %d, %v; want 0, nil", pid, err)
	}
	os.WriteFile(filepath.Join(dir, "mariadbd.pid"), []byte("garbage"), 0o644)
	if pid, err := mysqld.KillStale(dir); err != nil || pid != 0 {
		t.Errorf("KillStale with garbage = %d, %v", pid, err)
	}
	if pid, err := mysqld.KillStale(t.TempDir()); err != nil || pid != 0 {
		t.Errorf("KillStale without pid file = %d, %v", pid, err)
	}
}

// TestLaunchFromExitingThread: a caller whose locked thread ends right
// after Launch must not take the engine with it (Pdeathsig follows the
// forking thread; the spawner owns that thread).
func TestLaunchFromExitingThread(t *testing.T) {
	t.Parallel()
	cfg := mysqldtest.Config(t, nil)
	var srv *mysqld.Server
	var err error
	var wg sync.WaitGroup
	wg.Add(1)
	var tid int
	go func() {
		defer wg.Done()
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		tid = syscall.Gettid()
		srv, err = mysqld.Launch(cfg)
	}()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mysqldtest.Stop(t, srv) })
	if err := srv.Wait(ctxT(t)); err != nil {
		t.Fatalf("engine died with its caller's thread: %v", err)
	}
	// The check is only worth something once that thread is gone.
	waitFor(t, func() bool {
		_, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid))
		return errors.Is(err, os.ErrNotExist)
	})
	if err := srv.DB().PingContext(ctxT(t)); err != nil {
		t.Fatalf("engine died with its caller's thread: %v", err)
	}
}

const helperEnv = "RDSCTL_MYSQLD_HELPER"

// TestHelperLab is not a test: TestEnginesDieWithLab runs the test binary
// with it as a stand-in lab that starts one engine and then hangs.
func TestHelperLab(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("helper process for TestEnginesDieWithLab")
	}
	data, run := spec, os.Getenv(helperEnv+"_RUN")
	bin, err := mysqld.Find()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mysqld.Start(context.Background(), mysqld.Config{Binaries: bin, DataDir: data, RunDir: run})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("engine %d\n", srv.Pid())
	time.Sleep(time.Minute)
}

func TestEnginesDieWithLab(t *testing.T) {
	t.Parallel()
	cfg := mysqldtest.Config(t, nil)
	ctx := ctxT(t)
	lab := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperLab$", "-test.v")
	lab.Env = append(os.Environ(), helperEnv+"="+cfg.DataDir, helperEnv+"_RUN="+cfg.RunDir)
	out, err := lab.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := lab.Start(); err != nil {
		t.Fatal(err)
	}
	defer lab.Process.Kill()
	var pid int
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "engine %d", &pid); err == nil {
			break
		}
	}
	if pid == 0 {
		lab.Process.Kill()
		lab.Wait()
		t.Fatal("the helper lab did not start an engine")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	t.Cleanup(func() { // only matters when the test fails
		if proc.Alive(pid) {
			syscall.Kill(-pid, syscall.SIGKILL)
		}
	})
	if err := lab.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	lab.Wait()
	waitFor(t, func() bool { return !proc.Alive(pid) })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mustExec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.ExecContext(ctxT(t), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestPortInUse(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cfg := mysqldtest.Config(t, nil)
	cfg.Port = l.Addr().(*net.TCPAddr).Port
	_, err = mysqld.Start(ctxT(t), cfg)
	var exit *mysqld.ExitError
	if !errors.As(err, &exit) || !strings.Contains(err.Error(), "Address already in use") {
		t.Fatalf("start on a taken port = %v", err)
	}
}

func TestDataDirInUse(t *testing.T) {
	t.Parallel()
	srv := mysqldtest.Start(t, nil)
	cfg := srv.Config()
	cfg.RunDir, cfg.Port = t.TempDir(), 0
	if _, err := mysqld.Launch(cfg); err == nil || !strings.Contains(err.Error(), "data dir") {
		t.Errorf("second Launch on %s = %v, want in use", cfg.DataDir, err)
	}
}
