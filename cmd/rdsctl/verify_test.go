package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/verify"
)

func parseVerify(t *testing.T, args ...string) (*VerifyOptions, error) {
	t.Helper()
	f := testFactory(t, nil)
	var got *VerifyOptions
	cmd := NewCmdVerify(f, func(_ context.Context, o *VerifyOptions) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	err := cmd.Execute()
	if err != nil {
		if got != nil {
			t.Errorf("%v: run called despite %v", args, err)
		}
		return nil, err
	}
	if got.IO != f.IOStreams || got.RDS == nil || got.AWSConfig == nil || got.Getenv == nil || got.Format != ui.FormatTable {
		t.Errorf("%v: options not filled from the factory", args)
	}
	return got, nil
}

// defaultDB is dbConnFlags as the flags leave it when none is given.
var defaultDB = dbConnFlags{TLS: "auto", ConnectTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second}

// defaultLogin is the verify.Login of defaultDB.
var defaultLogin = verify.Login{ConnectTimeout: 5 * time.Second, ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second}

// TestVerifyParsing is the parsing half of verify: argv in, Options out.
func TestVerifyParsing(t *testing.T) {
	withLogin := func(f func(*verify.Login)) verify.Login {
		d := defaultLogin
		f(&d)
		return d
	}
	tests := []struct {
		name string
		args []string
		want VerifyOptions
	}{
		{"defaults", []string{"staging-db"}, VerifyOptions{Instance: "staging-db", Verify: verify.Options{Login: defaultLogin}}},
		{"expect and all", []string{"db", "--expect", "wait_timeout=300", "--expect", "sql_mode=STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION", "--all"},
			VerifyOptions{Instance: "db", Verify: verify.Options{Login: defaultLogin, All: true, Expect: []verify.Expectation{
				{Name: "wait_timeout", Value: "300", Source: "expect", From: "--expect"},
				{Name: "sql_mode", Value: "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION", Source: "expect", From: "--expect"},
			}}}},
		{"group", []string{"--group", " Fleet "}, VerifyOptions{Group: "fleet", Verify: verify.Options{Login: defaultLogin}}},
		{"connection flags", []string{"db", "--db-user", "ro", "--db-password-file", "/run/pw", "--tls", "verify-full", "--ca-bundle", "ca.pem",
			"--tls-server-name", "db.rds.amazonaws.com", "--connect-timeout", "2s", "--read-timeout=1s", "--write-timeout", "500ms"},
			VerifyOptions{Instance: "db", Verify: verify.Options{Login: verify.Login{User: "ro", PasswordFile: "/run/pw", TLS: verify.TLSVerifyFull, CABundle: "ca.pem",
				ServerName: "db.rds.amazonaws.com", ConnectTimeout: 2 * time.Second, ReadTimeout: time.Second, WriteTimeout: 500 * time.Millisecond}}}},
		{"password env", []string{"db", "--db-password-env", "PW"}, VerifyOptions{Instance: "db", Verify: verify.Options{Login: withLogin(func(d *verify.Login) { d.PasswordEnv = "PW" })}}},
		{"iam", []string{"db", "--iam-auth", "--tls", "required"}, VerifyOptions{Instance: "db", Verify: verify.Options{Login: withLogin(func(d *verify.Login) { d.IAMAuth, d.TLS = true, verify.TLSRequired })}}},
		{"secret", []string{"db", "--db-secret", "arn:aws:secretsmanager:us-east-1:1:secret:x"},
			VerifyOptions{Instance: "db", Verify: verify.Options{Login: withLogin(func(d *verify.Login) { d.Secret = "arn:aws:secretsmanager:us-east-1:1:secret:x" })}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVerify(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			got.CommonOptions = CommonOptions{}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestVerifyParsingRejects(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "name an instance, a parameter group with --group, or a cluster with --cluster"},
		{[]string{"db", "--group", "g"}, "name one of"},
		{[]string{"db", "--cluster", "c"}, "name one of"},
		{[]string{"--cluster", "C!"}, "invalid DB cluster identifier"},
		{[]string{"a", "b"}, "accepts at most 1 arg"},
		{[]string{"db", "--expect", "wait_timeout"}, `invalid --expect: "wait_timeout" is not P=V`},
		{[]string{"db", "--expect", "=1"}, "invalid --expect"},
		{[]string{"db", "--tls", "maybe"}, `invalid --tls "maybe"`},
		{[]string{"db", "--connect-timeout", "-1s"}, "invalid --connect-timeout -1s: must be positive"},
		{[]string{"db", "--write-timeout", "0s"}, "invalid --write-timeout 0s"},
		{[]string{"db", "--read-timeout", "5"}, "invalid argument"},
		{[]string{"db", "--iam-auth", "--db-secret", "s"}, "none of the others can be"},
		{[]string{"db", "--db-password-env", "A", "--db-password-file", "f"}, "none of the others can be"},
	} {
		_, err := parseVerify(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, err, tt.want)
			continue
		}
		// cobra's own flag errors become usage errors in execute; ours are
		// usage errors already.
		if strings.HasPrefix(tt.want, "invalid --") || strings.HasPrefix(tt.want, "name an") || tt.want == "name one of" {
			if cli.ExitCode(err) != cli.ExitUsage {
				t.Errorf("%v: exit code %d, want 2", tt.args, cli.ExitCode(err))
			}
		}
	}
	// Options filled in code (failover) get the same checks.
	db := defaultDB
	db.PasswordEnv, db.IAMAuth = "A", true
	if err := db.validate(); cli.ExitCode(err) != cli.ExitUsage {
		t.Errorf("two password sources in code: %v", err)
	}
}

func testReport() *verify.Report {
	return &verify.Report{
		Instance: "staging-db", Endpoint: "127.0.0.1:40001", InstanceClass: "db.t3.micro",
		ParameterGroup: "staging", ParameterApplyStatus: "pending-reboot",
		Server: verify.Server{Hostname: "ip-10-0-0-1", ServerID: 7, Version: "10.11.9-MariaDB"},
		Parameters: []verify.Result{
			{Name: "innodb_log_buffer_size", Expected: "33554432", Actual: "16777216", Status: verify.StatusPendingReboot,
				Detail: "the change waits for a reboot (parameter group status pending-reboot)", Source: "user"},
			{Name: "max_connections", Expected: "85", Actual: "85", Status: verify.StatusOK, Formula: "{DBInstanceClassMemory/12582880}", Source: "user"},
			{Name: "rds.force_ssl", Expected: "1", Status: verify.StatusNotAVariable, Detail: "not a server variable", Source: "user"},
			{Name: "wait_timeout", Expected: "300", Actual: "999", Status: verify.StatusDrift, Source: "user"},
		},
		Trap:       verify.Trap{GlobalWaitTimeout: 999, GlobalInteractiveTimeout: 28800, SessionWaitTimeout: 999, InteractiveSessionWaitTimeout: 28800},
		CheckedAt:  time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		ReadMillis: 1.5,
	}
}

const trapSentence = "An interactive mysql client will show wait_timeout=28800 because the server copies interactive_timeout into interactive sessions; applications (non-interactive) get 999."

// TestPrintVerifyReport is the behaviour half: a report in, the exact
// stdout out, with the TTY off and on.
func TestPrintVerifyReport(t *testing.T) {
	t.Run("piped", func(t *testing.T) {
		// Piped, stdout holds one record shape only; what is about the
		// server goes to stderr.
		ios, _, out, errOut := ui.Test()
		if err := printVerifyReport(ios, testReport()); err != nil {
			t.Fatal(err)
		}
		want := "innodb_log_buffer_size\t33554432\t16777216\tpending-reboot\n" +
			"max_connections\t85\t85\tok\n" +
			"rds.force_ssl\t1\t-\tnot-a-variable\n" +
			"wait_timeout\t300\t999\tdrift\n"
		if out.String() != want {
			t.Errorf("got\n%s\nwant\n%s", out, want)
		}
		wantErr := "instance:\tstaging-db (db.t3.micro)\n" +
			"endpoint:\t127.0.0.1:40001\n" +
			"server:\tip-10-0-0-1, server_id 7, 10.11.9-MariaDB, read-write\n" +
			"parameter group:\tstaging (pending-reboot)\n" +
			"global wait_timeout:\t999\n" +
			"global interactive_timeout:\t28800\n" +
			"session wait_timeout (this connection):\t999\n" +
			"interactive session wait_timeout:\t28800\n" +
			"explanation:\t" + trapSentence + "\n"
		if errOut.String() != wantErr {
			t.Errorf("stderr got\n%s\nwant\n%s", errOut, wantErr)
		}
	})
	t.Run("tty no colour", func(t *testing.T) {
		ios, _, out, _ := ui.Test()
		ios.SetTTY(true)
		ios.DisableColor()
		if err := printVerifyReport(ios, testReport()); err != nil {
			t.Fatal(err)
		}
		want := "instance:         staging-db (db.t3.micro)\n" +
			"endpoint:         127.0.0.1:40001\n" +
			"server:           ip-10-0-0-1, server_id 7, 10.11.9-MariaDB, read-write\n" +
			"parameter group:  staging (pending-reboot)\n" +
			"\n" +
			"NAME                    EXPECTED  ACTUAL    STATUS\n" +
			"innodb_log_buffer_size  33554432  16777216  pending-reboot\n" +
			"max_connections         85        85        ok\n" +
			"rds.force_ssl           1         -         not-a-variable\n" +
			"wait_timeout            300       999       drift\n" +
			"  innodb_log_buffer_size: the change waits for a reboot (parameter group status pending-reboot)\n" +
			"  max_connections: {DBInstanceClassMemory/12582880} for db.t3.micro\n" +
			"  rds.force_ssl: not a server variable\n" +
			"\n" +
			"wait_timeout as each kind of session sees it\n" +
			"global wait_timeout:                     999\n" +
			"global interactive_timeout:              28800\n" +
			"session wait_timeout (this connection):  999\n" +
			"interactive session wait_timeout:        28800\n" +
			trapSentence + "\n"
		if out.String() != want {
			t.Errorf("got\n%s\nwant\n%s", out, want)
		}
	})
	t.Run("tty colour", func(t *testing.T) {
		ios, _, out, _ := ui.Test()
		ios.SetTTY(true)
		if err := printVerifyReport(ios, testReport()); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"\x1b[31mdrift\x1b[0m", "\x1b[32mok\x1b[0m", "\x1b[33mpending-reboot\x1b[0m", "\x1b[33m" + trapSentence} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("no %q in\n%q", want, out)
			}
		}
	})
	t.Run("closed trap", func(t *testing.T) {
		rep := testReport()
		rep.Trap = verify.Trap{GlobalWaitTimeout: 300, GlobalInteractiveTimeout: 300, SessionWaitTimeout: 300, InteractiveSessionWaitTimeout: 300}
		ios, _, _, errOut := ui.Test()
		_ = printVerifyReport(ios, rep)
		if strings.Contains(errOut.String(), "explanation") {
			t.Errorf("piped: explained a closed trap:\n%s", errOut)
		}
		ios, _, out, _ := ui.Test()
		ios.SetTTY(true)
		ios.DisableColor()
		_ = printVerifyReport(ios, rep)
		if !strings.HasSuffix(out.String(), "interactive session wait_timeout:        300\nInteractive clients and applications see the same wait_timeout.\n") {
			t.Errorf("tty:\n%s", out)
		}
	})
}

