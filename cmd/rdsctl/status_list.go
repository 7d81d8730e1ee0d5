package main

import (
	"context"
	"sort"
	"strings"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// statusListRun is `rdsctl status` with no argument: every DB instance,
// one row each, as `kubectl get` or `gh repo list` list theirs. JSON is
// an array of what `rdsctl status INSTANCE -o json` prints for each.
func statusListRun(ctx context.Context, opts *StatusOptions) error {
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	ins, err := cloud.AllInstances(ctx, api)
	if err != nil {
		return err
	}
	reps := make([]instanceStatus, 0, len(ins))
	for _, in := range ins {
		reps = append(reps, newInstanceStatus(in))
	}
	sort.Slice(reps, func(i, j int) bool { return reps[i].Instance < reps[j].Instance })
	return opts.IO.Print(opts.Format, reps, func() error {
		if err := printInstanceList(opts.IO, reps); err != nil {
			return err
		}
		// The table only: JSON stays the array of instances it always
		// was. One call; the members' details are `status --cluster`'s.
		cls, err := cloud.AllClusters(ctx, api)
		if err != nil {
			opts.IO.Warnf("listing DB clusters: %v", err)
			return nil
		}
		cs := make([]clusterStatus, 0, len(cls))
		for _, c := range cls {
			cs = append(cs, newClusterStatus(cloud.NewCluster(c, nil)))
		}
		sort.Slice(cs, func(i, j int) bool { return cs[i].Cluster < cs[j].Cluster })
		return printClusterList(opts.IO, cs)
	})
}

// printInstanceList is the table of `rdsctl status`; the hints for
// instances that need something done go to stderr, naming each.
func printInstanceList(ios *ui.IOStreams, reps []instanceStatus) error {
	if len(reps) == 0 {
		ios.Infof("no DB instances (on the lab: rdsctl lab instance create NAME)")
		return nil
	}
	cs := ios.ColorScheme()
	t := ios.NewTable("INSTANCE", "STATUS", "MULTI-AZ", "PARAMETER GROUP", "APPLY STATUS", "ENDPOINT")
	for _, s := range reps {
		var names, applies []string
		for _, g := range s.ParameterGroups {
			names = append(names, g.Name)
			applies = append(applies, orDash(g.ParameterApplyStatus))
		}
		group, apply := orDash(strings.Join(names, ",")), orDash(strings.Join(applies, ","))
		if s.NeedsReboot {
			apply = cs.Yellow(apply)
		}
		t.AddRow(s.Instance, colorInstanceStatus(cs, s.Status), yesNo(s.MultiAZ), group, apply, orDash(s.Endpoint))
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, s := range reps {
		if h := statusHint(s); h != "" {
			ios.Warnf("%s", h)
		}
	}
	return nil
}

// statusHint says, in words, what an instance's state means and how to
// leave it, or "" when nothing needs doing.
func statusHint(s instanceStatus) string {
	groups := make([]string, 0, len(s.ParameterGroups))
	for _, g := range s.ParameterGroups {
		groups = append(groups, g.Name)
	}
	group := strings.Join(groups, ",")
	switch {
	case s.Status == "incompatible-parameters":
		return s.Instance + " is incompatible-parameters: the engine would not start with parameter group " + group +
			"'s values. Fix the group (rdsctl params diff/set/reset " + group + "), then reboot it: rdsctl reboot " + s.Instance
	case s.NeedsReboot:
		return "reboot needed for " + s.Instance + " to run parameter group " + group + "'s values: rdsctl reboot " + s.Instance
	}
	return ""
}
