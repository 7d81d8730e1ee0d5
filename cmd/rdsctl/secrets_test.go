package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// sweepPassword has characters that every escaping changes: URL query and
// path escaping, JSON and Go quoting.
const sweepPassword = `Sekr!t#Pa%ss&w=rd+9?`

// TestSecretsNeverShown runs every command path that takes a password
// (environment, --db-password-env, --db-password-file, a wrong password,
// an unreachable server, bad TLS and CA settings, --db-secret) through
// verify, policy check --effective, failover and gameday run --report,
// then searches everything they wrote (stdout, stderr, JSON, the game-day
// report) and everything the lab keeps (request log, state, engine logs
// and datadirs) for the password in all its escaped forms: nothing.
func TestSecretsNeverShown(t *testing.T) {
	l := labtest.Start(t, labtest.WithEngine(t, 500*time.Millisecond))
	api := labtest.Client(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := api.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("sec-grp"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("secrets")}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("sec-db"),
		DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mariadb"), MultiAZ: aws.Bool(true),
		MasterUsername: aws.String("admin"), MasterUserPassword: aws.String(sweepPassword), DBParameterGroupName: aws.String("sec-grp")}); err != nil {
		t.Fatal(err)
	}
	if err := cloud.WaitInstanceAvailable(ctx, api, "sec-db", 2*time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	}); err != nil {
		t.Fatal(err)
	}

	work := t.TempDir()
	write := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(work, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pwFile := write("pw", sweepPassword+"\n", 0o600)
	wrongFile := write("wrong", sweepPassword+"X\n", 0o644) // also warns: readable by all
	notPEM := write("ca.pem", "not a certificate\n", 0o600)
	policy := write("policy.yaml", "version: 1\ngroups: [sec-grp]\nrules:\n  - parameter: wait_timeout\n    max: 600\n", 0o600)
	scenario := write("drill.yaml", "name: sweep\ntarget: {instance: sec-db}\nsteps:\n  - verify: {expect: {wait_timeout: 28800}}\n  - failover: {max_downtime: 60s}\nrollback: true\n", 0o600)
	report := filepath.Join(work, "report")

	base := cliEnv(t, l)
	with := func(env []string, kv ...string) []string { return append(append([]string{}, env...), kv...) }
	withPW := with(base, "RDSCTL_DB_PASSWORD="+sweepPassword)
	noPW := with(base, "RDSCTL_DB_PASSWORD=")
	runs := []struct {
		name string
		env  []string
		args []string
		exit int // -1: any
	}{
		{"env default", withPW, []string{"verify", "sec-db"}, 0},
		{"env default json", withPW, []string{"verify", "sec-db", "-o", "json"}, 0},
		{"named env", with(noPW, "MY_PW="+sweepPassword), []string{"verify", "sec-db", "--db-password-env", "MY_PW", "-o", "yaml"}, 0},
		{"file", noPW, []string{"verify", "sec-db", "--db-password-file", pwFile, "-o", "json"}, 0},
		{"wrong env", with(noPW, "RDSCTL_DB_PASSWORD="+sweepPassword+"X"), []string{"verify", "sec-db"}, 1},
		{"wrong file", noPW, []string{"verify", "sec-db", "--db-password-file", wrongFile, "-o", "json"}, 1},
		{"bad tls", withPW, []string{"verify", "sec-db", "--tls", "verify-full"}, -1},
		{"tls required", withPW, []string{"verify", "sec-db", "--tls", "required"}, -1},
		{"bad ca", withPW, []string{"verify", "sec-db", "--ca-bundle", notPEM, "--tls", "verify-full"}, 2},
		{"secret", with(withPW, "AWS_ENDPOINT_URL_SECRETS_MANAGER="+l.Endpoint()), []string{"verify", "sec-db", "--db-secret", "arn:aws:secretsmanager:us-east-1:111122223333:secret:rds-sec"}, -1},
		{"policy effective", withPW, []string{"policy", "check", "-f", policy, "--effective", "-o", "json"}, -1},
		{"policy effective wrong", with(noPW, "RDSCTL_DB_PASSWORD=wrong-"+sweepPassword), []string{"policy", "check", "-f", policy, "--effective"}, -1},
		{"failover", withPW, []string{"failover", "sec-db", "--yes", "-o", "json"}, 0},
		{"gameday", noPW, []string{"gameday", "run", scenario, "--db-password-file", pwFile, "--report", report, "--yes"}, 0},
	}
	var all bytes.Buffer
	for _, r := range runs {
		res := runRdsctl(t, r.env, cliRun{Args: r.args, Timeout: 90 * time.Second})
		if res.TimedOut || (r.exit >= 0 && res.Exit != r.exit) {
			t.Errorf("%s: rdsctl %s: exit %d (timed out: %v), want %d\nstderr: %s", r.name, strings.Join(r.args, " "), res.Exit, res.TimedOut, r.exit, res.Stderr)
		}
		fmt.Fprintf(&all, "== %s\n%s\n%s\n", r.name, res.Stdout, res.Stderr)
		findSecret(t, r.name+" stdout", []byte(res.Stdout))
		findSecret(t, r.name+" stderr", []byte(res.Stderr))
	}

	// An unreachable server: its engine stopped, so connections hang.
	st := l.Status()
	for _, in := range st.Instances {
		if in.ID == "sec-db" && in.EnginePID > 0 {
			if err := syscall.Kill(in.EnginePID, syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			res := runRdsctl(t, withPW, cliRun{Args: []string{"verify", "sec-db", "--connect-timeout", "1s", "--read-timeout", "1s"}, Timeout: 30 * time.Second})
			_ = syscall.Kill(in.EnginePID, syscall.SIGCONT)
			if res.Exit != 1 || !strings.Contains(res.Stderr, "timed out") {
				t.Errorf("unreachable server: exit %d, stderr %s", res.Exit, res.Stderr)
			}
			findSecret(t, "unreachable stderr", []byte(res.Stderr))
		}
	}

	// Everything written to disk: the report and the lab's directory.
	files := 0
	for _, root := range []string{report, l.Dir()} {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			files++
			findSecret(t, path, b)
			return nil
		})
	}
	if _, err := os.Stat(filepath.Join(report, "report.json")); err != nil {
		t.Errorf("no game-day report: %v", err)
	}
	t.Logf("searched the output of %d runs and %d files", len(runs)+1, files)
	if t.Failed() {
		t.Logf("all output:\n%s", all.String())
	}
}

// findSecret fails the test if b holds the sweep password in any form.
func findSecret(t *testing.T, where string, b []byte) {
	t.Helper()
	js, _ := json.Marshal(sweepPassword)
	for _, form := range []string{sweepPassword, url.QueryEscape(sweepPassword), url.PathEscape(sweepPassword),
		strings.Trim(string(js), `"`), strings.Trim(fmt.Sprintf("%q", sweepPassword), `"`)} {
		if i := bytes.Index(b, []byte(form)); i >= 0 {
			lo, hi := max(0, i-60), min(len(b), i+len(form)+20)
			t.Errorf("%s holds the password (as %q): ...%q...", where, form, b[lo:hi])
		}
	}
}
