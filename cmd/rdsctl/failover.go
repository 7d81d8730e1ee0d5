package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

// FailoverOptions are the inputs of `rdsctl failover` and `rdsctl reboot`:
// the same measured run, with and without ForceFailover.
type FailoverOptions struct {
	CommonOptions

	// Command is "failover" or "reboot", for messages.
	Command  string
	Instance string
	// Failover asks for a forced Multi-AZ failover (always for the
	// failover command; reboot --failover).
	Failover bool
	Cluster  string
	Target   string

	// MaxDowntime, when set, makes a longer measured downtime a finding
	// (exit 3).
	MaxDowntime   time.Duration
	NoVerify      bool
	ProbeInterval time.Duration
	ProbeWrite    bool
	Timeout       time.Duration
	DryRun        bool
	// Verify are the login (also the probe's) and the expectations for
	// the verification afterwards.
	Verify verify.Options
}

// NewCmdFailover builds `rdsctl failover`; runF replaces failoverRun in
// tests.
func NewCmdFailover(f *Factory, runF func(context.Context, *FailoverOptions) error) *cobra.Command {
	return newFailoverCmd(f, "failover", runF)
}

// NewCmdReboot builds `rdsctl reboot`; runF replaces failoverRun in tests.
func NewCmdReboot(f *Factory, runF func(context.Context, *FailoverOptions) error) *cobra.Command {
	return newFailoverCmd(f, "reboot", runF)
}

func newFailoverCmd(f *Factory, command string, runF func(context.Context, *FailoverOptions) error) *cobra.Command {
	opts := &FailoverOptions{Command: command, Failover: command == "failover"}
	var vf verifyFlags
	var db dbConnFlags
	cmd := &cobra.Command{
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.CommonOptions = f.common()
			if len(args) == 1 {
				// Refused locally, as every other command does.
				id, err := instanceArg(args[0])
				if err != nil {
					return err
				}
				opts.Instance = id
			}
			if opts.Cluster != "" {
				var err error
				if opts.Cluster, err = clusterArg(opts.Cluster); err != nil {
					return err
				}
			}
			if opts.Target != "" {
				id, err := instanceArg(opts.Target)
				if err != nil {
					return cli.Usagef("invalid --target: %v", err)
				}
				opts.Target = id
			}
			if err := opts.validate(); err != nil {
				return err
			}
			vo, err := vf.options(db)
			if err != nil {
				return err
			}
			opts.Verify = vo
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return failoverRun(cmd.Context(), opts)
		},
	}
	if command == "failover" {
		cmd.Use = "failover INSTANCE | --cluster C [--target I]"
		cmd.Short = "Force a Multi-AZ or Aurora failover, measure the outage clients see, verify the new primary"
		cmd.Long = `Force a Multi-AZ failover (RebootDBInstance ForceFailover=true) and measure it.

While it runs, a probe connects afresh through the instance endpoint every
--probe-interval (tight timeouts, no retries, and a new attempt on every
tick even while an earlier one hangs) and asks the server who it is; every
failure is classified as refused, timeout, read_only, gone_away, auth or
other. The API is polled for the status, and
the RDS events of the window are read, so the report shows one timeline: the
call, the status changes, the events and what clients saw.

Afterwards the new primary is verified exactly as 'rdsctl verify' would (off
with --no-verify), so a failover that brings up a server with other values
than its parameter group says is caught.

Nothing is triggered unless the instance is available, Multi-AZ, and the
probe could log in first: an outage that cannot be measured is no test.

With --cluster C, an Aurora cluster fails over instead (FailoverDBCluster, to
--target I or to the reader RDS picks). The probe then writes a heartbeat
through the cluster endpoint, looking its name up afresh on every attempt, so
the report dates the DNS flip (or says the address did not change) and counts
writes refused by a read-only server (1290, 1836) as read_only. A second
probe writes through the old writer's own instance endpoint, as a client with
a stale DNS cache or pool would, and the report shows what it met. The new
writer is identified by server identity and @@read_only, and verified.

Exit codes: 0 done; 3 the measured downtime exceeded --max-downtime or the
new primary drifts; 2 refused before any change (not Multi-AZ, bad flags,
no --yes off a terminal); 1 anything else (not found, timeout, interrupted).`
		cmd.Example = `  rdsctl failover staging-db --yes
  rdsctl failover staging-db --max-downtime 60s -o json --yes > failover.json
  rdsctl failover --cluster staging-aurora --target staging-aurora-2 --yes`
		cmd.Flags().StringVar(&opts.Cluster, "cluster", "", "fail over Aurora cluster `C` instead of an instance")
		cmd.Flags().StringVar(&opts.Target, "target", "", "with --cluster: the reader instance `I` to promote")
	} else {
		cmd.Use = "reboot INSTANCE [--failover]"
		cmd.Short = "Reboot an instance (applying pending-reboot changes), measure the outage, verify"
		cmd.Long = `Reboot a DB instance and measure it, like 'rdsctl failover' but without
forcing a failover unless --failover is given. A reboot applies every
parameter change that is pending a reboot, so the server is verified
afterwards (off with --no-verify).

Exit codes as for 'rdsctl failover'.`
		cmd.Example = `  rdsctl reboot staging-db --yes
  rdsctl reboot staging-db --failover --yes`
		cmd.Flags().BoolVar(&opts.Failover, "failover", false, "force a Multi-AZ failover (RebootDBInstance ForceFailover=true)")
	}
	fl := cmd.Flags()
	fl.DurationVar(&opts.MaxDowntime, "max-downtime", 0, "exit 3 when clients were down longer than `D` (e.g. 60s)")
	fl.BoolVar(&opts.NoVerify, "no-verify", false, "do not verify the server afterwards")
	fl.DurationVar(&opts.ProbeInterval, "probe-interval", failover.DefaultInterval, "time between probe connections")
	fl.BoolVar(&opts.ProbeWrite, "probe-write", false, "also write a heartbeat row ("+failover.DefaultTable+"), so a read-only server counts as down")
	fl.DurationVar(&opts.Timeout, "timeout", failover.DefaultTimeout, "give up waiting for the instance to recover after `D`")
	addDryRunFlag(cmd, &opts.DryRun)
	vf.register(cmd)
	db.register(cmd)
	return cmd
}

