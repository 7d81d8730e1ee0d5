package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// clusterStatus is an Aurora DB cluster as `rdsctl status --cluster`
// shows it.
type clusterStatus struct {
	Cluster               string         `json:"cluster"`
	Status                string         `json:"status"`
	Engine                string         `json:"engine"`
	EngineVersion         string         `json:"engine_version"`
	Endpoint              string         `json:"endpoint"`
	ReaderEndpoint        string         `json:"reader_endpoint"`
	ClusterParameterGroup string         `json:"cluster_parameter_group"`
	Writer                string         `json:"writer"`
	Members               []memberStatus `json:"members"`
	// NeedsReboot is whether a member has a group pending-reboot.
	NeedsReboot bool `json:"needs_reboot"`
}

// memberStatus is one member of a cluster: its role and both kinds of
// parameter group with their apply status on it.
type memberStatus struct {
	Instance                    string        `json:"instance"`
	Role                        string        `json:"role"` // writer or reader
	Status                      string        `json:"status"`
	Endpoint                    string        `json:"endpoint"`
	AvailabilityZone            string        `json:"availability_zone"`
	PromotionTier               int32         `json:"promotion_tier"`
	ClusterParameterGroupStatus string        `json:"cluster_parameter_group_status"`
	ParameterGroups             []groupStatus `json:"parameter_groups"`
}

func newClusterStatus(c cloud.Cluster) clusterStatus {
	s := clusterStatus{Cluster: c.ID, Status: c.Status, Engine: c.Engine, EngineVersion: c.EngineVersion,
		Endpoint: c.Endpoint, ReaderEndpoint: c.ReaderEndpoint, ClusterParameterGroup: c.ClusterGroup, Members: []memberStatus{}}
	if w := c.Writer(); w != nil {
		s.Writer = w.Instance
	}
	for _, m := range c.Members {
		ms := memberStatus{Instance: m.Instance, Role: "reader", Status: m.Status(), Endpoint: m.Endpoint(),
			AvailabilityZone: aws.ToString(m.Raw.AvailabilityZone), PromotionTier: m.PromotionTier,
			ClusterParameterGroupStatus: m.ClusterGroupStatus, ParameterGroups: []groupStatus{}}
		if m.Writer {
			ms.Role = "writer"
		}
		s.NeedsReboot = s.NeedsReboot || m.ClusterGroupStatus == applyPendingReboot
		for _, g := range m.Raw.DBParameterGroups {
			gs := groupStatus{Name: aws.ToString(g.DBParameterGroupName), ParameterApplyStatus: aws.ToString(g.ParameterApplyStatus)}
			ms.ParameterGroups = append(ms.ParameterGroups, gs)
			s.NeedsReboot = s.NeedsReboot || gs.ParameterApplyStatus == applyPendingReboot
		}
		s.Members = append(s.Members, ms)
	}
	return s
}

func statusClusterRun(ctx context.Context, opts *StatusOptions) error {
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	c, err := cloud.DescribeCluster(ctx, api, opts.Cluster)
	if err != nil {
		return err
	}
	rep := newClusterStatus(c)
	return opts.IO.Print(opts.Format, rep, func() error { return printClusterStatus(opts.IO, rep) })
}

// printClusterStatus is the cluster's key/value block, then one row per
// member, writer first.
func printClusterStatus(ios *ui.IOStreams, s clusterStatus) error {
	cs := ios.ColorScheme()
	err := ios.PrintFields(
		ui.F("cluster", s.Cluster),
		ui.F("status", colorInstanceStatus(cs, s.Status)),
		ui.F("engine", orDash(strings.TrimSpace(s.Engine+" "+s.EngineVersion))),
		ui.F("writer endpoint", orDash(s.Endpoint)),
		ui.F("reader endpoint", orDash(s.ReaderEndpoint)),
		ui.F("cluster parameter group", orDash(s.ClusterParameterGroup)),
		ui.F("writer", orDash(s.Writer)),
	)
	if err != nil {
		return err
	}
	if err := ios.Heading("Members"); err != nil {
		return err
	}
	if len(s.Members) == 0 {
		ios.Infof("cluster %s has no members yet", s.Cluster)
		return nil
	}
	t := ios.NewTable("INSTANCE", "ROLE", "STATUS", "TIER", "CLUSTER GROUP", "PARAMETER GROUP", "ENDPOINT")
	for _, m := range s.Members {
		var groups []string
		for _, g := range m.ParameterGroups {
			groups = append(groups, g.Name+" ("+colorApplyWord(cs, g.ParameterApplyStatus)+")")
		}
		t.AddRow(m.Instance, m.Role, colorInstanceStatus(cs, m.Status), fmt.Sprint(m.PromotionTier),
			colorApplyWord(cs, m.ClusterParameterGroupStatus), orDash(strings.Join(groups, ",")), orDash(m.Endpoint))
	}
	if err := t.Render(); err != nil {
		return err
	}
	if s.NeedsReboot {
		ios.Warnf("reboot needed: a member of %s has a parameter group pending-reboot (rdsctl params converge --cluster %s restarts them one at a time and verifies)", s.Cluster, s.Cluster)
	}
	return nil
}

// colorApplyWord is an apply status in one word, for table cells.
func colorApplyWord(cs ui.ColorScheme, st string) string {
	switch st {
	case "":
		return "-"
	case "in-sync":
		return cs.Green(st)
	}
	return cs.Yellow(st)
}

// clusterHint says on stderr, when err is an instance's not-found and
// the name is a DB cluster's, how to name the cluster: `--cluster` where
// it applies (command is e.g. "rdsctl status"). err is returned
// unchanged, so the error and its exit code stay those of a missing
// instance.
func clusterHint(ctx context.Context, ios *ui.IOStreams, api cloud.RDS, command, id string, err error) error {
	if !cloud.IsNotFound(err) {
		return err
	}
	if _, cerr := cloud.FindCluster(ctx, api, id); cerr == nil {
		ios.Warnf("%s is a DB cluster: %s --cluster %s", id, command, id)
	}
	return err
}

// printClusterList is the clusters' table after the instances' in
// `rdsctl status`.
func printClusterList(ios *ui.IOStreams, cs []clusterStatus) error {
	if len(cs) == 0 {
		return nil
	}
	if err := ios.Heading("Clusters"); err != nil {
		return err
	}
	t := ios.NewTable("CLUSTER", "STATUS", "WRITER", "MEMBERS", "CLUSTER GROUP", "ENDPOINT")
	for _, c := range cs {
		t.AddRow(c.Cluster, colorInstanceStatus(ios.ColorScheme(), c.Status), orDash(c.Writer), fmt.Sprint(len(c.Members)),
			orDash(c.ClusterParameterGroup), orDash(c.Endpoint))
	}
	return t.Render()
}
