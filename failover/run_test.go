package failover_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/cloud/lab/proxy"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

const runPassword = "Run-pa55word"

// labInstanceFor creates a DB instance on an engine lab and returns a probe
// aimed at its endpoint.
func labInstanceFor(t *testing.T, delay time.Duration, multiAZ bool, opts ...func(*lab.Options)) (*lab.Lab, *rds.Client, *failover.Probe) {
	t.Helper()
	l := labtest.Start(t, append([]func(*lab.Options){labtest.WithEngine(t, delay)}, opts...)...)
	c := labtest.Client(t, l)
	ctx := context.Background()
	if _, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("gameday"),
		DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mariadb"), MultiAZ: aws.Bool(multiAZ),
		MasterUsername: aws.String("admin"), MasterUserPassword: aws.String(runPassword)}); err != nil {
		t.Fatal(err)
	}
	if err := cloud.WaitInstanceAvailable(ctx, c, "gameday", time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	}); err != nil {
		t.Fatal(err)
	}
	in, err := cloud.FindInstance(ctx, c, "gameday")
	if err != nil {
		t.Fatal(err)
	}
	p := &failover.Probe{Addr: fmt.Sprintf("127.0.0.1:%d", aws.ToInt32(in.Endpoint.Port)), User: "admin", Password: runPassword,
		ConnectTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second}
	return l, c, p
}

// mustNotVerify is a verify step for runs that must not get as far.
func mustNotVerify(t *testing.T) func(context.Context) (*verify.Report, error) {
	return func(context.Context) (*verify.Report, error) {
		t.Error("verified after a run that did not recover")
		return nil, errors.New("unexpected")
	}
}

// TestRunMeasuresFailoverAgainstTruth triggers a real Multi-AZ failover on
// the lab and checks the measured downtime against the lab's own record of
// when the endpoint was cut and restored.
func TestRunMeasuresFailoverAgainstTruth(t *testing.T) {
	l, c, p := labInstanceFor(t, time.Second, true)
	vo := verify.Options{Login: verify.Login{Getenv: func(k string) string { return map[string]string{verify.EnvPassword: runPassword}[k] }}}
	res, err := failover.Run(context.Background(), c, failover.Options{Instance: "gameday", Failover: true, Probe: p,
		PollInterval: 50 * time.Millisecond, Timeout: time.Minute, Progress: t.Logf, MaxDowntime: 50 * time.Millisecond,
		Verify: func(ctx context.Context) (*verify.Report, error) {
			return verify.Instance(ctx, c, aws.Config{Region: "us-east-1"}, "gameday", vo)
		}})
	if err != nil {
		t.Fatal(err)
	}
	// The verification ran on the new primary, and a 1 s outage breaks a
	// 50 ms limit.
	if res.Verify == nil || res.VerifyError != "" || res.NewPrimary == nil || res.Verify.Server.ServerID != int64(res.NewPrimary.ServerID) ||
		res.Verify.InstanceClass != "db.t3.micro" {
		t.Errorf("verify afterwards: %+v, error %q", res.Verify, res.VerifyError)
	}
	if res.MaxDowntimeSeconds == nil || *res.MaxDowntimeSeconds != 0.05 || !res.MaxDowntimeExceeded {
		t.Errorf("max downtime: %v, exceeded %v", res.MaxDowntimeSeconds, res.MaxDowntimeExceeded)
	}
	var truth *lab.Outage
	for _, o := range l.Status().Outages {
		if o.Cause == "failover" {
			truth = &o
		}
	}
	if truth == nil {
		t.Fatal("the lab recorded no failover outage")
	}
	want := truth.RestoredAt.Sub(truth.CutAt).Seconds()
	t.Logf("measured %.3fs, lab window %.3fs, API %.3fs, classes %v", res.DowntimeSeconds, want, *res.APISeconds, res.ErrorClasses)
	if d := math.Abs(res.DowntimeSeconds - want); d > 0.25 {
		t.Errorf("measured downtime %.3fs, lab's window %.3fs: off by %.3fs (> 0.25s)", res.DowntimeSeconds, want, d)
	}
	const slack = 0.02 // the lab's clock reads around cutting and restoring
	if want < res.DowntimeMinSeconds-slack || want > res.DowntimeMaxSeconds+slack {
		t.Errorf("lab window %.3fs outside the proven bounds [%.3f, %.3f]", want, res.DowntimeMinSeconds, res.DowntimeMaxSeconds)
	}
	if res.OldPrimaryAZ != "us-east-1a" || res.NewPrimaryAZ != "us-east-1b" {
		t.Errorf("AZs %s -> %s", res.OldPrimaryAZ, res.NewPrimaryAZ)
	}
	if res.ErrorClasses[failover.ClassRefused] == 0 {
		t.Errorf("error classes %v: want refused", res.ErrorClasses)
	}
	if !res.PrimaryChanged || res.OldPrimary.ServerID == res.NewPrimary.ServerID {
		t.Errorf("primary change not seen: %+v -> %+v", res.OldPrimary, res.NewPrimary)
	}
	var text []string
	for _, e := range res.Timeline {
		text = append(text, e.Source+":"+e.Text)
	}
	joined := strings.Join(text, "\n")
	for _, want := range []string{"api:RebootDBInstance ForceFailover=true accepted", "event:gameday: Multi-AZ instance failover started.",
		"event:gameday: Multi-AZ instance failover completed.", "probe:refused", "api:status available"} {
		if !strings.Contains(joined, want) {
			t.Errorf("timeline lacks %q:\n%s", want, joined)
		}
	}
}

