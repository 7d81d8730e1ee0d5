package converge

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/verify"
)

// planCluster plans the rolling convergence of an Aurora cluster, so that
// writes wait for at most one failover:
//
//  1. every pending reader is rebooted, one at a time;
//  2. if the writer is pending, the cluster fails over to an updated
//     reader (the lowest promotion tier, then the first by name: after
//     step 1 every reader is updated);
//  3. the old writer, a reader by then, is rebooted.
//
// A cluster without a reader can only reboot its writer in place: writes
// then wait for one restart. Members already in-sync are left alone, so a
// rollout that stopped plans only what is left, whoever is writer now.
func planCluster(ctx context.Context, api cloud.RDS, awsCfg aws.Config, target Target, opts Options) (*Plan, error) {
	c, err := settledCluster(ctx, api, target.Cluster, opts)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Target: target, Strategy: StrategyRolling, Steps: []Step{}, InSync: []string{}}
	if err := plan.addCluster(c); err != nil {
		return nil, err
	}
	return plan.finish(ctx, api, awsCfg, opts)
}

// finish sorts the plan's in-sync members and reads the values each
// step's restart will change.
func (plan *Plan) finish(ctx context.Context, api cloud.RDS, awsCfg aws.Config, opts Options) (*Plan, error) {
	sort.Strings(plan.InSync)
	if err := readChanges(ctx, api, awsCfg, plan, opts); err != nil {
		return nil, err
	}
	return plan, nil
}

// planClusterGroup plans a DB cluster parameter group: every cluster using
// it with a member whose cluster group is pending-reboot is planned as
// planCluster plans it, one cluster after the other (by name), so the
// rollout restarts one instance at a time and each cluster's writes wait
// for one failover. The members of the clusters using it with nothing
// pending for it are in-sync.
func planClusterGroup(ctx context.Context, api cloud.RDS, awsCfg aws.Config, target Target, opts Options) (*Plan, error) {
	name := strings.ToLower(target.Group)
	users, err := cloud.Groups{API: api, Cluster: true}.Users(ctx, map[string]bool{name: true})
	if err != nil {
		return nil, err
	}
	ids := usersBy(users, func(u cloud.GroupUser) string { return u.Cluster })
	plan := &Plan{Target: target, Strategy: StrategyRolling, Steps: []Step{}, InSync: []string{}}
	for _, id := range ids {
		c, err := settledCluster(ctx, api, id, opts)
		if err != nil {
			return nil, err
		}
		pending := false
		for _, m := range c.Members {
			pending = pending || m.ClusterGroupStatus == "pending-reboot"
		}
		if !pending || !strings.EqualFold(c.ClusterGroup, name) {
			// Nothing waits for this group here (or the cluster has
			// moved to another group since it was listed).
			for _, m := range c.Members {
				plan.InSync = append(plan.InSync, m.Instance)
			}
			continue
		}
		if err := plan.addCluster(c); err != nil {
			return nil, err
		}
	}
	return plan.finish(ctx, api, awsCfg, opts)
}

// addCluster appends cluster c's rolling steps to the plan, and its members
// with nothing pending to InSync.
func (plan *Plan) addCluster(c cloud.Cluster) error {
	if c.Status != "available" {
		return fmt.Errorf("cluster %s is %s: wait until it is available", c.ID, c.Status)
	}
	w := c.Writer()
	if w == nil {
		return fmt.Errorf("cluster %s has no writer to converge around", c.ID)
	}
	step := func(m cloud.ClusterMember, a Action, role string, e expectation) Step {
		g := verify.GroupsOf(m.Raw)
		s := Step{Instance: m.Instance, Action: a, Cluster: c.ID, Role: role, ParameterGroups: g.Names,
			ClusterParameterGroup: c.ClusterGroup, ApplyStatus: memberStatus(m), Changes: []Change{}}
		s.expect(e)
		return s
	}
	var readers []cloud.ClusterMember
	for _, m := range c.Members {
		if m.Writer {
			continue
		}
		readers = append(readers, m)
		if memberStatus(m) == "pending-reboot" {
			plan.Steps = append(plan.Steps, step(m, ActionReboot, "reader", expectReader))
		} else {
			plan.InSync = append(plan.InSync, m.Instance)
		}
	}
	switch {
	case memberStatus(*w) != "pending-reboot":
		plan.InSync = append(plan.InSync, w.Instance)
	case len(readers) == 0:
		plan.Steps = append(plan.Steps, step(*w, ActionReboot, "writer", expectReboot))
	default:
		sort.SliceStable(readers, func(i, j int) bool { return readers[i].PromotionTier < readers[j].PromotionTier })
		to := step(readers[0], ActionFailover, "writer", expectAuroraFailover)
		to.OldWriter = w.Instance
		plan.Steps = append(plan.Steps, to, step(*w, ActionReboot, "reader", expectReader))
	}
	return nil
}

// memberStatus is a member's combined apply status: pending-reboot when
// its cluster parameter group or a DB parameter group of it is, applying
// when one is applying, otherwise in-sync.
func memberStatus(m cloud.ClusterMember) string {
	g := verify.GroupsOf(m.Raw).Status
	for _, st := range []string{"pending-reboot", "applying"} {
		if m.ClusterGroupStatus == st || g == st {
			return st
		}
	}
	return "in-sync"
}

// settledCluster returns the cluster once no parameter group is applying
// on any member, as settled does for an instance.
func settledCluster(ctx context.Context, api cloud.RDS, id string, opts Options) (cloud.Cluster, error) {
	var c cloud.Cluster
	err := untilSettled(ctx, opts.SettleTimeout, func() (string, error) {
		var err error
		if c, err = cloud.DescribeCluster(ctx, api, id); err != nil {
			return "", err
		}
		for _, m := range c.Members {
			if memberStatus(m) == "applying" {
				return m.Instance, nil
			}
		}
		return "", nil
	})
	return c, err
}
