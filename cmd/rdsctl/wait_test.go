package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

func TestInstanceState(t *testing.T) {
	in := types.DBInstance{DBInstanceStatus: aws.String("rebooting"), DBParameterGroups: []types.DBParameterGroupStatus{
		{DBParameterGroupName: aws.String("a"), ParameterApplyStatus: aws.String("pending-reboot")},
		{DBParameterGroupName: aws.String("b")}}}
	if got, want := instanceState(in), "rebooting, parameter group a pending-reboot, parameter group b -"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := instanceState(types.DBInstance{}); got != "-" {
		t.Errorf("empty: %q", got)
	}
}

// TestWaitDeadlineAndInterrupt runs wait against a real lab instance in
// the middle of a slow failover: a short --timeout gives up saying what
// it saw last (and -o json still reports), and a canceled context (what
// Ctrl-C does) stops it at once, as interrupted.
func TestWaitDeadlineAndInterrupt(t *testing.T) {
	e := newInstanceEnv(t, 20*time.Second, true)
	if _, err := e.rds.RebootDBInstance(e.ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("db"), ForceFailover: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}

	c, _, out, errOut := e.common(nil, false)
	c.Format = ui.FormatJSON
	start := time.Now()
	err := waitRun(e.ctx, &WaitOptions{CommonOptions: c, Instance: "db", For: waitAvailable, Timeout: 2 * time.Second})
	if err == nil || cli.ExitCode(err) != cli.ExitFailure {
		t.Fatalf("err = %v", err)
	}
	if want := "timed out after 2s waiting for DB instance db to be available; last seen rebooting, parameter group default.mariadb10.11 in-sync"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("a 2s wait took %s", d)
	}
	if !strings.Contains(errOut.String(), "• db: rebooting, parameter group default.mariadb10.11 in-sync\n") {
		t.Errorf("no progress: %q", errOut)
	}
	for _, s := range []string{`"reached": false,`, `"status": "rebooting",`, `"error": "timed out after 2s`} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("no %s in %s", s, out)
		}
	}

	c, _, out, _ = e.common(nil, false)
	ctx, cancel := context.WithCancel(e.ctx)
	time.AfterFunc(300*time.Millisecond, cancel)
	start = time.Now()
	err = waitRun(ctx, &WaitOptions{CommonOptions: c, Instance: "db", For: waitInSync, Timeout: time.Minute})
	if !cli.IsInterrupted(err) {
		t.Fatalf("err = %v, want it to be an interrupt", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopping took %s", d)
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q", out)
	}
}