func (o *FailoverOptions) validate() error {
	switch {
	case o.Cluster != "" && o.Instance != "":
		return cli.Usagef("name either a DB instance or --cluster C, not both")
	case o.Target != "" && o.Cluster == "":
		return cli.Usagef("--target goes with --cluster")
	case o.Instance == "" && o.Cluster == "":
		return cli.Usagef("name the DB instance to %s", o.Command)
	case o.MaxDowntime < 0:
		return cli.Usagef("invalid --max-downtime %s: must not be negative", o.MaxDowntime)
	case o.ProbeInterval < 10*time.Millisecond:
		return cli.Usagef("invalid --probe-interval %s: at least 10ms, to stay gentle on a struggling server", o.ProbeInterval)
	case o.Timeout <= 0:
		return cli.Usagef("invalid --timeout %s: must be positive", o.Timeout)
	}
	return nil
}

func failoverRun(ctx context.Context, opts *FailoverOptions) error {
	ios := opts.IO
	vo := runtimeVerifyOptions(opts.Verify, opts.CommonOptions)
	// Settings that cannot work fail here, before any call.
	if err := vo.Validate(); err != nil {
		return usageIfConfig(err)
	}
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	awsCfg, err := opts.AWSConfig(ctx)
	if err != nil {
		return err
	}
	if opts.Cluster != "" {
		return clusterFailoverRun(ctx, opts, api, awsCfg, vo)
	}
	// Checked here for the prompt and the probe's login; failover.Run
	// checks again just before it triggers, since a prompt can wait long
	// enough for the instance to change.
	in, warnings, err := failover.Preflight(ctx, api, opts.Instance, opts.Failover)
	recoverable := opts.Command == "reboot" && failover.Recoverable(in, err, opts.Failover)
	switch {
	case opts.DryRun && (err == nil || recoverable):
		return rebootDryRun(opts, in, warnings)
	case recoverable:
		return rebootIncompatible(ctx, opts, api, in)
	case errors.Is(err, failover.ErrNotMultiAZ):
		return cli.Usage(err)
	case err != nil:
		return clusterHint(ctx, ios, api, "rdsctl failover", opts.Instance, err)
	}
	what := "reboot " + opts.Instance
	if opts.Failover {
		what = "fail over " + opts.Instance + " (" + aws.ToString(in.AvailabilityZone) + " to its standby in " + aws.ToString(in.SecondaryAvailabilityZone) + ")"
	}
	if err := ios.Confirm(what); err != nil {
		return err
	}
	probe, err := loginProbe(ctx, vo, awsCfg, in, opts.ProbeInterval)
	if err != nil {
		return err
	}
	probe.Write = opts.ProbeWrite
	fo := failover.Options{Instance: opts.Instance, Failover: opts.Failover, Probe: probe, Timeout: opts.Timeout,
		MaxDowntime: opts.MaxDowntime, Progress: ios.Progressf, Warn: ios.Warnf}
	if !opts.NoVerify {
		fo.Verify = func(ctx context.Context) (*verify.Report, error) {
			return verify.Instance(ctx, api, awsCfg, opts.Instance, vo)
		}
	}
	stopElapsed := ios.StartElapsed("waiting for the " + opts.Command + " of " + opts.Instance)
	res, runErr := failover.Run(ctx, api, fo)
	stopElapsed()
	return failoverReport(opts, res, runErr)
}