func TestVerifyJSON(t *testing.T) {
	ios, _, out, _ := ui.Test()
	if err := ios.Print(ui.FormatJSON, testReport(), nil); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Parameters []map[string]any `json:"parameters"`
		Trap       map[string]any   `json:"trap"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Parameters) != 4 || got.Parameters[3]["name"] != "wait_timeout" || got.Parameters[3]["status"] != "drift" ||
		got.Parameters[3]["expected"] != "300" || got.Parameters[3]["actual"] != "999" {
		t.Errorf("parameters = %v", got.Parameters)
	}
	for _, k := range []string{"global_wait_timeout", "global_interactive_timeout", "session_wait_timeout", "interactive_session_wait_timeout"} {
		if _, ok := got.Trap[k]; !ok {
			t.Errorf("trap has no %s: %v", k, got.Trap)
		}
	}

	// --group: an object with instances[], a failed member with its error.
	ios, _, out, _ = ui.Test()
	g := &verify.GroupReport{ParameterGroup: "staging", Instances: []verify.Member{
		{Instance: "staging-db", Report: testReport()},
		{Instance: "staging-db2", Error: "connecting to 127.0.0.1:40002 as admin: timed out"},
	}}
	if err := ios.Print(ui.FormatJSON, g, nil); err != nil {
		t.Fatal(err)
	}
	var gotG struct {
		Group     string           `json:"parameter_group"`
		Instances []map[string]any `json:"instances"`
	}
	if err := json.Unmarshal(out.Bytes(), &gotG); err != nil {
		t.Fatal(err)
	}
	if gotG.Group != "staging" || len(gotG.Instances) != 2 || gotG.Instances[0]["instance"] != "staging-db" ||
		gotG.Instances[0]["parameters"] == nil || gotG.Instances[1]["error"] == nil || gotG.Instances[1]["parameters"] != nil {
		t.Errorf("group json = %s", out)
	}
}

func TestPrintGroupReport(t *testing.T) {
	g := &verify.GroupReport{ParameterGroup: "staging", Instances: []verify.Member{
		{Instance: "a", Report: testReport()}, {Instance: "b", Error: "boom"}, {Instance: "c", Report: testReport()},
	}}
	ios, _, out, errOut := ui.Test()
	if err := printGroupReport(ios, g); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(errOut.String(), "instance:\t"); n != 2 || strings.Contains(out.String()+errOut.String(), "boom") {
		t.Errorf("piped group stderr:\n%s", errOut)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if f := strings.Split(line, "\t"); len(f) != 5 || f[0] != "staging-db" {
			t.Errorf("piped group record %q: want instance, name, expected, actual, status", line)
		}
	}
	ios, _, out, _ = ui.Test()
	ios.SetTTY(true)
	ios.DisableColor()
	_ = printGroupReport(ios, g)
	if !strings.HasPrefix(out.String(), "\na\ninstance:") || !strings.Contains(out.String(), "\n\n\nc\ninstance:") {
		t.Errorf("tty group output:\n%s", out)
	}
}

func TestVerifyOutcome(t *testing.T) {
	ios, _, _, errOut := ui.Test()
	err := verifyOutcome(ios, []*verify.Report{testReport()})
	var fe *cli.FindingsError
	if !errors.As(err, &fe) || fe.Count != 1 || cli.ExitCode(err) != cli.ExitFindings {
		t.Fatalf("err = %v, want one finding", err)
	}
	if want := "1 parameter not as expected: staging-db: wait_timeout (expected 300, server runs 999)"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if errOut.Len() != 0 {
		t.Errorf("success line for a drifting instance: %q", errOut)
	}

	// Pending reboots and a group's RDS-only names pass; an --expect that
	// cannot be confirmed does not.
	rep := testReport()
	rep.Parameters = rep.Parameters[:3]
	ios, _, _, errOut = ui.Test()
	if err := verifyOutcome(ios, []*verify.Report{rep}); err != nil {
		t.Errorf("err = %v", err)
	}
	if want := "✓ staging-db: 1 ok, 1 pending-reboot, 1 not-a-variable\n"; errOut.String() != want {
		t.Errorf("stderr = %q, want %q", errOut, want)
	}
	rep.Parameters = append(rep.Parameters, verify.Result{Name: "wait_timout", Expected: "300", Status: verify.StatusNotAVariable, Source: "expect"})
	if err := verifyOutcome(ios, []*verify.Report{rep}); cli.ExitCode(err) != cli.ExitFindings || !strings.Contains(err.Error(), "wait_timout (not-a-variable)") {
		t.Errorf("failed --expect: %v", err)
	}
}

// TestNormJSON holds what the golden files rely on: values that change
// from run to run become placeholders, null stays null, keys stay keys,
// and a timeline keeps one entry per shape.
func TestNormJSON(t *testing.T) {
	in := `{"checked_at":"2026-12-02T04:50:01.123456Z","first_failure_at":null,"endpoint":"127.0.0.1:40123",
		"read_ms":1.5,"error_classes":{"refused":3},"status":"ok",
		"timeline":[{"at":"2026-12-02T04:50:01Z","source":"probe","text":"ok","count":2},{"at":"2026-12-02T04:50:02Z","source":"probe","text":"refused","count":9}]}`
	var v any
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(jsonNormaliser{}.norm("", v))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"checked_at":"<time>","endpoint":"127.0.0.1:<port>","error_classes":{"refused":"<count>"},"first_failure_at":null,` +
		`"read_ms":"<ms>","status":"ok","timeline":[{"at":"<time>","count":"<count>","source":"probe","text":"<text>"}]}`
	if unescape(got) != want {
		t.Errorf("got  %s\nwant %s", unescape(got), want)
	}
}

func unescape(b []byte) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(string(b))
}
