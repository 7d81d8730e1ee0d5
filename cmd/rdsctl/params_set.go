package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/params"
)

// ParamsSetOptions are the inputs of `params set`.
type ParamsSetOptions struct {
	CommonOptions
	Name        string
	Assignments []params.Assignment
	Apply       params.ApplyMode
	DryRun      bool
	Cluster     bool
}

// NewCmdParamsSet builds `rdsctl params set`.
func NewCmdParamsSet(f *Factory, runF func(context.Context, *ParamsSetOptions) error) *cobra.Command {
	opts := &ParamsSetOptions{}
	var apply string
	cmd := &cobra.Command{
		Use:   "set NAME P=V...",
		Short: "Set parameters, validated against the group before anything is sent",
		Long: `Set parameters of a group. Every P=V is checked against the group's own
metadata first (name, modifiable, data type, allowed values, apply type); any
problem refuses the whole request with exit code 2 and nothing sent.

--apply auto (the default) applies dynamic parameters immediately and static
ones at the next reboot. The plan is printed, then sent in calls of at most
20 parameters; values already set are skipped. Off a terminal, --yes is
needed (--dry-run needs nothing).`,
		Example: `  rdsctl params set staging wait_timeout=300 interactive_timeout=300
  rdsctl params set staging 'max_connections={DBInstanceClassMemory/12582880}' --dry-run
  rdsctl params set staging innodb_log_buffer_size=33554432 --apply pending-reboot --yes`,
		Args: cobra.MinimumNArgs(2),
	}
	cmd.Flags().StringVar(&apply, "apply", string(params.ApplyAuto), "when changes take effect: auto|immediate|pending-reboot")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the plan and send nothing")
	_ = cmd.RegisterFlagCompletionFunc("apply", applyModeCompletion)
	addClusterFlag(cmd, &opts.Cluster)
	parse := func(args []string) (err error) {
		if opts.Name, opts.Apply, err = changeTarget(args[0], apply); err != nil {
			return err
		}
		as, err := params.ParseAssignments(args[1:])
		if err != nil {
			return refused(f.IOStreams, err)
		}
		opts.Assignments = as
		return nil
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsSetRun)
}

// changeTarget reads what set and reset share: the group, which must not
// be a default one, and the --apply mode.
func changeTarget(group, apply string) (string, params.ApplyMode, error) {
	name, err := groupArg(group)
	if err != nil {
		return "", "", err
	}
	if err := refuseDefault(name, "modified"); err != nil {
		return "", "", err
	}
	mode, err := params.ParseApplyMode(apply)
	if err != nil {
		return "", "", cli.Usage(err)
	}
	return name, mode, nil
}

var applyModeCompletion = cobra.FixedCompletions(
	[]string{string(params.ApplyAuto), string(params.ApplyImmediate), string(params.ApplyPendingReboot)},
	cobra.ShellCompDirectiveNoFileComp)

func paramsSetRun(ctx context.Context, opts *ParamsSetOptions) error {
	return planAndSend(ctx, opts.CommonOptions, opts.Name, opts.Cluster, opts.DryRun, func(ps []types.Parameter) (*params.Plan, error) {
		return params.PlanModify(opts.Name, opts.Cluster, ps, opts.Assignments, opts.Apply)
	})
}

// planAndSend is set and reset: fetch the group's parameters from every
// source (validation needs the metadata of parameters nobody has set yet,
// and no-op detection their current values), plan, and send the plan.
func planAndSend(ctx context.Context, c CommonOptions, group string, cluster, dryRun bool, plan func([]types.Parameter) (*params.Plan, error)) error {
	api, err := c.groups(ctx, cluster)
	if err != nil {
		return err
	}
	ps, err := api.Parameters(ctx, group, "")
	if err != nil {
		return err
	}
	p, err := plan(ps)
	if err != nil {
		return refusedOr(c.IO, err)
	}
	return sendPlan(ctx, c, api, p, dryRun)
}

// refusedOr reports a validation failure as refused input and passes any
// other error through.
func refusedOr(ios *ui.IOStreams, err error) error {
	if errors.Is(err, params.ErrInvalid) {
		return refused(ios, err)
	}
	return err
}

// ParamsResetOptions are the inputs of `params reset`.
type ParamsResetOptions struct {
	CommonOptions
	Name    string
	Names   []string
	All     bool
	Apply   params.ApplyMode
	DryRun  bool
	Cluster bool
}

