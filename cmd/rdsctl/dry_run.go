package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
)

// dryRunPlan is what a --dry-run of a changing command (params delete,
// params attach, reboot, failover) found it would do. The checks that
// precede the change (the thing exists, is available, is of the right
// family) have run; the change itself, and any prompt, have not.
type dryRunPlan struct {
	DryRun bool `json:"dry_run"`
	// Calls are the mutating API calls the command would send, in order,
	// e.g. "RebootDBInstance DBInstanceIdentifier=db ForceFailover=true".
	Calls []string `json:"calls"`
	// Would says the same in words.
	Would string `json:"would"`
	// Notes are what the run would also do or meet (pending-reboot
	// changes a restart applies, instances that use a group).
	Notes []string `json:"notes"`
}

// addDryRunFlag registers --dry-run on a changing command.
func addDryRunFlag(cmd *cobra.Command, dryRun *bool) {
	cmd.Flags().BoolVar(dryRun, "dry-run", false, "check and print what would be done, and change nothing (no prompt, no --yes needed)")
}

// printDryRun writes the plan on stdout (-o json|yaml: the plan itself)
// and says on stderr that nothing was sent.
func printDryRun(c CommonOptions, p dryRunPlan) error {
	p.DryRun = true
	if p.Notes == nil {
		p.Notes = []string{}
	}
	err := c.IO.Print(c.Format, p, func() error {
		var b strings.Builder
		fmt.Fprintf(&b, "would %s\n", p.Would)
		for _, call := range p.Calls {
			fmt.Fprintf(&b, "  call: %s\n", call)
		}
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "  note: %s\n", n)
		}
		_, err := fmt.Fprint(c.IO.Out, b.String())
		return err
	})
	if err != nil {
		return err
	}
	c.IO.Infof("dry run: nothing was sent")
	return nil
}

// rebootDryRun is the plan of `rdsctl reboot|failover --dry-run` for an
// instance the pre-flight accepted.
func rebootDryRun(opts *FailoverOptions, in types.DBInstance, warnings []string) error {
	call := "RebootDBInstance DBInstanceIdentifier=" + opts.Instance
	would := "reboot " + opts.Instance + " (no failover)"
	if opts.Failover {
		call += " ForceFailover=true"
		would = "fail over " + opts.Instance + " from " + aws.ToString(in.AvailabilityZone) + " to its standby in " + aws.ToString(in.SecondaryAvailabilityZone)
	}
	would += ", measure the outage with a probe every " + opts.ProbeInterval.String()
	if !opts.NoVerify {
		would += ", then verify the server"
	}
	return printDryRun(opts.CommonOptions, dryRunPlan{Calls: []string{call}, Would: would, Notes: warnings})
}

// attachDryRun is the plan of `params attach --dry-run` once checkAttach
// has accepted it.
func attachDryRun(opts *ParamsAttachOptions, rep *attachReport) error {
	p := dryRunPlan{}
	if rep.Status != statusUnchanged {
		p.Calls = append(p.Calls, "ModifyDBInstance DBInstanceIdentifier="+rep.Instance+" DBParameterGroupName="+rep.Group)
		p.Would = fmt.Sprintf("attach parameter group %s (%s) to DB instance %s, in place of %s", rep.Group, rep.Family, rep.Instance, orDash(rep.PreviousGroup))
	} else {
		p.Would = fmt.Sprintf("leave DB instance %s as it is: parameter group %s is attached already (%s)", rep.Instance, rep.Group, orDash(rep.ParameterApplyStatus))
	}
	switch {
	case opts.Reboot && (rep.Status != statusUnchanged || rep.NeedsReboot):
		p.Calls = append(p.Calls, "RebootDBInstance DBInstanceIdentifier="+rep.Instance)
		p.Would += ", then reboot it (no failover) and wait until it is in-sync"
	case rep.Status != statusUnchanged:
		p.Notes = append(p.Notes, "the group takes effect at the next reboot (--reboot does it)")
	}
	return printDryRun(opts.CommonOptions, p)
}

// clusterAttachDryRun is the plan of `params attach --cluster --dry-run`
// once the cluster and group checks have passed.
func clusterAttachDryRun(opts *ParamsAttachOptions, c cloud.Cluster, rep *attachReport) error {
	p := dryRunPlan{}
	if rep.Status != statusUnchanged {
		p.Calls = append(p.Calls, "ModifyDBCluster DBClusterIdentifier="+c.ID+" DBClusterParameterGroupName="+rep.Group)
		p.Would = fmt.Sprintf("attach cluster parameter group %s (%s) to DB cluster %s, in place of %s", rep.Group, rep.Family, c.ID, orDash(rep.PreviousGroup))
	} else {
		p.Would = fmt.Sprintf("leave DB cluster %s as it is: cluster parameter group %s is attached already", c.ID, rep.Group)
	}
	if opts.Reboot {
		for _, id := range rebootOrder(c) {
			p.Calls = append(p.Calls, "RebootDBInstance DBInstanceIdentifier="+id)
		}
		p.Would += ", then reboot its members one at a time (readers first, the writer last) and wait until the group is in-sync on every member"
	} else if rep.Status != statusUnchanged {
		p.Notes = append(p.Notes, "the group takes effect on each member at its next reboot (--reboot does it)")
	}
	return printDryRun(opts.CommonOptions, p)
}

// deleteDryRun is the plan of `params delete --dry-run` for a group that
// exists. A group in use cannot be deleted, so a dry run that finds users
// fails as the delete would.
func deleteDryRun(ctx context.Context, opts *ParamsDeleteOptions, api cloud.Groups) error {
	users, err := api.Users(ctx, map[string]bool{strings.ToLower(opts.Name): true})
	if err != nil {
		return err
	}
	if len(users) > 0 {
		names := make([]string, len(users))
		for i, u := range users {
			names[i] = u.Instance
		}
		return fmt.Errorf("dry run: %s %s is in use by %s, so the delete would be refused (detach it from every instance or cluster first)",
			api.Noun(), opts.Name, strings.Join(names, ", "))
	}
	verb := "DeleteDBParameterGroup DBParameterGroupName="
	if opts.Cluster {
		verb = "DeleteDBClusterParameterGroup DBClusterParameterGroupName="
	}
	return printDryRun(opts.CommonOptions, dryRunPlan{Calls: []string{verb + opts.Name},
		Would: "delete " + api.Noun() + " " + opts.Name + " (used by no instance)"})
}
