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

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// waitTarget is a state `rdsctl wait` (and attach --reboot) waits for.
type waitTarget string

const (
	waitAvailable waitTarget = "available"
	waitInSync    waitTarget = "in-sync"
	// waitSettled and waitRebooted are attach's own. Settled: no
	// parameter group applying, whether in-sync or pending-reboot.
	// Rebooted: in-sync after a reboot rdsctl asked for, where
	// pending-reboot only means the reboot has not begun yet (RDS's
	// reads are eventually consistent), so it is waited out too.
	waitSettled  waitTarget = "settled"
	waitRebooted waitTarget = "rebooted"
)

// String is the target as the messages say it: "to be %s".
func (t waitTarget) String() string {
	switch t {
	case waitSettled:
		return "done applying its parameter group"
	case waitRebooted:
		return "rebooted and in-sync"
	}
	return string(t)
}

// defaultWaitTimeout bounds every wait that is not given --timeout: long
// enough for an RDS reboot or failover, short of a CI job's own limit.
const defaultWaitTimeout = 15 * time.Minute

// WaitOptions are the inputs of `rdsctl wait`.
type WaitOptions struct {
	CommonOptions
	Instance string
	// Cluster waits for an Aurora DB cluster and every member instead.
	Cluster string
	For     waitTarget
	Timeout time.Duration
}

// NewCmdWait builds `rdsctl wait`.
func NewCmdWait(f *Factory, runF func(context.Context, *WaitOptions) error) *cobra.Command {
	opts := &WaitOptions{}
	var target string
	cmd := &cobra.Command{
		Use:   "wait INSTANCE --for available|in-sync [--timeout D]",
		Short: "Wait until a DB instance (or a cluster's every member) is available, or in-sync with its parameter groups",
		Long: `Wait until a DB instance is available, or (--for in-sync) available with every
parameter group in-sync: the server runs the groups' values.

Each change of state is reported on stderr. A wait has a deadline (--timeout,
default 15m); running past it exits 1 and says what state the instance was
last seen in. --for in-sync fails at once when a group is pending-reboot,
which no amount of waiting changes: the instance must reboot first.

With --cluster C, wait for an Aurora DB cluster and every member: available,
or (--for in-sync) with the cluster parameter group and each member's own DB
parameter groups in-sync on every member.`,
		Example: `  rdsctl wait staging-db --for available
  rdsctl wait staging-db --for in-sync --timeout 5m
  rdsctl wait --cluster staging-aurora --for in-sync`,
		Args: cobra.MaximumNArgs(1),
	}
	cmd.Flags().StringVar(&opts.Cluster, "cluster", "", "wait for Aurora DB cluster `C` and every member")
	cmd.Flags().StringVar(&target, "for", "", "the state to wait for: available|in-sync (required)")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", defaultWaitTimeout, "give up after this long, e.g. 90s, 10m")
	_ = cmd.MarkFlagRequired("for")
	_ = cmd.RegisterFlagCompletionFunc("for", cobra.FixedCompletions(
		[]string{string(waitAvailable), string(waitInSync)}, cobra.ShellCompDirectiveNoFileComp))
	parse := func(args []string) (err error) {
		switch {
		case opts.Cluster != "" && len(args) > 0:
			return cli.Usagef("name either a DB instance or --cluster C, not both")
		case opts.Cluster != "":
			if opts.Cluster, err = clusterArg(opts.Cluster); err != nil {
				return err
			}
		case len(args) == 0:
			return cli.Usagef("missing INSTANCE (usage: rdsctl wait INSTANCE --for available|in-sync [--timeout D], or rdsctl wait --cluster C --for ...)")
		default:
			if opts.Instance, err = instanceArg(args[0]); err != nil {
				return err
			}
		}
		switch t := waitTarget(strings.ToLower(strings.TrimSpace(target))); t {
		case waitAvailable, waitInSync:
			opts.For = t
		default:
			return cli.Usagef("invalid --for %q: want available or in-sync", target)
		}
		return checkTimeout(opts.Timeout)
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, waitRun)
}

func checkTimeout(d time.Duration) error {
	if d <= 0 {
		return cli.Usagef("invalid --timeout %s: it must be positive", d)
	}
	return nil
}

// waitReport is what `rdsctl wait -o json|yaml` prints, reached or not.
type waitReport struct {
	Instance      string          `json:"instance"`
	Cluster       string          `json:"cluster,omitempty"`
	For           waitTarget      `json:"for"`
	Reached       bool            `json:"reached"`
	WaitedSeconds float64         `json:"waited_seconds"`
	LastSeen      *instanceStatus `json:"last_seen"`
	// LastSeenCluster is --cluster's last look at the cluster.
	LastSeenCluster *clusterStatus `json:"last_seen_cluster,omitempty"`
	Error           string         `json:"error,omitempty"`
}

