package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/failover/converge"
)

func parseConverge(t *testing.T, args ...string) (*ParamsConvergeOptions, error) {
	t.Helper()
	var got *ParamsConvergeOptions
	cmd := NewCmdParamsConverge(testFactory(t, nil), func(_ context.Context, o *ParamsConvergeOptions) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		if got != nil {
			t.Errorf("%v: run called despite %v", args, err)
		}
		return nil, err
	}
	return got, nil
}

func TestParamsConvergeParsing(t *testing.T) {
	o, err := parseConverge(t, "Staging", "--strategy", "failover", "--max-downtime", "60s", "--dry-run",
		"--probe-interval", "250ms", "--probe-write", "--timeout", "5m", "--expect", "wait_timeout=300", "--db-user", "probe")
	if err != nil {
		t.Fatal(err)
	}
	c := o.Converge
	if o.Target != (converge.Target{Group: "staging"}) || !o.DryRun || c.Strategy != converge.StrategyFailover ||
		c.MaxDowntime != time.Minute || c.ProbeInterval != 250*time.Millisecond || !c.ProbeWrite || c.Timeout != 5*time.Minute ||
		len(c.Verify.Expect) != 1 || c.Verify.Login.User != "probe" {
		t.Errorf("options = %+v", o)
	}
	o, err = parseConverge(t, "--instance", "db")
	if err != nil {
		t.Fatal(err)
	}
	c = o.Converge
	if o.Target != (converge.Target{Instance: "db"}) || o.DryRun || c.Strategy != converge.StrategyAuto ||
		c.MaxDowntime != 0 || c.ProbeInterval != failover.DefaultInterval || c.Timeout != failover.DefaultTimeout {
		t.Errorf("defaults = %+v", o)
	}
}

func TestParamsConvergeParsingRejects(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "name a parameter group, or an instance with --instance"},
		{[]string{"g", "--instance", "db"}, "not both"},
		{[]string{"--cluster", "aurora"}, "Aurora clusters is not supported yet"},
		{[]string{"g", "--strategy", "rolling"}, "rolling strategy is for Aurora clusters, which are not supported yet"},
		{[]string{"g", "--strategy", "sideways"}, `unknown strategy "sideways"`},
		{[]string{"g", "--max-downtime", "-1s"}, "must not be negative"},
		{[]string{"g", "--probe-interval", "1ms"}, "at least 10ms"},
		{[]string{"g", "--timeout", "0s"}, "must be positive"},
		{[]string{"bad name!"}, "invalid parameter group name"},
		{[]string{"g", "--tls", "maybe"}, "invalid --tls"},
		{[]string{"g", "--expect", "novalue"}, "novalue"},
	} {
		_, err := parseConverge(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.msg)
			continue
		}
		if cli.ExitCode(err) != cli.ExitUsage {
			t.Errorf("%v: exit %d, want 2", tc.args, cli.ExitCode(err))
		}
	}
}
