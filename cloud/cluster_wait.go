package cloud

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// The cluster waits run on the SDK's DBClusterAvailable waiter (its
// backoff and hard deadline) with a state check of their own, which also
// reads each member's instance record: a cluster is only as ready as its
// members, and their statuses and DB parameter groups are not in
// DescribeDBClusters.

// ClusterWaitOption tunes the cluster waits' delays.
type ClusterWaitOption = func(*rds.DBClusterAvailableWaiterOptions)

// clusterCheck decides from one look at the cluster: done, keep polling,
// or give up with an error.
type clusterCheck func(Cluster) (done bool, err error)

func waitCluster(ctx context.Context, api ClusterAPI, id string, maxWait time.Duration, what string, check clusterCheck, observe func(Cluster), optFns []ClusterWaitOption) error {
	var checkErr error
	retry := func(ctx context.Context, _ *rds.DescribeDBClustersInput, out *rds.DescribeDBClustersOutput, err error) (bool, error) {
		if err != nil {
			checkErr = err
			return false, err
		}
		if out == nil || len(out.DBClusters) == 0 {
			return true, nil
		}
		c := out.DBClusters[0]
		ins, ierr := memberInstances(ctx, api, c)
		if ierr != nil {
			checkErr = ierr
			return false, ierr
		}
		view := NewCluster(c, ins)
		if observe != nil {
			observe(view)
		}
		done, cerr := check(view)
		checkErr = cerr
		return !done && cerr == nil, cerr
	}
	fns := []ClusterWaitOption{func(o *rds.DBClusterAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = DefaultWaitMinDelay, DefaultWaitMaxDelay
	}}
	fns = append(fns, optFns...)
	fns = append(fns, func(o *rds.DBClusterAvailableWaiterOptions) { o.Retryable = retry })
	w := rds.NewDBClusterAvailableWaiter(api, fns...)
	err := w.Wait(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)}, maxWaitOr(maxWait))
	return waitError(ctx, err, checkErr, KindCluster, id, fmt.Sprintf("waiting for DB cluster (%s) %s", id, what))
}

// WaitClusterAvailable waits until DB cluster id and every member instance
// are available, for at most maxWait; observe (nil: none) sees each look.
func WaitClusterAvailable(ctx context.Context, api ClusterAPI, id string, maxWait time.Duration, observe func(Cluster), optFns ...ClusterWaitOption) error {
	return waitCluster(ctx, api, id, maxWait, "to be available", clusterAvailable, observe, optFns)
}

// WaitClusterInSync waits until DB cluster id and its members are
// available and every parameter group is in-sync on every member: the
// cluster group (DBClusterParameterGroupStatus) and each member's DB
// parameter groups. Like WaitInstanceInSync it fails fast with
// ErrPendingReboot, naming the member.
func WaitClusterInSync(ctx context.Context, api ClusterAPI, id string, maxWait time.Duration, observe func(Cluster), optFns ...ClusterWaitOption) error {
	return waitCluster(ctx, api, id, maxWait, "parameters to be in-sync on every member", clusterInSync, observe, optFns)
}

// WaitClusterWriter waits until DB cluster id is available with a writer
// that is not notWriter (the writer before a failover) and, when want is
// set, is want; observe sees each look.
func WaitClusterWriter(ctx context.Context, api ClusterAPI, id, notWriter, want string, maxWait time.Duration, observe func(Cluster), optFns ...ClusterWaitOption) error {
	what := "to have a new writer"
	if want != "" {
		what = "to have writer " + want
	}
	return waitCluster(ctx, api, id, maxWait, what, writerChanged(notWriter, want), observe, optFns)
}

// clusterFailed reports a state no wait recovers from.
func clusterFailed(st string) bool {
	switch st {
	case "deleted", "deleting", "failed", "inaccessible-encryption-credentials", "incompatible-parameters":
		return true
	}
	return false
}

func clusterAvailable(c Cluster) (bool, error) {
	if clusterFailed(c.Status) {
		return false, fmt.Errorf("cluster is %s", c.Status)
	}
	if c.Status != "available" {
		return false, nil
	}
	for _, m := range c.Members {
		st := m.Status()
		if clusterFailed(st) {
			return false, fmt.Errorf("member %s is %s", m.Instance, st)
		}
		if st != "available" {
			return false, nil
		}
	}
	return true, nil
}

func clusterInSync(c Cluster) (bool, error) {
	ok, err := clusterAvailable(c)
	if !ok || err != nil {
		return false, err
	}
	for _, m := range c.Members {
		switch m.ClusterGroupStatus {
		case "in-sync":
		case "pending-reboot":
			return false, fmt.Errorf("member %s, cluster parameter group %s: %w", m.Instance, c.ClusterGroup, ErrPendingReboot)
		default:
			return false, nil
		}
		for _, g := range m.Raw.DBParameterGroups {
			switch aws.ToString(g.ParameterApplyStatus) {
			case "in-sync":
			case "pending-reboot":
				return false, fmt.Errorf("member %s, parameter group %s: %w", m.Instance, aws.ToString(g.DBParameterGroupName), ErrPendingReboot)
			default:
				return false, nil
			}
		}
	}
	return true, nil
}

func writerChanged(notWriter, want string) clusterCheck {
	return func(c Cluster) (bool, error) {
		if clusterFailed(c.Status) {
			return false, fmt.Errorf("cluster is %s", c.Status)
		}
		w := c.Writer()
		if c.Status != "available" || w == nil || w.Instance == notWriter {
			return false, nil
		}
		if want != "" && w.Instance != want {
			return false, fmt.Errorf("writer is %s, not %s", w.Instance, want)
		}
		return w.Status() == "available", nil
	}
}

// WaitClusterMemberInSync waits until DB cluster id and its member member
// are available and every parameter group is in-sync on that member: the
// cluster group (DBClusterParameterGroupStatus) and the member's DB
// parameter groups. The other members may be pending-reboot: this is the
// wait after rebooting one member of a rolling change. A member that is
// still pending-reboot fails fast with ErrPendingReboot; a member that is
// gone is an error.
func WaitClusterMemberInSync(ctx context.Context, api ClusterAPI, id, member string, maxWait time.Duration, observe func(Cluster), optFns ...ClusterWaitOption) error {
	return waitCluster(ctx, api, id, maxWait, "parameters to be in-sync on "+member, memberInSync(member), observe, optFns)
}

// memberInSync is clusterInSync for one member only.
func memberInSync(member string) clusterCheck {
	return func(c Cluster) (bool, error) {
		m := c.Member(member)
		if m == nil {
			return false, fmt.Errorf("%s is not a member of cluster %s", member, c.ID)
		}
		one := c
		one.Members = []ClusterMember{*m}
		return clusterInSync(one)
	}
}