func waitRun(ctx context.Context, opts *WaitOptions) error {
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	if opts.Cluster != "" {
		return waitClusterRun(ctx, opts, api)
	}
	w := newInstanceWait(opts.IO, api, opts.Instance, opts.Timeout)
	opts.IO.Progressf("waiting up to %s for DB instance %s to be %s", opts.Timeout, opts.Instance, opts.For)
	err = clusterHint(ctx, opts.IO, api, "rdsctl wait", opts.Instance, w.until(ctx, opts.For))
	rep := waitReport{Instance: opts.Instance, For: opts.For, Reached: err == nil,
		WaitedSeconds: time.Since(w.start).Round(time.Millisecond).Seconds()}
	if w.last != nil {
		s := newInstanceStatus(*w.last)
		rep.LastSeen = &s
	}
	if err != nil {
		rep.Error = err.Error()
	} else {
		opts.IO.Successf("DB instance %s is %s (after %s)", opts.Instance, opts.For, time.Since(w.start).Round(100*time.Millisecond))
	}
	if opts.Format != ui.FormatTable {
		if perr := opts.IO.Print(opts.Format, rep, nil); perr != nil {
			return errors.Join(err, perr)
		}
	}
	return err
}

// instanceWait waits for states of one DB instance within one deadline,
// polling with cloud's waiters. It reports each new state on stderr and
// remembers the last one, which is what a timeout message needs.
type instanceWait struct {
	ios      *ui.IOStreams
	api      cloud.RDS
	id       string
	timeout  time.Duration // the whole budget, as the user gave it
	start    time.Time
	deadline time.Time

	last *types.DBInstance
	seen string // last's state in words
}

func newInstanceWait(ios *ui.IOStreams, api cloud.RDS, id string, timeout time.Duration) *instanceWait {
	now := time.Now()
	return &instanceWait{ios: ios, api: api, id: id, timeout: timeout, start: now, deadline: now.Add(timeout)}
}

// until waits for target. The errors say what happened in words: a
// timeout with the state last seen, a pending-reboot group for in-sync,
// a missing instance; an interrupt keeps context.Canceled in its chain.
func (w *instanceWait) until(ctx context.Context, target waitTarget) error {
	left := time.Until(w.deadline)
	if left <= 0 {
		return w.timedOut(target)
	}
	observe := cloud.ObserveInstance(w.observe)
	defer w.ios.StartElapsed(fmt.Sprintf("waiting for DB instance %s to be %s", w.id, target))()
	var err error
	switch target {
	case waitAvailable:
		err = cloud.WaitInstanceAvailable(ctx, w.api, w.id, left, observe)
	case waitRebooted:
		err = cloud.WaitInstanceInSync(ctx, w.api, w.id, left, cloud.ThroughPendingReboot, observe)
	default:
		err = cloud.WaitInstanceInSync(ctx, w.api, w.id, left, observe)
		if target == waitSettled && errors.Is(err, cloud.ErrPendingReboot) {
			return nil
		}
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("waiting for DB instance %s to be %s (last seen %s): %w", w.id, target, w.lastSeen(), ctx.Err())
	case cloud.IsNotFound(err):
		return err
	case errors.Is(err, cloud.ErrPendingReboot):
		return fmt.Errorf("DB instance %s cannot be in-sync without a reboot: %s (rdsctl reboot %s)", w.id, w.lastSeen(), w.id)
	case errors.Is(err, cloud.ErrWaitTimedOut) || errors.Is(err, context.DeadlineExceeded):
		return w.timedOut(target)
	}
	return fmt.Errorf("%w (last seen %s)", err, w.lastSeen())
}

func (w *instanceWait) timedOut(target waitTarget) error {
	return fmt.Errorf("timed out after %s waiting for DB instance %s to be %s; last seen %s", w.timeout, w.id, target, w.lastSeen())
}

func (w *instanceWait) lastSeen() string {
	if w.seen == "" {
		return "(no answer yet)"
	}
	return w.seen
}

// observe sees every answer of a wait: it is remembered, and a change of
// state is reported on stderr.
func (w *instanceWait) observe(in types.DBInstance) {
	w.last = &in
	if seen := instanceState(in); seen != w.seen {
		w.seen = seen
		w.ios.Progressf("%s: %s", w.id, seen)
	}
}

// instanceState is an instance's status and its groups' apply status in
// words: "available, parameter group staging pending-reboot".
func instanceState(in types.DBInstance) string {
	parts := []string{orDash(aws.ToString(in.DBInstanceStatus))}
	for _, g := range in.DBParameterGroups {
		parts = append(parts, fmt.Sprintf("parameter group %s %s", aws.ToString(g.DBParameterGroupName), orDash(aws.ToString(g.ParameterApplyStatus))))
	}
	return strings.Join(parts, ", ")
}
