package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// newInstanceEnv is a paramsEnv whose lab runs real MariaDB instances,
// with one available DB instance "db" on the default group.
func newInstanceEnv(t *testing.T, failoverDelay time.Duration, multiAZ bool) *paramsEnv {
	t.Helper()
	l := labtest.Start(t, labtest.WithEngine(t, failoverDelay))
	e := &paramsEnv{t: t, lab: l, rds: labtest.Client(t, l), ctx: context.Background()}
	ctx, cancel := context.WithTimeout(e.ctx, 2*time.Minute)
	defer cancel()
	if _, err := e.rds.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("db"),
		DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mariadb"), MultiAZ: aws.Bool(multiAZ),
		MasterUsername: aws.String("admin"), MasterUserPassword: aws.String(scriptDBPassword)}); err != nil {
		t.Fatal(err)
	}
	if err := cloud.WaitInstanceAvailable(ctx, e.rds, "db", 2*time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestParamsAttach is the behaviour half of attach against a real lab:
// a "no" on a terminal sends nothing, a "yes" sends one ModifyDBInstance
// and prints the aligned block, and attaching again is a no-op, piped.
func TestParamsAttach(t *testing.T) {
	e := newInstanceEnv(t, 0, false)
	e.createGroup("g")
	opts := func(c CommonOptions) *ParamsAttachOptions {
		return &ParamsAttachOptions{CommonOptions: c, Name: "g", Instance: "db", Timeout: time.Minute}
	}

	mark := e.mark()
	c, ios, out, errOut := e.common(nil, false)
	ios.SetTTY(true)
	ios.In = strings.NewReader("n\n")
	if err := paramsAttachRun(e.ctx, opts(c)); !errors.Is(err, cli.ErrCanceled) || cli.ExitCode(err) != cli.ExitUsage {
		t.Fatalf("answered no: %v", err)
	}
	if !strings.Contains(errOut.String(), "Attach parameter group g to DB instance db? [y/N]") || out.Len() != 0 {
		t.Errorf("no: stdout %q, stderr %q", out, errOut)
	}
	if got := e.calls(mark); len(got) != 0 {
		t.Errorf("no: calls %q", got)
	}

	c, ios, out, errOut = e.common(nil, false)
	ios.SetTTY(true)
	ios.DisableColor()
	ios.In = strings.NewReader("y\n")
	if err := paramsAttachRun(e.ctx, opts(c)); err != nil {
		t.Fatalf("answered yes: %v\n%s", err, errOut)
	}
	want := "instance:         db\n" +
		"parameter group:  g (pending-reboot: a reboot is needed to apply its changes)\n" +
		"previous group:   default.mariadb10.11\n" +
		"family:           mariadb10.11\n" +
		"rebooted:         no\n"
	if out.String() != want {
		t.Errorf("tty stdout\n%s\nwant\n%s", out, want)
	}
	if got := e.calls(mark); len(got) != 1 || got[0] != "ModifyDBInstance 200" {
		t.Errorf("yes: calls %q", got)
	}
	if !strings.Contains(errOut.String(), "reboot needed for the group to take effect: db") {
		t.Errorf("no reboot warning: %q", errOut)
	}

	mark = e.mark()
	c, _, out, errOut = e.common(nil, false)
	if err := paramsAttachRun(e.ctx, opts(c)); err != nil {
		t.Fatalf("again: %v", err)
	}
	want = "instance:\tdb\nparameter group:\tg (pending-reboot: a reboot is needed to apply its changes)\n" +
		"previous group:\tg\nfamily:\tmariadb10.11\nrebooted:\tno\n"
	if out.String() != want {
		t.Errorf("piped stdout\n%q\nwant\n%q", out, want)
	}
	if !strings.Contains(errOut.String(), "already attached") {
		t.Errorf("again: stderr %q", errOut)
	}
	if got := e.calls(mark); len(got) != 0 {
		t.Errorf("again: calls %q", got)
	}
}

// TestPrintAttachJSON pins attach's snake_case keys.
func TestPrintAttachJSON(t *testing.T) {
	ios, _, out, _ := ui.Test()
	rep := &attachReport{Instance: "db", Group: "new", PreviousGroup: "old", Family: "mariadb10.11",
		Status: statusApplied, ParameterApplyStatus: "in-sync", Rebooted: true}
	if err := printAttach(CommonOptions{IO: ios, Format: ui.FormatJSON}, rep); err != nil {
		t.Fatal(err)
	}
	want := `{
  "instance": "db",
  "group": "new",
  "previous_group": "old",
  "family": "mariadb10.11",
  "status": "applied",
  "parameter_apply_status": "in-sync",
  "rebooted": true,
  "needs_reboot": false
}
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}
