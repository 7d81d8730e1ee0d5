package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// waitClusterRun is `rdsctl wait --cluster C`: cloud's cluster waits, each
// change of the cluster's or a member's state reported on stderr.
func waitClusterRun(ctx context.Context, opts *WaitOptions, api cloud.RDS) error {
	start := time.Now()
	var last *cloud.Cluster
	seen := map[string]string{}
	observe := func(c cloud.Cluster) {
		last = &c
		for _, st := range clusterStates(c) {
			if seen[st[0]] != st[1] {
				seen[st[0]] = st[1]
				opts.IO.Progressf("%s: %s", st[0], st[1])
			}
		}
	}
	opts.IO.Progressf("waiting up to %s for DB cluster %s and every member to be %s", opts.Timeout, opts.Cluster, opts.For)
	var err error
	if opts.For == waitAvailable {
		err = cloud.WaitClusterAvailable(ctx, api, opts.Cluster, opts.Timeout, observe)
	} else {
		err = cloud.WaitClusterInSync(ctx, api, opts.Cluster, opts.Timeout, observe)
	}
	lastSeen := "(no answer yet)"
	if last != nil {
		lastSeen = clusterStateLine(*last)
	}
	switch {
	case err == nil:
		opts.IO.Successf("DB cluster %s is %s on every member (after %s)", opts.Cluster, opts.For, time.Since(start).Round(100*time.Millisecond))
	case cloud.IsNotFound(err):
	case errors.Is(err, cloud.ErrPendingReboot) && last != nil:
		err = fmt.Errorf("DB cluster %s cannot be in-sync without a reboot: a parameter group is pending-reboot on %s (rdsctl params converge --cluster %s restarts them one at a time and verifies)",
			opts.Cluster, strings.Join(pendingMembers(*last), ", "), opts.Cluster)
	case errors.Is(err, cloud.ErrWaitTimedOut):
		err = fmt.Errorf("timed out after %s waiting for DB cluster %s to be %s; last seen %s", opts.Timeout, opts.Cluster, opts.For, lastSeen)
	default:
		err = fmt.Errorf("%w (last seen %s)", err, lastSeen)
	}
	rep := waitReport{Cluster: opts.Cluster, For: opts.For, Reached: err == nil,
		WaitedSeconds: time.Since(start).Round(time.Millisecond).Seconds()}
	if last != nil {
		s := newClusterStatus(*last)
		rep.LastSeenCluster = &s
	}
	if err != nil {
		rep.Error = err.Error()
	}
	if opts.Format != ui.FormatTable {
		if perr := opts.IO.Print(opts.Format, rep, nil); perr != nil {
			return errors.Join(err, perr)
		}
	}
	return err
}

// clusterStates is the cluster's and each member's state in words, each
// with what it describes ("cluster aur", "member aur-1"), cluster first.
func clusterStates(c cloud.Cluster) [][2]string {
	out := [][2]string{{"cluster " + c.ID, orDash(c.Status)}}
	for _, m := range c.Members {
		out = append(out, [2]string{"member " + m.Instance, memberState(c, m)})
	}
	return out
}

func memberState(c cloud.Cluster, m cloud.ClusterMember) string {
	role := "reader"
	if m.Writer {
		role = "writer"
	}
	return fmt.Sprintf("%s, %s, cluster parameter group %s %s", role, instanceState(m.Raw), orDash(c.ClusterGroup), orDash(m.ClusterGroupStatus))
}

// clusterStateLine is the whole cluster in one line, for errors.
func clusterStateLine(c cloud.Cluster) string {
	parts := []string{"cluster " + orDash(c.Status)}
	for _, m := range c.Members {
		parts = append(parts, m.Instance+" "+memberState(c, m))
	}
	return strings.Join(parts, "; ")
}

// pendingMembers names the members with a parameter group (cluster or
// instance) pending-reboot.
func pendingMembers(c cloud.Cluster) []string {
	var out []string
	for _, m := range c.Members {
		pending := m.ClusterGroupStatus == applyPendingReboot
		for _, g := range m.Raw.DBParameterGroups {
			pending = pending || aws.ToString(g.ParameterApplyStatus) == applyPendingReboot
		}
		if pending {
			out = append(out, m.Instance)
		}
	}
	return out
}
