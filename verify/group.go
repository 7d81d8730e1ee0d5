package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/cloud"
)

// GroupConcurrency bounds how many members of a group Group verifies at
// once: enough for a fleet, few enough not to look like a connection storm
// to a proxy in front of them.
const GroupConcurrency = 8

// GroupReport is the outcome of Group, shaped for `verify --group -o
// json`: one element per instance using the group, in instance order.
type GroupReport struct {
	ParameterGroup string `json:"parameter_group,omitempty"`
	// Cluster is set instead of ParameterGroup by Cluster.
	Cluster   string   `json:"cluster,omitempty"`
	Instances []Member `json:"instances"`
}

// Member is one instance's report, or why it has none.
type Member struct {
	Instance string `json:"instance"`
	*Report
	// Error is Err's message, for JSON readers.
	Error string `json:"error,omitempty"`
	// Err is why the instance could not be verified, as Instance returned
	// it; nil with a Report.
	Err error `json:"-"`
}

// Reports are the members' reports, without the members that have none.
func (g *GroupReport) Reports() []*Report {
	var out []*Report
	for _, m := range g.Instances {
		if m.Report != nil {
			out = append(out, m.Report)
		}
	}
	return out
}

// Failed are the members that could not be verified.
func (g *GroupReport) Failed() []Member {
	var out []Member
	for _, m := range g.Instances {
		if m.Err != nil {
			out = append(out, m)
		}
	}
	return out
}

// Group verifies every DB instance that uses parameter group group (names
// compare case-insensitively), as Instance does, GroupConcurrency at a
// time. A member that cannot be verified is reported with its error and
// does not stop the others.
//
// The error is for the group as a whole: options that cannot work
// (IsSettingsError, before any call), a missing group (cloud.IsNotFound
// holds), instances that cannot be listed, or a group no instance uses.
func Group(ctx context.Context, api API, awsCfg aws.Config, group string, opts Options) (*GroupReport, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if _, err := cloud.FindParameterGroup(ctx, api, group); err != nil {
		return nil, err
	}
	all, err := cloud.AllInstances(ctx, api)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, in := range all {
		for _, pg := range in.DBParameterGroups {
			if strings.EqualFold(aws.ToString(pg.DBParameterGroupName), group) {
				ids = append(ids, aws.ToString(in.DBInstanceIdentifier))
				break
			}
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no DB instance uses parameter group %s", group)
	}
	return &GroupReport{ParameterGroup: group, Instances: verifyAll(ctx, api, awsCfg, ids, opts, "using parameter group "+group)}, nil
}

func instances(n int) string {
	if n == 1 {
		return "1 instance"
	}
	return fmt.Sprintf("%d instances", n)
}

// Cluster verifies every member of Aurora DB cluster id as Instance does
// (each against its cluster group with its own instance group over it),
// GroupConcurrency at a time, in member order. Errors as Group's: a
// missing cluster (cloud.IsNotFound) or one without members.
func Cluster(ctx context.Context, api API, awsCfg aws.Config, id string, opts Options) (*GroupReport, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	c, err := cloud.FindCluster(ctx, api, id)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, m := range c.DBClusterMembers {
		ids = append(ids, aws.ToString(m.DBInstanceIdentifier))
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("DB cluster %s has no members to verify", id)
	}
	return &GroupReport{Cluster: id, Instances: verifyAll(ctx, api, awsCfg, ids, opts, "of cluster "+id)}, nil
}

// verifyAll verifies the instances ids, GroupConcurrency at a time, one
// Member each in sorted order; what says which they are, for Progress.
func verifyAll(ctx context.Context, api API, awsCfg aws.Config, ids []string, opts Options, what string) []Member {
	sort.Strings(ids)
	if opts.Progress != nil {
		opts.Progress("verifying %s %s", instances(len(ids)), what)
	}

	var mu sync.Mutex
	warnf := opts.warnf()
	opts.Warnf = func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		warnf(format, args...)
	}
	out := make([]Member, len(ids))
	sem := make(chan struct{}, GroupConcurrency)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rep, err := instance(ctx, api, awsCfg, id, opts)
			out[i] = Member{Instance: id, Report: rep, Err: err}
			if err != nil {
				out[i].Error = err.Error()
			}
		}()
	}
	wg.Wait()
	return out
}
