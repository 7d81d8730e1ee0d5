package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/failover/converge"
)

// ParamsConvergeOptions are the inputs of `params converge`.
type ParamsConvergeOptions struct {
	CommonOptions

	Target   converge.Target
	Kind     string
	Strategy string
	DryRun   bool
	// Converge are the strategy, budget, probe and verification settings
	// the library plans and executes with.
	Converge converge.Options
}

// NewCmdParamsConverge builds `rdsctl params converge`; runF replaces
// paramsConvergeRun in tests.
func NewCmdParamsConverge(f *Factory, runF func(context.Context, *ParamsConvergeOptions) error) *cobra.Command {
	opts := &ParamsConvergeOptions{}
	var vf verifyFlags
	var db dbConnFlags
	cmd := &cobra.Command{
		Use:   "converge GROUP [--kind db|cluster] | --instance I | --cluster C [--strategy auto|reboot|failover|rolling] [--max-downtime D]",
		Short: "Finish pending-reboot: restart each member, measured and verified, one at a time",
		Long: `Finish what pending-reboot leaves undone. converge finds every DB instance using
GROUP (or the one --instance, or every member of Aurora cluster --cluster)
whose parameter group is pending-reboot, and plans how to bring each to
in-sync. When GROUP is a DB cluster parameter group, that is every cluster
using it with a member pending-reboot for it, each rolled as --cluster
rolls it, one cluster after the other.

DB parameter groups and DB cluster parameter groups are separate
namespaces: GROUP is a DB parameter group if one has that name, otherwise
a DB cluster parameter group; a name both have is refused. --kind db or
--kind cluster says which one is meant.

  Single-AZ   a reboot (writes wait for the restart)
  Multi-AZ    a reboot with failover: the restart happens on the standby,
              so writes wait for one failover
  Aurora      rolling: the pending readers are rebooted one at a time, the
              cluster fails over to an updated reader, and the old writer,
              a reader by then, is rebooted; writes wait for one failover

--strategy reboot reboots every member in place; --strategy failover fails
over every member and refuses a Single-AZ one before anything changes. A
cluster always rolls (--strategy auto or rolling). Expected downtimes are
AWS's documented typical figures, estimates only; what was measured is in
the result.

The plan lists each member's action, its expected write downtime and the
values the restart will change (what the server runs against what the group
says). It is printed, asked for on a terminal (--yes off one), then carried
out one member at a time: each restart is probed and timed as 'rdsctl
failover' does, the instance must reach in-sync, and the server is verified
as 'rdsctl verify' does. The first member that fails verification or is
down longer than --max-downtime stops the rollout and the rest are left
untouched; running the command again continues with what is left. A
converged group changes nothing.

A cluster's rollout is also watched as a whole by a probe writing through
the cluster endpoint: its write downtime, outage by outage, is in the
result (write_downtime). A reader's reboot is measured on the reader's own
endpoint, and --max-downtime bounds each step's measured downtime.

Exit codes: 0 converged; 3 stopped on a failed verification or a breached
--max-downtime; 2 bad input, nothing changed; 1 anything else (not found,
a restart that failed, interrupted).`,
		Example: `  rdsctl params converge staging --dry-run
  rdsctl params converge staging --max-downtime 60s --yes
  rdsctl params converge --instance staging-db --strategy reboot -o json --yes
  rdsctl params converge --cluster aurora-prod --max-downtime 30s --yes
  rdsctl params converge aurora-prod-cg --kind cluster --dry-run`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.CommonOptions = f.common()
			if len(args) == 1 {
				name, err := groupArg(args[0])
				if err != nil {
					return err
				}
				opts.Target.Group = name
			}
			if err := opts.validate(); err != nil {
				return err
			}
			vo, err := vf.options(db)
			if err != nil {
				return err
			}
			opts.Converge.Verify = vo
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return paramsConvergeRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Target.Instance, "instance", "", "converge only DB instance `I`")
	fl.StringVar(&opts.Target.Cluster, "cluster", "", "converge every member of Aurora cluster `C`, rolling")
	fl.StringVar(&opts.Kind, "kind", "", "GROUP is a DB parameter group (db) or a DB cluster parameter group (cluster); by default whichever has the name")
	fl.StringVar(&opts.Strategy, "strategy", "auto", "`S`: auto (failover for Multi-AZ, reboot for Single-AZ, rolling for a cluster), reboot, failover or rolling")
	fl.DurationVar(&opts.Converge.MaxDowntime, "max-downtime", 0, "stop the rollout when a member's clients were down longer than `D` (exit 3)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	fl.DurationVar(&opts.Converge.ProbeInterval, "probe-interval", failover.DefaultInterval, "time between probe connections")
	fl.BoolVar(&opts.Converge.ProbeWrite, "probe-write", false, "also write a heartbeat row ("+failover.DefaultTable+"), so a read-only server counts as down")
	fl.DurationVar(&opts.Converge.Timeout, "timeout", failover.DefaultTimeout, "give up on a member that has not recovered and reached in-sync after `D`")
	_ = cmd.RegisterFlagCompletionFunc("kind", cobra.FixedCompletions([]string{"db", "cluster"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("strategy", cobra.FixedCompletions([]string{"auto", "reboot", "failover", "rolling"}, cobra.ShellCompDirectiveNoFileComp))
	vf.register(cmd)
	db.register(cmd)
	return cmd
}

func (o *ParamsConvergeOptions) validate() error {
	o.Target.Instance = strings.TrimSpace(o.Target.Instance)
	o.Target.Cluster = strings.TrimSpace(o.Target.Cluster)
	st, err := converge.ParseStrategy(o.Strategy)
	kind, kindErr := converge.ParseGroupKind(o.Kind)
	o.Target.Kind = kind
	named := 0
	for _, t := range []string{o.Target.Group, o.Target.Instance, o.Target.Cluster} {
		if t != "" {
			named++
		}
	}
	switch {
	case err != nil:
		return cli.Usage(fmt.Errorf("--strategy: %w", err))
	case kindErr != nil:
		return cli.Usage(fmt.Errorf("--kind: %w", kindErr))
	case named == 0:
		return cli.Usagef("name a parameter group, an instance with --instance, or a cluster with --cluster")
	case named > 1:
		return cli.Usagef("name one of a parameter group, --instance or --cluster, not more")
	case kind != converge.KindAuto && o.Target.Group == "":
		return cli.Usagef("--kind says which kind of parameter group GROUP is: name a GROUP, not --instance or --cluster")
	case o.Converge.MaxDowntime < 0:
		return cli.Usagef("invalid --max-downtime %s: must not be negative", o.Converge.MaxDowntime)
	case o.Converge.ProbeInterval < 10*time.Millisecond:
		return cli.Usagef("invalid --probe-interval %s: at least 10ms, to stay gentle on a struggling server", o.Converge.ProbeInterval)
	case o.Converge.Timeout <= 0:
		return cli.Usagef("invalid --timeout %s: must be positive", o.Converge.Timeout)
	}
	o.Converge.Strategy = st
	return nil
}

func paramsConvergeRun(ctx context.Context, opts *ParamsConvergeOptions) error {
	ios := opts.IO
	co := opts.Converge
	co.Verify = runtimeVerifyOptions(co.Verify, opts.CommonOptions)
	co.Progress, co.Warn = ios.Progressf, ios.Warnf
	if err := co.Validate(); err != nil {
		return cli.Usage(err)
	}
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	awsCfg, err := opts.AWSConfig(ctx)
	if err != nil {
		return err
	}
	plan, err := converge.MakePlan(ctx, api, awsCfg, opts.Target, co)
	if err != nil {
		if converge.IsInvalid(err) {
			return cli.Usage(err)
		}
		return err
	}
	if opts.DryRun || len(plan.Steps) == 0 {
		rep := converge.NewReport(plan, nil, opts.DryRun)
		if err := ios.Print(opts.Format, rep, func() error { return printConvergePlan(ios, plan) }); err != nil {
			return err
		}
		if len(plan.Steps) == 0 {
			ios.Successf("%s: nothing pending a reboot", plan.Target)
		} else {
			ios.Infof("dry run: nothing was changed")
		}
		return nil
	}
	if opts.Format == ui.FormatTable {
		// The plan is what the user says yes to.
		if err := printConvergePlan(ios, plan); err != nil {
			return err
		}
	}
	if err := ios.Confirm(confirmText(plan)); err != nil {
		return err
	}
	res, runErr := converge.Execute(ctx, api, awsCfg, plan, co)
	rep := converge.NewReport(plan, res, false)
	if err := ios.Print(opts.Format, rep, func() error { return printConvergeResult(ios, rep) }); err != nil {
		return err
	}
	return convergeOutcome(ios, rep, runErr)
}

// convergeOutcome maps a stop to its exit code: a failed verification or
// a breached budget is a finding (3); a restart that failed, or Ctrl-C,
// is a failure (1), said with what was done.
func convergeOutcome(ios *ui.IOStreams, rep converge.Report, err error) error {
	for _, w := range rep.WriteDowntimes {
		what := "cluster write downtime"
		if rep.TargetSpec.Cluster == "" {
			what = "cluster " + w.Cluster + " write downtime"
		}
		ios.Infof("%s: %.3fs in %s (%d of %d writes through %s failed)",
			what, w.DowntimeSeconds, plural(len(w.Outages), "outage"), w.Failures, w.Probes, w.Endpoint)
	}
	if err == nil && stepNoun(rep.Plan) == "step" {
		in := ""
		if n := len(clustersOf(rep.Plan)); rep.TargetSpec.Cluster == "" && n > 0 {
			in = " in " + plural(n, "cluster")
		}
		ios.Successf("converged %s: %s done%s, every member in-sync and verified", rep.Target, plural(len(rep.Members), "step"), in)
		return nil
	}
	if err == nil {
		ios.Successf("converged %s: %s in-sync and verified", rep.Target, plural(len(rep.Members), "instance"))
		return nil
	}
	done := len(rep.Members) - 1
	left := "nothing left"
	switch {
	case len(rep.RemainingSteps) > 0 && stepNoun(rep.Plan) == "step":
		steps := make([]string, len(rep.RemainingSteps))
		for i, s := range rep.RemainingSteps {
			steps[i] = string(s.Action) + " " + s.Instance
			if s.OldWriter != "" {
				steps[i] = string(s.Action) + " from " + s.OldWriter + " to " + s.Instance
			}
		}
		left = "left undone: " + strings.Join(steps, ", ")
	case len(rep.Remaining) > 0:
		left = "left untouched: " + strings.Join(rep.Remaining, ", ")
	}
	var se *converge.StopError
	switch {
	case !errors.As(err, &se) && errors.Is(err, context.Canceled):
		return interruptedError(fmt.Sprintf("interrupted after %s converged; %s; run the command again to continue",
			plural(len(rep.Members), stepNoun(rep.Plan)), left))
	case se == nil:
		return fmt.Errorf("stopped after %s converged (%s): %w", plural(len(rep.Members), stepNoun(rep.Plan)), left, err)
	case se.Outcome == converge.OutcomeInterrupted:
		return interruptedError(fmt.Sprintf("interrupted during the %s of %s, which may still be recovering; %s converged before it; %s; run the command again to continue",
			rep.Members[done].Action, se.Instance, plural(done, stepNoun(rep.Plan)), left))
	}
	msg := fmt.Sprintf("%s; %s converged before it; %s; run the command again to continue", se.Error(), plural(done, stepNoun(rep.Plan)), left)
	if se.Finding() {
		return cli.Findings(1, "%s", msg)
	}
	return errors.New(msg)
}

// interruptedError is a Ctrl-C that says what was done; it is
// context.Canceled for the exit code and the presenter.
type interruptedError string

func (e interruptedError) Error() string { return string(e) }
func (e interruptedError) Unwrap() error { return context.Canceled }

// printConvergePlan is the plan as a table: one row per member, then the
// values each restart changes.
func printConvergePlan(ios *ui.IOStreams, plan *converge.Plan) error {
	if len(plan.Steps) == 0 {
		if len(plan.InSync) > 0 {
			ios.Infof("in-sync: %s", strings.Join(plan.InSync, ", "))
		}
		return nil
	}
	if err := ios.Heading("Plan (" + string(plan.Strategy) + ")"); err != nil {
		return err
	}
	var t *ui.Table
	switch {
	case plan.Target.Group != "" && plan.Target.Rolls():
		// A cluster parameter group's plan spans clusters.
		t = ios.NewTable("CLUSTER", "INSTANCE", "ROLE", "ACTION", "EXPECTED WRITE DOWNTIME", "CHANGES")
		for _, s := range plan.Steps {
			t.AddRow(s.Cluster, s.Instance, s.Role, actionText(s), s.ExpectedDowntime, changesText(s.Changes))
		}
	case plan.Target.Rolls():
		t = ios.NewTable("INSTANCE", "ROLE", "ACTION", "EXPECTED WRITE DOWNTIME", "CHANGES")
		for _, s := range plan.Steps {
			t.AddRow(s.Instance, s.Role, actionText(s), s.ExpectedDowntime, changesText(s.Changes))
		}
	default:
		t = ios.NewTable("INSTANCE", "ACTION", "MULTI-AZ", "EXPECTED WRITE DOWNTIME", "CHANGES")
		for _, s := range plan.Steps {
			t.AddRow(s.Instance, string(s.Action), multiAZText(s.MultiAZ), s.ExpectedDowntime, changesText(s.Changes))
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if len(plan.InSync) > 0 {
		ios.Infof("already in-sync: %s", strings.Join(plan.InSync, ", "))
	}
	return nil
}

func changesText(cs []converge.Change) string {
	if len(cs) == 0 {
		return "-"
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s %s -> %s", c.Name, orDash(c.From), c.To)
	}
	return strings.Join(parts, ", ")
}

func multiAZText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// printConvergeResult is one row per member that ran: what was done, the
// downtime clients saw, and whether the server now runs its group.
func printConvergeResult(ios *ui.IOStreams, rep converge.Report) error {
	if err := ios.Heading("Result"); err != nil {
		return err
	}
	cs := ios.ColorScheme()
	cluster := stepNoun(rep.Plan) == "step"
	// Several clusters (a cluster parameter group's) get a CLUSTER column.
	many := cluster && rep.TargetSpec.Cluster == ""
	headers := []string{"INSTANCE", "ACTION", "OUTCOME", "DOWNTIME", "BEFORE", "AFTER", "VERIFY"}
	if cluster {
		headers = append(headers, "WRITE DOWNTIME")
	}
	if many {
		headers = append([]string{"CLUSTER"}, headers...)
	}
	t := ios.NewTable(headers...)
	for _, m := range rep.Members {
		outcome := cs.Green(string(m.Outcome))
		if m.Outcome != converge.OutcomeConverged {
			outcome = cs.Red(string(m.Outcome))
		}
		verified := "-"
		if m.Verify != nil {
			verified = statusSummary(m.Verify.Parameters)
		}
		action := string(m.Action)
		if m.Failover != nil && m.Failover.OldWriter != "" {
			action += " from " + m.Failover.OldWriter
		}
		row := []string{m.Instance, action, outcome, fmt.Sprintf("%.3fs", m.DowntimeSeconds),
			valuesText(m.Before), valuesText(m.After), verified}
		if cluster {
			row = append(row, secondsText(m.WriteDowntimeSeconds))
		}
		if many {
			row = append([]string{m.Cluster}, row...)
		}
		t.AddRow(row...)
	}
	for _, s := range rep.RemainingSteps {
		row := []string{s.Instance, actionText(s), "untouched", "-", "-", "-", "-"}
		if cluster {
			row = append(row, "-")
		}
		if many {
			row = append([]string{s.Cluster}, row...)
		}
		t.AddRow(row...)
	}
	return t.Render()
}

func secondsText(s *float64) string {
	if s == nil {
		return "-"
	}
	return fmt.Sprintf("%.3fs", *s)
}

func valuesText(vs map[string]string) string {
	if len(vs) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(vs))
	for k := range vs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + vs[k]
	}
	return strings.Join(parts, ", ")
}

// actionText is a step's action, with where a cluster's failover moves
// the writer from.
func actionText(s converge.Step) string {
	if s.OldWriter != "" {
		return string(s.Action) + " from " + s.OldWriter
	}
	return string(s.Action)
}

// stepNoun counts instances for an instance plan, steps for a cluster's,
// where one instance may have two.
func stepNoun(plan []converge.Step) string {
	for _, s := range plan {
		if s.Cluster != "" {
			return "step"
		}
	}
	return "instance"
}

// clustersOf are the clusters the steps roll, in order.
func clustersOf(plan []converge.Step) []string {
	var out []string
	for _, s := range plan {
		if s.Cluster != "" && (len(out) == 0 || out[len(out)-1] != s.Cluster) {
			out = append(out, s.Cluster)
		}
	}
	return out
}

// confirmText is what the user says yes to.
func confirmText(plan *converge.Plan) string {
	if !plan.Target.Rolls() {
		return fmt.Sprintf("restart %s to converge %s", plural(len(plan.Steps), "instance"), plan.Target)
	}
	reboots, failovers := 0, 0
	for _, s := range plan.Steps {
		if s.Action == converge.ActionFailover {
			failovers++
		} else {
			reboots++
		}
	}
	what := plural(reboots, "reboot")
	if failovers > 0 {
		what += " and " + plural(failovers, "failover")
	}
	if plan.Target.Cluster == "" {
		cs := clustersOf(plan.Steps)
		what += " in " + plural(len(cs), "cluster") + " (" + strings.Join(cs, ", ") + ")"
	}
	return fmt.Sprintf("run %s to converge %s", what, plan.Target)
}