// TestRunBlackholeFailover: with the lab black-holing the endpoint (as
// when clients still resolve the dead primary), the probe's attempts hang
// until their timeouts, so the class is timeout, and the outage is still
// measured within a timeout of the truth.
func TestRunBlackholeFailover(t *testing.T) {
	l, c, p := labInstanceFor(t, time.Second, true, func(o *lab.Options) { o.FailoverMode = proxy.Blackhole })
	p.ConnectTimeout, p.ReadTimeout, p.WriteTimeout = 200*time.Millisecond, 200*time.Millisecond, 200*time.Millisecond
	res, err := failover.Run(context.Background(), c, failover.Options{Instance: "gameday", Failover: true, Probe: p,
		PollInterval: 50 * time.Millisecond, Timeout: time.Minute, MaxDowntime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if res.MaxDowntimeExceeded || res.Verify != nil {
		t.Errorf("within an hour's limit, nothing to verify: exceeded %v, verify %v", res.MaxDowntimeExceeded, res.Verify)
	}
	if res.ErrorClasses[failover.ClassTimeout] == 0 || res.ErrorClasses[failover.ClassRefused] != 0 {
		t.Errorf("error classes %v: want timeouts, no refusals", res.ErrorClasses)
	}
	var truth lab.Outage
	for _, o := range l.Status().Outages {
		truth = o
	}
	want := truth.RestoredAt.Sub(truth.CutAt).Seconds()
	if d := math.Abs(res.DowntimeSeconds - want); d > 0.25+0.2 {
		t.Errorf("measured %.3fs, lab window %.3fs", res.DowntimeSeconds, want)
	}
	if want < res.DowntimeMinSeconds-0.02 || want > res.DowntimeMaxSeconds+0.02 {
		t.Errorf("lab window %.3fs outside the proven bounds [%.3f, %.3f]", want, res.DowntimeMinSeconds, res.DowntimeMaxSeconds)
	}
}

// TestRunRefusesSingleAZFailover: nothing is triggered for a forced
// failover of a Single-AZ instance.
func TestRunRefusesSingleAZFailover(t *testing.T) {
	l, c, p := labInstanceFor(t, 0, false)
	_, err := failover.Run(context.Background(), c, failover.Options{Instance: "gameday", Failover: true, Probe: p})
	if !errors.Is(err, failover.ErrNotMultiAZ) {
		t.Fatalf("err = %v, want ErrNotMultiAZ", err)
	}
	for _, r := range labtest.Requests(t, l) {
		if r.Action == "RebootDBInstance" {
			t.Fatal("a RebootDBInstance reached the lab")
		}
	}
	_, err = failover.Run(context.Background(), c, failover.Options{Instance: "missing", Probe: p})
	if !cloud.IsNotFound(err) {
		t.Fatalf("missing instance: %v", err)
	}
}

// TestRunNoBaselineTriggersNothing: a probe that cannot log in (wrong
// password) stops the run before the reboot, and the error names the
// class, not the password.
func TestRunNoBaselineTriggersNothing(t *testing.T) {
	l, c, p := labInstanceFor(t, 0, true)
	p.Password = "Wrong-pa55word"
	start := time.Now()
	_, err := failover.Run(context.Background(), c, failover.Options{Instance: "gameday", Failover: true, Probe: p,
		BaselineTimeout: time.Minute, Verify: mustNotVerify(t)})
	if time.Since(start) > 10*time.Second {
		t.Errorf("a refused login kept the run waiting %s for a baseline", time.Since(start))
	}
	if !errors.Is(err, failover.ErrNoBaseline) || !strings.Contains(err.Error(), "auth") || strings.Contains(err.Error(), "Wrong-pa55word") {
		t.Fatalf("err = %v", err)
	}
	for _, r := range labtest.Requests(t, l) {
		if r.Action == "RebootDBInstance" {
			t.Fatal("a RebootDBInstance reached the lab")
		}
	}
}

// TestRunInterrupted: canceling mid-outage (Ctrl-C) returns promptly with
// what was measured so far.
func TestRunInterrupted(t *testing.T) {
	_, c, p := labInstanceFor(t, 3*time.Second, true)
	ctx, cancel := context.WithCancel(context.Background())
	p.Observe = func(o failover.Observation) {
		if !o.OK {
			cancel()
		}
	}
	start := time.Now()
	res, err := failover.Run(ctx, c, failover.Options{Instance: "gameday", Failover: true, Probe: p, PollInterval: 50 * time.Millisecond,
		Verify: mustNotVerify(t)})
	if !errors.Is(err, context.Canceled) || !res.Interrupted {
		t.Fatalf("err = %v, interrupted %v", err, res.Interrupted)
	}
	if time.Since(start) > 2500*time.Millisecond {
		t.Errorf("took %s to stop after Ctrl-C", time.Since(start))
	}
	if res.FirstFailureAt == nil || res.Recovered {
		t.Errorf("partial result: %+v", res.Summary)
	}
	// The lab finishes the failover on its own.
	if err := cloud.WaitInstanceAvailable(context.Background(), c, "gameday", time.Minute); err != nil {
		t.Fatal(err)
	}
}
