package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
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
	o, err = parseConverge(t, "shop-cg", "--kind", "Cluster")
	if err != nil {
		t.Fatal(err)
	}
	if o.Target != (converge.Target{Group: "shop-cg", Kind: converge.KindCluster}) {
		t.Errorf("--kind cluster: target %+v", o.Target)
	}
}

func TestParamsConvergeParsingRejects(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "name a parameter group, an instance with --instance, or a cluster with --cluster"},
		{[]string{"g", "--instance", "db"}, "not more"},
		{[]string{"g", "--cluster", "aurora"}, "not more"},
		{[]string{"g", "--strategy", "sideways"}, `unknown strategy "sideways"`},
		{[]string{"g", "--max-downtime", "-1s"}, "must not be negative"},
		{[]string{"g", "--probe-interval", "1ms"}, "at least 10ms"},
		{[]string{"g", "--timeout", "0s"}, "must be positive"},
		{[]string{"bad name!"}, "invalid parameter group name"},
		{[]string{"g", "--tls", "maybe"}, "invalid --tls"},
		{[]string{"g", "--expect", "novalue"}, "novalue"},
		{[]string{"g", "--kind", "aurora"}, `--kind: invalid converge target: unknown parameter group kind "aurora": want db or cluster`},
		{[]string{"--instance", "db", "--kind", "db"}, "--kind says which kind of parameter group GROUP is"},
		{[]string{"--cluster", "aurora", "--kind", "cluster"}, "--kind says which kind of parameter group GROUP is"},
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

func testConvergePlan() *converge.Plan {
	return &converge.Plan{Target: converge.Target{Group: "staging"}, Strategy: converge.StrategyAuto, InSync: []string{"db-z"},
		Steps: []converge.Step{
			{Instance: "db-a", Action: converge.ActionFailover, MultiAZ: true, ExpectedDowntime: "one failover (AWS: typically 60–120s)", ExpectedDowntimeSeconds: aws.Float64(120),
				Changes: []converge.Change{{Name: "innodb_log_buffer_size", From: "2097152", To: "33554432"}}},
			{Instance: "db-b", Action: converge.ActionReboot, ExpectedDowntime: "one restart (AWS gives no typical figure)", Changes: []converge.Change{}},
		}}
}

// TestParamsConvergeOutput: the plan and the result as a script reads them
// (piped: tab-separated rows under a plain heading) and as a person does
// (a terminal: aligned columns with headers).
func TestParamsConvergeOutput(t *testing.T) {
	plan := testConvergePlan()
	res := &converge.Result{Members: []converge.Member{{Instance: "db-a", Action: converge.ActionFailover,
		Outcome: converge.OutcomeBudgetBreached, DowntimeSeconds: 2.5,
		Before: map[string]string{"innodb_log_buffer_size": "2097152"}, After: map[string]string{"innodb_log_buffer_size": "33554432"}}},
		Remaining: []string{"db-b"}, RemainingSteps: plan.Steps[1:]}
	rep := converge.NewReport(plan, res, false)

	ios, _, out, errOut := ui.Test()
	if err := printConvergePlan(ios, plan); err != nil {
		t.Fatal(err)
	}
	if err := printConvergeResult(ios, rep); err != nil {
		t.Fatal(err)
	}
	want := "\nPlan (auto)\n" +
		"db-a\tfailover\tyes\tone failover (AWS: typically 60–120s)\tinnodb_log_buffer_size 2097152 -> 33554432\n" +
		"db-b\treboot\tno\tone restart (AWS gives no typical figure)\t-\n" +
		"\nResult\n" +
		"db-a\tfailover\tmax-downtime-exceeded\t2.500s\tinnodb_log_buffer_size=2097152\tinnodb_log_buffer_size=33554432\t-\n" +
		"db-b\treboot\tuntouched\t-\t-\t-\t-\n"
	if out.String() != want {
		t.Errorf("piped output:\n%q\nwant\n%q", out.String(), want)
	}
	if !strings.Contains(errOut.String(), "already in-sync: db-z") {
		t.Errorf("stderr %q does not name the in-sync member", errOut.String())
	}

	ios, _, out, _ = ui.Test()
	ios.SetTTY(true)
	ios.DisableColor()
	if err := printConvergePlan(ios, plan); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"INSTANCE  ACTION    MULTI-AZ  EXPECTED WRITE DOWNTIME                    CHANGES",
		"db-a      failover  yes       one failover (AWS: typically 60–120s)      innodb_log_buffer_size 2097152 -> 33554432",
	} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("terminal output lacks %q:\n%s", line, out.String())
		}
	}
}

// TestParamsConvergeOutcome: one exit code per way a run ends.
func TestParamsConvergeOutcome(t *testing.T) {
	rep := converge.NewReport(testConvergePlan(), &converge.Result{Members: []converge.Member{{Instance: "db-a", Action: converge.ActionFailover}},
		Remaining: []string{"db-b"}}, false)
	for _, tc := range []struct {
		err  error
		code int
		msg  string
	}{
		{nil, cli.ExitOK, ""},
		{&converge.StopError{Instance: "db-a", Outcome: converge.OutcomeVerifyFailed, Err: errors.New("drift")}, cli.ExitFindings,
			"stopped at db-a (verify-failed): drift; 0 instances converged before it; left untouched: db-b; run the command again to continue"},
		{&converge.StopError{Instance: "db-a", Outcome: converge.OutcomeBudgetBreached, Err: errors.New("too long")}, cli.ExitFindings, "too long"},
		{&converge.StopError{Instance: "db-a", Outcome: converge.OutcomeFailed, Err: errors.New("timed out")}, cli.ExitFailure, "timed out"},
		{&converge.StopError{Instance: "db-a", Outcome: converge.OutcomeInterrupted, Err: context.Canceled}, cli.ExitFailure,
			"interrupted during the failover of db-a, which may still be recovering; 0 instances converged before it; left untouched: db-b"},
	} {
		ios, _, _, _ := ui.Test()
		err := convergeOutcome(ios, rep, tc.err)
		if got := cli.ExitCode(err); got != tc.code {
			t.Errorf("%v: exit %d, want %d", tc.err, got, tc.code)
		}
		if tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)) {
			t.Errorf("%v: message %v, want %q", tc.err, err, tc.msg)
		}
		if tc.code == cli.ExitFailure && errors.Is(tc.err, context.Canceled) && !cli.IsInterrupted(err) {
			t.Errorf("%v: not seen as interrupted", err)
		}
	}
}
