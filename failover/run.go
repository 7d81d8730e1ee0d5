package failover

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/verify"
)

// API is the part of RDS a reboot or failover run calls; *rds.Client and
// cloud.RDS satisfy it.
type API interface {
	DescribeDBInstances(context.Context, *rds.DescribeDBInstancesInput, ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	RebootDBInstance(context.Context, *rds.RebootDBInstanceInput, ...func(*rds.Options)) (*rds.RebootDBInstanceOutput, error)
	DescribeEvents(context.Context, *rds.DescribeEventsInput, ...func(*rds.Options)) (*rds.DescribeEventsOutput, error)
}

// Run defaults.
const (
	// DefaultTimeout bounds a whole run: RDS Multi-AZ failovers take one
	// to two minutes, reboots less; a run that is still waiting after 15
	// minutes has a problem no longer wait will fix.
	DefaultTimeout = 15 * time.Minute
	// DefaultPollInterval is how often the API is asked for the status.
	// DescribeDBInstances is throttled per account, so not too often.
	DefaultPollInterval = time.Second
	// DefaultBaselineTimeout bounds the wait for the probe's first
	// success before anything is triggered.
	DefaultBaselineTimeout = 10 * time.Second
	// DefaultSettle is how long after the API says available the probe may
	// still take to see the endpoint stable again.
	DefaultSettle = 30 * time.Second
)

// Sentinel errors a CLI maps to its exit codes.
var (
	// ErrNotMultiAZ: a failover was asked of a Single-AZ instance; nothing
	// was triggered.
	ErrNotMultiAZ = errors.New("not a Multi-AZ instance")
	// ErrNotAvailable: the instance is busy (or failed); nothing was
	// triggered.
	ErrNotAvailable = errors.New("instance is not available")
	// ErrNoBaseline: the probe never reached the instance before the
	// trigger (wrong password, wrong network), so nothing was triggered:
	// an outage could not have been measured.
	ErrNoBaseline = errors.New("the probe could not reach the instance before the trigger")
	// ErrTimedOut: the instance did not come back within the deadline.
	ErrTimedOut = errors.New("timed out waiting for the instance to recover")
)

// Options describe one reboot or failover run.
type Options struct {
	Instance string
	// Failover asks for RebootDBInstance ForceFailover=true.
	Failover bool
	// Probe measures the outage through the instance endpoint; its Addr,
	// User and Password must be set. Observe is chained, not replaced.
	Probe *Probe
	// Timeout bounds the run from trigger to recovery (DefaultTimeout).
	Timeout time.Duration
	// PollInterval is the API status poll (DefaultPollInterval).
	PollInterval time.Duration
	// BaselineTimeout bounds the wait for a first successful probe.
	BaselineTimeout time.Duration
	// Settle bounds the wait, once the API says available, for the probe
	// to see the endpoint stable (DefaultSettle).
	Settle time.Duration
	// Progress receives one line per step, for stderr; nil discards.
	Progress func(format string, args ...any)
	// Warn receives pre-flight findings and lost side information (events
	// that could not be read, a failed verification); nil sends them to
	// Progress.
	Warn func(format string, args ...any)
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// MaxDowntime, when positive, is the longest outage clients may see:
	// Result.MaxDowntimeExceeded says whether the run stayed within it (a
	// run that never recovered did not).
	MaxDowntime time.Duration
	// Verify, when set, verifies the server once the instance has
	// recovered; its report or error lands in Result.Verify or
	// Result.VerifyError. It is not called when the run failed or was
	// interrupted. To verify as `rdsctl verify` does:
	//
	//	Verify: func(ctx context.Context) (*verify.Report, error) {
	//		return verify.Instance(ctx, api, awsCfg, id, verifyOpts)
	//	},
	Verify func(ctx context.Context) (*verify.Report, error)

	// Cluster, for RunCluster, is the Aurora DB cluster to fail over, and
	// Target the reader to promote ("": RDS picks). Probe then goes
	// through the cluster endpoint and writes (a read-only answer is an
	// outage), and Instance is ignored.
	Cluster, Target string
	// OldWriterProbe, for RunCluster, probes the old writer's instance
	// endpoint throughout: a client whose DNS cache or pool still points
	// there. Result.OldWriterEndpoint says what it met (read_only errors,
	// once the old writer is a reader). nil: none.
	OldWriterProbe *Probe
	// VerifyInstance, for RunCluster, verifies the new writer by its
	// instance identifier, as Verify does for Run.
	VerifyInstance func(ctx context.Context, id string) (*verify.Report, error)
}

// Result is everything a run learned, shaped for `failover -o json`.
type Result struct {
	Instance  string `json:"instance"`
	Operation string `json:"operation"` // failover or reboot
	Summary
	OldPrimaryAZ string `json:"old_primary_az"`
	NewPrimaryAZ string `json:"new_primary_az"`
	// TriggeredAt is when RebootDBInstance was accepted.
	TriggeredAt time.Time `json:"triggered_at"`
	// AvailableAt is when DescribeDBInstances first said available again.
	AvailableAt *time.Time `json:"available_at"`
	// APISeconds is TriggeredAt to AvailableAt: what the control plane
	// claims, to set against what clients saw.
	APISeconds *float64 `json:"api_seconds"`
	// Warnings are pre-flight findings that did not stop the run.
	Warnings []string `json:"warnings"`
	// Interrupted is set when the run was stopped (Ctrl-C) before the
	// instance was seen to recover.
	Interrupted bool    `json:"interrupted"`
	Timeline    []Entry `json:"timeline"`
	// MaxDowntimeSeconds is Options.MaxDowntime, or null without one.
	MaxDowntimeSeconds *float64 `json:"max_downtime_seconds"`
	// MaxDowntimeExceeded is true when clients were down longer than
	// MaxDowntime, or never saw the instance recover.
	MaxDowntimeExceeded bool `json:"max_downtime_exceeded"`
	// Verify is Options.Verify's report on the server afterwards; null
	// when not verified.
	Verify *verify.Report `json:"verify"`
	// VerifyError is why Options.Verify could not verify the server.
	VerifyError string `json:"verify_error,omitempty"`

	// The rest is RunCluster's (absent from an instance's JSON).
	ClusterResult
	// Observations are the probe's raw attempts, for reports.
	Observations []Observation `json:"-"`
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.BaselineTimeout <= 0 {
		o.BaselineTimeout = DefaultBaselineTimeout
	}
	if o.Settle <= 0 {
		o.Settle = DefaultSettle
	}
	if o.Progress == nil {
		o.Progress = func(string, ...any) {}
	}
	if o.Warn == nil {
		progress := o.Progress
		o.Warn = func(format string, args ...any) { progress("warning: "+format, args...) }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Preflight checks that the instance can take the operation and returns
// it, with warnings (pending-reboot parameters the restart will apply).
// It makes no change; its errors wrap ErrNotMultiAZ or ErrNotAvailable, or
// are the API's (cloud.IsNotFound for a missing instance).
func Preflight(ctx context.Context, api API, id string, failover bool) (types.DBInstance, []string, error) {
	in, err := cloud.FindInstance(ctx, api, id)
	if err != nil {
		return in, nil, err
	}
	if st := aws.ToString(in.DBInstanceStatus); st != "available" {
		return in, nil, fmt.Errorf("%s is %s: %w", id, st, ErrNotAvailable)
	}
	if c := aws.ToString(in.DBClusterIdentifier); failover && c != "" {
		return in, nil, fmt.Errorf("%s is a member of Aurora cluster %s, which fails over as a whole: %w (rdsctl failover --cluster %s --target READER)", id, c, ErrNotMultiAZ, c)
	}
	if failover && !aws.ToBool(in.MultiAZ) {
		return in, nil, fmt.Errorf("%s: a forced failover needs a standby: %w (use rdsctl reboot without --failover)", id, ErrNotMultiAZ)
	}
	if in.Endpoint == nil || aws.ToString(in.Endpoint.Address) == "" {
		return in, nil, fmt.Errorf("%s has no endpoint yet: %w", id, ErrNotAvailable)
	}
	var warnings []string
	for _, g := range in.DBParameterGroups {
		if aws.ToString(g.ParameterApplyStatus) == "pending-reboot" {
			warnings = append(warnings, fmt.Sprintf("parameter group %s has changes pending a reboot: this restart applies them",
				aws.ToString(g.DBParameterGroupName)))
		}
	}
	return in, warnings, nil
}

// Run triggers a reboot (or a forced Multi-AZ failover) and measures it:
// the probe runs throughout, the API is polled for the status, and the RDS
// events of the window are folded into the timeline. It returns once the
// API says available and the probe sees the endpoint stable, or at the
// deadline, or when ctx is canceled (Ctrl-C), always with what is known.
// After a recovery it checks Options.MaxDowntime and runs Options.Verify,
// so the Result is the whole of `rdsctl failover -o json`.
//
// Result.TriggeredAt is zero when nothing was triggered. The error is the
// run's (ErrNotAvailable, ErrNotMultiAZ, ErrNoBaseline, ErrTimedOut, the
// API's, ctx's); a failed verification is in Result.VerifyError, not
// here.
//
// Nothing is triggered unless the pre-flight passes and the probe has
// reached the instance once: an unmeasurable failover is not a test.
func Run(ctx context.Context, api API, opts Options) (*Result, error) {
	opts.defaults()
	res := &Result{Instance: opts.Instance, Operation: "reboot", Warnings: []string{}, Timeline: []Entry{}}
	if opts.Failover {
		res.Operation = "failover"
	}
	if opts.Probe == nil {
		return res, errors.New("failover run needs a probe")
	}
	in, warnings, err := Preflight(ctx, api, opts.Instance, opts.Failover)
	if err != nil {
		return res, err
	}
	res.Warnings = append(res.Warnings, warnings...)
	for _, w := range warnings {
		opts.Warn("%s", w)
	}
	res.OldPrimaryAZ = aws.ToString(in.AvailabilityZone)

	verb := "RebootDBInstance"
	if opts.Failover {
		verb += " ForceFailover=true"
	}
	what := "rebooted"
	if opts.Failover {
		what = "new primary's"
	}
	err = measure(ctx, &opts, res, operation{
		trigger: func(ctx context.Context) (string, error) {
			rebooted, err := cloud.RebootInstance(ctx, api, opts.Instance, opts.Failover)
			if err != nil {
				return "", err
			}
			opts.Progress("%s accepted; waiting for %s to come back", verb, opts.Instance)
			return verb + " accepted, status " + aws.ToString(rebooted.DBInstanceStatus), nil
		},
		wait: func(ctx context.Context, marks *[]Mark) error { return waitRecovered(ctx, api, opts, res, marks) },
		events: func(ctx context.Context, since time.Time) ([]types.Event, error) {
			return cloud.InstanceEvents(ctx, api, opts.Instance, since)
		},
		verifyWhat: what,
	})
	return res, err
}

// operation is what differs between the runs measure drives: how the
// outage is triggered (returning the timeline's text for it), how the API
// side of the recovery is waited for, and where the RDS events are.
type operation struct {
	trigger    func(ctx context.Context) (string, error)
	wait       func(ctx context.Context, marks *[]Mark) error
	events     func(ctx context.Context, since time.Time) ([]types.Event, error)
	verifyWhat string
}

// measure runs opts.Probe until it has a baseline, triggers op, waits for
// the recovery, and fills res: summary, timeline, the downtime limit and
// the verification afterwards. Nothing is triggered without a baseline.
func measure(ctx context.Context, opts *Options, res *Result, op operation) error {
	// The probe runs on its own context, so that Ctrl-C can stop the
	// waiting and still leave the observations to summarise.
	pctx, stopProbe := context.WithCancel(context.WithoutCancel(ctx))
	defer stopProbe()
	firstOK := make(chan struct{})
	refused := make(chan struct{}) // the login was refused before the trigger
	var seenOK, seenAuth bool
	observe := opts.Probe.Observe
	opts.Probe.Observe = func(o Observation) {
		switch {
		case o.OK && !seenOK:
			seenOK = true
			close(firstOK)
		case !o.OK && o.Class == ClassAuth && !seenOK && !seenAuth:
			// A refused login does not get better by waiting.
			seenAuth = true
			close(refused)
		}
		if observe != nil {
			observe(o)
		}
	}
	probeDone := make(chan error, 1)
	go func() { probeDone <- opts.Probe.Run(pctx) }()
	finish := func() {
		stopProbe()
		<-probeDone
		res.Observations = opts.Probe.Observations()
	}

	opts.Progress("probing %s (one fresh connection every %s)", opts.Probe.Addr, orDefault(opts.Probe.Interval, DefaultInterval))
	select {
	case <-firstOK:
	case err := <-probeDone:
		res.Observations = opts.Probe.Observations()
		return fmt.Errorf("probe: %w", err)
	case <-refused:
		finish()
		return fmt.Errorf("%w: %s", ErrNoBaseline, lastError(res.Observations))
	case <-time.After(opts.BaselineTimeout):
		finish()
		return fmt.Errorf("%w within %s: %s", ErrNoBaseline, opts.BaselineTimeout, lastError(res.Observations))
	case <-ctx.Done():
		finish()
		res.Interrupted = true
		return ctx.Err()
	}

	if err := offTick(ctx, opts.Probe); err != nil {
		finish()
		res.Interrupted = true
		return err
	}
	// The operation's window opens when the call is sent: the target's
	// earlier events (its creation, a previous reboot) are not this run's.
	requestedAt := opts.Now()
	text, err := op.trigger(ctx)
	if err != nil {
		finish()
		return err
	}
	res.TriggeredAt = opts.Now()
	marks := []Mark{{At: res.TriggeredAt, Text: text}}

	waitErr := op.wait(ctx, &marks)
	finish()
	if errors.Is(waitErr, context.Canceled) {
		res.Interrupted = true
	}

	// Events of the window, for the timeline; a failure here loses only
	// the events.
	ectx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	// AWS may round StartTime down; Since keeps exactly the window.
	events, eerr := op.events(ectx, requestedAt.Add(-time.Second))
	if eerr != nil {
		opts.Warn("reading RDS events: %v", eerr)
	}
	events = Since(events, requestedAt)
	res.Summary = Summarize(res.Observations, res.TriggeredAt)
	res.Timeline = Merge(marks, events, res.Observations)
	if opts.MaxDowntime > 0 {
		m := opts.MaxDowntime.Seconds()
		res.MaxDowntimeSeconds = &m
		res.MaxDowntimeExceeded = res.DowntimeSeconds > m || !res.Recovered
	}
	if opts.Verify != nil && waitErr == nil {
		opts.Progress("verifying the %s server", op.verifyWhat)
		rep, err := opts.Verify(ctx)
		res.Verify = rep
		if err != nil {
			res.VerifyError = err.Error()
			opts.Warn("verification failed: %v", err)
		}
	}
	return waitErr
}

// offTick waits until halfway between two of p's attempt starts: at most
// one interval. The baseline's success arrives just after an attempt
// started, and the lab cuts an endpoint within milliseconds of the call:
// triggered at once, the cut would fall just after a tick every time, the
// first failure would be seen almost a whole interval late, and the
// downtime would come out short by about half an interval. Halfway, the
// cut and the restore are each seen half an interval late on average, and
// the downtime's two errors cancel. On AWS, where the cut follows the call
// by seconds, it costs at most one interval.
func offTick(ctx context.Context, p *Probe) error {
	obs := p.Observations()
	if len(obs) == 0 {
		return nil
	}
	clk := p.clock()
	interval := orDefault(p.Interval, DefaultInterval)
	at := obs[len(obs)-1].At.Add(interval / 2)
	now := clk.Now()
	if !at.After(now) {
		at = at.Add((now.Sub(at)/interval + 1) * interval)
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-clk.After(at.Sub(now)):
		return nil
	}
}

// waitRecovered polls the API until it says available and the probe has
// seen the endpoint stable, recording status changes as marks.
func waitRecovered(ctx context.Context, api API, opts Options, res *Result, marks *[]Mark) error {
	deadline := time.NewTimer(opts.Timeout)
	defer deadline.Stop()
	// Poll quickly at first, when a lab or a fast reboot may already be
	// back, then back off to PollInterval: a Multi-AZ failover on AWS takes
	// a minute or two, and DescribeDBInstances is throttled per account.
	wait := min(opts.PollInterval, 200*time.Millisecond)
	last := ""
	sawBusy := false
	var settleBy time.Time
	for {
		if res.AvailableAt == nil {
			in, err := cloud.FindInstance(ctx, api, opts.Instance)
			switch {
			case err == nil:
				st := aws.ToString(in.DBInstanceStatus)
				now := opts.Now()
				if st != last {
					*marks = append(*marks, Mark{At: now, Text: "status " + st})
					opts.Progress("status: %s", st)
					last = st
				}
				// An "available" from before the reboot took hold does not
				// count: the status must have moved, the primary changed
				// zone, or the probe seen the outage.
				if st != "available" {
					sawBusy = true
				} else if sawBusy || aws.ToString(in.AvailabilityZone) != res.OldPrimaryAZ ||
					Summarize(opts.Probe.Observations(), res.TriggeredAt).FirstFailureAt != nil {
					res.AvailableAt = &now
					d := now.Sub(res.TriggeredAt).Seconds()
					res.APISeconds = &d
					res.NewPrimaryAZ = aws.ToString(in.AvailabilityZone)
					settleBy = now.Add(opts.Settle)
				}
			case ctx.Err() != nil:
				return ctx.Err()
			default:
				opts.Warn("describing %s: %v", opts.Instance, err)
			}
		}
		if res.AvailableAt != nil {
			if done, err := settled(opts, res, settleBy); done || err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("%w after %s", ErrTimedOut, opts.Timeout)
		case <-time.After(wait):
			wait = min(opts.PollInterval, wait*3/2)
		}
	}
}

// settled reports whether, after the API said available, the probe has
// seen the endpoint recover (or stay up); past settleBy it is
// ErrTimedOut.
func settled(opts Options, res *Result, settleBy time.Time) (bool, error) {
	obs := opts.Probe.Observations()
	s := Summarize(obs, res.TriggeredAt)
	if s.Recovered && s.RecoveredAt != nil {
		return true, nil
	}
	// No failure seen at all: an outage shorter than the probe
	// interval. Done once the probe has been stable since.
	if s.Failures == 0 && okSince(obs, *res.AvailableAt) > StableProbes {
		return true, nil
	}
	if opts.Now().After(settleBy) {
		return false, fmt.Errorf("%w: the API says available but the probe still fails after %s: %s",
			ErrTimedOut, opts.Settle, lastError(obs))
	}
	return false, nil
}

// okSince counts successful observations made after t.
func okSince(obs []Observation, t time.Time) int {
	n := 0
	for _, o := range obs {
		if o.OK && o.At.After(t) {
			n++
		}
	}
	return n
}

// lastError is the most recent failure the probe saw, for messages.
func lastError(obs []Observation) string {
	for i := len(obs) - 1; i >= 0; i-- {
		if !obs[i].OK {
			return obs[i].Class + ": " + obs[i].Err
		}
	}
	return "no attempt finished"
}
