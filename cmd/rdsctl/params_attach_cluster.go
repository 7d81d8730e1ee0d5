package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
)

// paramsAttachClusterRun is `params attach NAME --cluster C`: checks
// before anything is sent (the group and cluster exist, the cluster is
// available, the families match), ModifyDBCluster, then with --reboot a
// reboot of each member, readers first, and a wait for in-sync on all.
func paramsAttachClusterRun(ctx context.Context, opts *ParamsAttachOptions, api cloud.RDS) error {
	ios := opts.IO
	groups := cloud.Groups{API: api, Cluster: true}
	g, err := groups.Find(ctx, opts.Name)
	if err != nil {
		return err
	}
	c, err := cloud.DescribeCluster(ctx, api, opts.Cluster)
	if err != nil {
		return err
	}
	rep := &attachReport{Cluster: c.ID, Group: g.Name, Family: g.Family, PreviousGroup: c.ClusterGroup, Status: statusApplied}
	switch {
	case strings.EqualFold(c.ClusterGroup, g.Name):
		rep.Status = statusUnchanged
	case c.Status != "available":
		return refused(ios, cli.Usagef("DB cluster %s is %s, not available: wait for it first (rdsctl wait --cluster %s --for available)", c.ID, c.Status, c.ID))
	case c.ClusterGroup != "":
		cur, err := groups.Find(ctx, strings.ToLower(c.ClusterGroup))
		if err != nil {
			return err
		}
		if !strings.EqualFold(cur.Family, g.Family) {
			return refused(ios, cli.Usagef("cluster parameter group %s is of family %s, but DB cluster %s runs family %s (cluster parameter group %s): attach a group of family %s",
				g.Name, g.Family, c.ID, cur.Family, cur.Name, cur.Family))
		}
	}
	if opts.DryRun {
		return clusterAttachDryRun(opts, c, rep)
	}
	if rep.Status == statusUnchanged && !opts.Reboot {
		ios.Successf("cluster parameter group %s is already attached to DB cluster %s: nothing to do", g.Name, c.ID)
	} else if rep.Status == statusApplied {
		ios.Progressf("attach cluster parameter group %s (%s) to DB cluster %s, in place of %s", g.Name, g.Family, c.ID, orDash(c.ClusterGroup))
		action := fmt.Sprintf("attach cluster parameter group %s to DB cluster %s", g.Name, c.ID)
		if opts.Reboot {
			action += " and reboot its members one at a time"
		}
		if err := ios.Confirm(action); err != nil {
			return err
		}
		if err := cloud.AttachClusterParameterGroup(ctx, api, c.ID, g.Name); err != nil {
			return err
		}
		ios.Successf("attached cluster parameter group %s to DB cluster %s, pending each member's reboot", g.Name, c.ID)
	}
	if opts.Reboot {
		if err := rebootMembers(ctx, opts, api, c); err != nil {
			return err
		}
		rep.Rebooted = true
	}
	last, err := cloud.DescribeCluster(ctx, api, c.ID)
	if err != nil {
		return err
	}
	rep.ParameterApplyStatus = applyPendingReboot
	if pending := pendingMembers(last); len(pending) > 0 {
		rep.NeedsReboot = true
		ios.Warnf("reboot needed for the group to take effect on %s (rdsctl reboot MEMBER, or attach with --reboot)", strings.Join(pending, ", "))
	} else {
		rep.ParameterApplyStatus = "in-sync"
		ios.Successf("cluster parameter group %s is in-sync on every member of %s", g.Name, c.ID)
	}
	return printAttach(opts.CommonOptions, rep)
}

// rebootMembers reboots c's members one at a time, readers first and the
// writer last, each waited for within the command's deadline, then waits
// until every group is in-sync on every member.
func rebootMembers(ctx context.Context, opts *ParamsAttachOptions, api cloud.RDS, c cloud.Cluster) error {
	ios := opts.IO
	for _, id := range rebootOrder(c) {
		ios.Progressf("rebooting DB instance %s (no failover)", id)
		if _, err := cloud.RebootInstance(ctx, api, id, false); err != nil {
			return err
		}
		w := newInstanceWait(ios, api, id, opts.Timeout)
		if err := w.until(ctx, waitAvailable); err != nil {
			return err
		}
	}
	return cloud.WaitClusterInSync(ctx, api, c.ID, opts.Timeout, nil)
}

// rebootOrder is the order in which rebootMembers restarts c's members:
// readers first, the writer (first in c.Members) last.
func rebootOrder(c cloud.Cluster) []string {
	order := make([]string, 0, len(c.Members))
	for i := len(c.Members) - 1; i >= 0; i-- {
		order = append(order, c.Members[i].Instance)
	}
	return order
}