// loginProbe is a failover probe of in's endpoint, logged in as vo says
// (a login that cannot work is a usage error), every interval.
func loginProbe(ctx context.Context, vo verify.Options, awsCfg aws.Config, in types.DBInstance, interval time.Duration) (*failover.Probe, error) {
	conn, err := vo.Login.Resolve(ctx, awsCfg, in, vo.Warnf)
	if err != nil {
		return nil, usageIfConfig(err)
	}
	probe, err := failover.NewProbe(conn.Config)
	if err != nil {
		return nil, cli.Usage(err)
	}
	probe.Interval = interval
	return probe, nil
}

// failoverReport prints a run's report (unless nothing was triggered) and
// turns its outcome into the command's error.
func failoverReport(opts *FailoverOptions, res *failover.Result, runErr error) error {
	ios := opts.IO
	if res.TriggeredAt.IsZero() {
		// Nothing was triggered: the run stopped in its checks.
		if errors.Is(runErr, failover.ErrNoBaseline) {
			return fmt.Errorf("not triggered: %w (check --db-user and the password source)", runErr)
		}
		return runErr
	}
	if err := ios.Print(opts.Format, res, func() error { return printFailoverReport(ios, opts, res) }); err != nil {
		return err
	}
	if runErr != nil {
		if res.Interrupted {
			return fmt.Errorf("interrupted after %s was triggered at %s; the instance may still be recovering: %w",
				opts.Command, res.TriggeredAt.UTC().Format(time.RFC3339Nano), runErr)
		}
		return runErr
	}
	return failoverOutcome(ios, res)
}

// failoverOutcome turns a breach of --max-downtime and drift on the
// server afterwards into one findings error (exit 3).
func failoverOutcome(ios *ui.IOStreams, rep *failover.Result) error {
	var problems []string
	n := 0
	if rep.MaxDowntimeExceeded {
		n++
		problems = append(problems, fmt.Sprintf("downtime %.3fs exceeded --max-downtime %gs", rep.DowntimeSeconds, *rep.MaxDowntimeSeconds))
	}
	if rep.Verify != nil {
		if err := verifyOutcome(ios, []*verify.Report{rep.Verify}); err != nil {
			var fe *cli.FindingsError
			if errors.As(err, &fe) {
				n += fe.Count
			}
			problems = append(problems, err.Error())
		}
	}
	if rep.VerifyError != "" {
		return errors.New("verification failed: " + rep.VerifyError)
	}
	if n == 0 {
		return nil
	}
	return cli.Findings(n, "%s", strings.Join(problems, "; "))
}