// NewCmdParamsReset builds `rdsctl params reset`, a destructive command:
// it asks on a terminal and needs --yes off one.
func NewCmdParamsReset(f *Factory, runF func(context.Context, *ParamsResetOptions) error) *cobra.Command {
	opts := &ParamsResetOptions{}
	var apply string
	cmd := &cobra.Command{
		Use:   "reset NAME [P...|--all]",
		Short: "Return parameters to their defaults (asks first; --yes off a terminal)",
		Long: `Return the named parameters, or with --all every user-set one, to the family's
default. Names are checked against the group first; parameters that are not
user-set are already at their default and are skipped.`,
		Example: `  rdsctl params reset staging wait_timeout interactive_timeout
  rdsctl params reset staging --all --dry-run`,
		Args: cobra.MinimumNArgs(1),
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "reset every user-set parameter")
	cmd.Flags().StringVar(&apply, "apply", string(params.ApplyAuto), "when resets take effect: auto|immediate|pending-reboot")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the plan and send nothing")
	_ = cmd.RegisterFlagCompletionFunc("apply", applyModeCompletion)
	addClusterFlag(cmd, &opts.Cluster)
	parse := func(args []string) (err error) {
		if opts.Name, opts.Apply, err = changeTarget(args[0], apply); err != nil {
			return err
		}
		opts.Names = nil
		for _, n := range args[1:] {
			n = strings.TrimSpace(n)
			if !params.ValidName(n) {
				return cli.Usagef("invalid parameter name %q (letters, digits, _, - and . only)", n)
			}
			opts.Names = append(opts.Names, n)
		}
		switch {
		case opts.All && len(opts.Names) > 0:
			return cli.Usagef("give parameter names or --all, not both")
		case !opts.All && len(opts.Names) == 0:
			return cli.Usagef("name the parameters to reset, or pass --all")
		}
		return nil
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsResetRun)
}

func paramsResetRun(ctx context.Context, opts *ParamsResetOptions) error {
	return planAndSend(ctx, opts.CommonOptions, opts.Name, opts.Cluster, opts.DryRun, func(ps []types.Parameter) (*params.Plan, error) {
		return params.PlanReset(opts.Name, opts.Cluster, ps, opts.Names, opts.All, opts.Apply)
	})
}

// changeReport is the machine-readable result of set and reset.
type changeReport struct {
	Group   string       `json:"group"`
	Cluster bool         `json:"cluster"`
	Plan    *params.Plan `json:"plan"`
	outcome
}

// sendPlan shows a validated plan and who it affects, asks, sends it
// chunk by chunk, and reports the outcome (see deliver).
func sendPlan(ctx context.Context, c CommonOptions, api cloud.Groups, plan *params.Plan, dryRun bool) error {
	ios := c.IO
	rep := &changeReport{Group: plan.Group, Cluster: plan.Cluster, Plan: plan, outcome: outcome{DryRun: dryRun}}
	users, known := lookupUsers(ctx, ios, api, map[string]bool{plan.Group: true})
	pending := pendingReboot(plan)
	rep.NeedsReboot, rep.converge = needsReboot(users, map[string]bool{plan.Group: pending})
	rep.UsedBy = users

	if c.Format == ui.FormatTable && !plan.Empty() {
		t := ios.NewTable(planHeaders...)
		for _, r := range planRows(plan) {
			t.AddRow(r...)
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	summarizePlan(ios, api, plan)
	reportUsers(ios, users, known, false)

	n := len(plan.Changes())
	steps := delivery{
		empty:   plan.Empty(),
		nothing: fmt.Sprintf("nothing to change in %s %s", api.Noun(), plan.Group),
		confirm: fmt.Sprintf("modify %s %s (%s in %s)", api.Noun(), plan.Group, plural(n, "change"), plural(len(plan.Chunks), "call")),
		done:    fmt.Sprintf("set %s in %s %s", plural(n, "parameter"), api.Noun(), plan.Group),
		pending: pending,
		send:    func() error { return params.Apply(ctx, cloud.GroupWriter{API: api.API}, plan, chunkProgress(ios)) },
	}
	if plan.Action == params.ActionReset {
		steps.confirm = fmt.Sprintf("reset %s of %s %s", plural(n, "parameter"), api.Noun(), plan.Group)
		steps.done = fmt.Sprintf("reset %s of %s %s", plural(n, "parameter"), api.Noun(), plan.Group)
	}
	return deliver(c, rep, &rep.outcome, steps)
}
