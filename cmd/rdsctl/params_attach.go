package main

import (
	"context"
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

// ParamsAttachOptions are the inputs of `params attach`.
type ParamsAttachOptions struct {
	CommonOptions
	Name     string
	Instance string
	// Cluster attaches a DB cluster parameter group to an Aurora cluster
	// instead (ModifyDBCluster).
	Cluster string
	Reboot  bool
	Timeout time.Duration
	DryRun  bool
}

// NewCmdParamsAttach builds `rdsctl params attach`. Attaching changes
// what a running database will run, so it asks on a terminal and needs
// --yes off one, like the destructive commands.
func NewCmdParamsAttach(f *Factory, runF func(context.Context, *ParamsAttachOptions) error) *cobra.Command {
	opts := &ParamsAttachOptions{}
	cmd := &cobra.Command{
		Use:   "attach NAME --instance I | --cluster C [--reboot]",
		Short: "Attach a parameter group to a DB instance (asks first; --yes off a terminal)",
		Long: `Attach a DB parameter group to a DB instance, in place of its current one.

Before anything is sent, the group and the instance must exist, the instance
must be available, and the group must be of the same family as the
instance's current group; otherwise the command exits 2 and changes nothing.
Attaching the group the instance already has does nothing.

RDS applies a newly attached group at the next reboot, dynamic values too:
the group is "applying", then "pending-reboot". With --reboot, rdsctl then
reboots the instance (no failover) and waits, within --timeout, until it is
available and in-sync.

With --cluster C, NAME is a DB cluster parameter group and becomes the
cluster's (ModifyDBCluster): every member is then pending-reboot for it.
With --reboot, the members are rebooted one at a time, readers first and the
writer last, and rdsctl waits until the group is in-sync on every member.`,
		Example: `  rdsctl params attach staging --instance staging-db
  rdsctl params attach staging --instance staging-db --reboot --yes -o json
  rdsctl params attach aurora-cg --cluster staging-aurora --reboot --yes`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&opts.Instance, "instance", "", "the DB instance to attach the group to")
	cmd.Flags().StringVar(&opts.Cluster, "cluster", "", "the Aurora DB cluster to attach the cluster parameter group to")
	cmd.Flags().BoolVar(&opts.Reboot, "reboot", false, "reboot the instance (no failover) and wait until it is in-sync")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", defaultWaitTimeout, "give up waiting after this long, e.g. 90s, 10m")
	addDryRunFlag(cmd, &opts.DryRun)
	parse := func(args []string) (err error) {
		if opts.Name, err = groupArg(args[0]); err != nil {
			return err
		}
		switch {
		case (opts.Instance == "") == (opts.Cluster == ""):
			return cli.Usagef("name the DB instance (--instance I) or the cluster (--cluster C) to attach %s to", opts.Name)
		case opts.Cluster != "":
			opts.Cluster, err = clusterArg(opts.Cluster)
		default:
			opts.Instance, err = instanceArg(opts.Instance)
		}
		if err != nil {
			return err
		}
		return checkTimeout(opts.Timeout)
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsAttachRun)
}

// attachReport is the machine-readable result of `params attach`. Status
// is "applied" or, when the group was attached already, "unchanged".
type attachReport struct {
	Instance             string `json:"instance,omitempty"`
	Cluster              string `json:"cluster,omitempty"`
	Group                string `json:"group"`
	PreviousGroup        string `json:"previous_group"`
	Family               string `json:"family"`
	Status               string `json:"status"`
	ParameterApplyStatus string `json:"parameter_apply_status"`
	Rebooted             bool   `json:"rebooted"`
	NeedsReboot          bool   `json:"needs_reboot"`
}

func paramsAttachRun(ctx context.Context, opts *ParamsAttachOptions) error {
	ios := opts.IO
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	if opts.Cluster != "" {
		return paramsAttachClusterRun(ctx, opts, api)
	}
	rep, err := checkAttach(ctx, api, opts)
	if err != nil {
		if cli.IsUsage(err) {
			return refused(ios, err)
		}
		return err
	}
	if opts.DryRun {
		return attachDryRun(opts, rep)
	}
	w := newInstanceWait(ios, api, rep.Instance, opts.Timeout)
	switch {
	case rep.Status == statusUnchanged && opts.Reboot && rep.NeedsReboot:
		// Attached earlier without --reboot: --reboot now finishes the job.
		ios.Progressf("parameter group %s is already attached to DB instance %s and waits for a reboot", rep.Group, rep.Instance)
		if err := ios.Confirm(fmt.Sprintf("reboot DB instance %s to apply parameter group %s", rep.Instance, rep.Group)); err != nil {
			return err
		}
	case rep.Status == statusUnchanged:
		ios.Successf("parameter group %s is already attached to DB instance %s (%s): nothing to do", rep.Group, rep.Instance, orDash(rep.ParameterApplyStatus))
		if rep.NeedsReboot {
			ios.Warnf("reboot needed for its changes to take effect: %s (rdsctl reboot %s, or attach with --reboot)", rep.Instance, rep.Instance)
		}
		return printAttach(opts.CommonOptions, rep)
	default:
		ios.Progressf("attach parameter group %s (%s) to DB instance %s, in place of %s", rep.Group, rep.Family, rep.Instance, orDash(rep.PreviousGroup))
		action := fmt.Sprintf("attach parameter group %s to DB instance %s", rep.Group, rep.Instance)
		if opts.Reboot {
			action += " and reboot it"
		}
		if err := ios.Confirm(action); err != nil {
			return err
		}
		if err := cloud.AttachParameterGroup(ctx, api, rep.Instance, rep.Group); err != nil {
			return err
		}
		rep.Status = statusApplied
		ios.Successf("attached parameter group %s to DB instance %s, pending a reboot", rep.Group, rep.Instance)
		if err := w.until(ctx, waitSettled); err != nil {
			return err
		}
	}
	if opts.Reboot {
		ios.Progressf("rebooting DB instance %s (no failover)", rep.Instance)
		if _, err := cloud.RebootInstance(ctx, api, rep.Instance, false); err != nil {
			return err
		}
		rep.Rebooted = true
		if err := w.until(ctx, waitRebooted); err != nil {
			return err
		}
	}
	if w.last != nil {
		rep.ParameterApplyStatus, _ = groupApplyStatus(*w.last, rep.Group)
		rep.NeedsReboot = rep.ParameterApplyStatus == applyPendingReboot
	}
	if rep.NeedsReboot {
		ios.Warnf("reboot needed for the group to take effect: %s (rdsctl reboot %s, or attach with --reboot)", rep.Instance, rep.Instance)
	} else {
		ios.Successf("DB instance %s is available and in-sync with parameter group %s", rep.Instance, rep.Group)
	}
	return printAttach(opts.CommonOptions, rep)
}

// checkAttach finds the group and the instance and checks, before
// anything is sent, that the attach can work. Its usage errors are
// refusals: nothing was changed; a missing group or instance is a
// *cloud.NotFoundError, which exits 1 like everywhere else. A report with
// status unchanged means the group is attached already.
func checkAttach(ctx context.Context, api cloud.RDS, opts *ParamsAttachOptions) (*attachReport, error) {
	groups := cloud.Groups{API: api}
	g, err := groups.Find(ctx, opts.Name)
	if err != nil {
		return nil, err
	}
	in, err := cloud.FindInstance(ctx, api, opts.Instance)
	if err != nil {
		return nil, err
	}
	rep := &attachReport{Instance: aws.ToString(in.DBInstanceIdentifier), Group: g.Name, Family: g.Family}
	var current []string
	for _, pg := range in.DBParameterGroups {
		current = append(current, aws.ToString(pg.DBParameterGroupName))
	}
	rep.PreviousGroup = strings.Join(current, ",")
	if st, attached := groupApplyStatus(in, g.Name); attached {
		rep.Status, rep.ParameterApplyStatus, rep.NeedsReboot = statusUnchanged, st, st == applyPendingReboot
		return rep, nil
	}
	if st := aws.ToString(in.DBInstanceStatus); st != "available" {
		return nil, cli.Usagef("DB instance %s is %s, not available: wait for it first (rdsctl wait %s --for available)", rep.Instance, st, rep.Instance)
	}
	for _, name := range current {
		cur, err := groups.Find(ctx, strings.ToLower(name))
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(cur.Family, g.Family) {
			return nil, cli.Usagef("parameter group %s is of family %s, but DB instance %s runs family %s (parameter group %s): attach a group of family %s",
				g.Name, g.Family, rep.Instance, cur.Family, cur.Name, cur.Family)
		}
	}
	return rep, nil
}

// groupApplyStatus is the ParameterApplyStatus of group on in, and
// whether the group is attached to it at all.
func groupApplyStatus(in types.DBInstance, group string) (string, bool) {
	for _, pg := range in.DBParameterGroups {
		if strings.EqualFold(aws.ToString(pg.DBParameterGroupName), group) {
			return aws.ToString(pg.ParameterApplyStatus), true
		}
	}
	return "", false
}

// printAttach writes the outcome: a key/value block, or the report for
// -o json|yaml.
func printAttach(c CommonOptions, rep *attachReport) error {
	return c.IO.Print(c.Format, rep, func() error {
		cs := c.IO.ColorScheme()
		what := ui.F("instance", rep.Instance)
		if rep.Cluster != "" {
			what = ui.F("cluster", rep.Cluster)
		}
		return c.IO.PrintFields(
			what,
			ui.F("parameter group", rep.Group+" ("+colorApplyStatus(cs, rep.ParameterApplyStatus)+")"),
			ui.F("previous group", orDash(rep.PreviousGroup)),
			ui.F("family", rep.Family),
			ui.F("rebooted", yesNo(rep.Rebooted)),
		)
	})
}
