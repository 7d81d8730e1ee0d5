package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
)

// API is the part of RDS that verifying an instance, a group or a
// cluster calls: exactly these read-only methods. *rds.Client and
// cloud.RDS satisfy it.
type API interface {
	DescribeDBClusters(context.Context, *rds.DescribeDBClustersInput, ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
	DescribeDBClusterParameters(context.Context, *rds.DescribeDBClusterParametersInput, ...func(*rds.Options)) (*rds.DescribeDBClusterParametersOutput, error)
	DescribeDBInstances(context.Context, *rds.DescribeDBInstancesInput, ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	DescribeDBParameters(context.Context, *rds.DescribeDBParametersInput, ...func(*rds.Options)) (*rds.DescribeDBParametersOutput, error)
	DescribeDBParameterGroups(context.Context, *rds.DescribeDBParameterGroupsInput, ...func(*rds.Options)) (*rds.DescribeDBParameterGroupsOutput, error)
	DescribeEvents(context.Context, *rds.DescribeEventsInput, ...func(*rds.Options)) (*rds.DescribeEventsOutput, error)
}

// Options say how to verify an instance (Instance) or every instance of a
// parameter group (Group). The zero value verifies the group's user-set
// values, logged in as the master user with $RDSCTL_DB_PASSWORD or the
// instance's managed secret, with TLS chosen by host and default timeouts.
type Options struct {
	// Login says how to log in to the server.
	Login Login
	// Expect are overrides on top of the parameter group's values (see
	// ParseExpect); an override keeps the group's metadata.
	Expect []Expectation
	// All adds the group's other modifiable parameters to the user-set
	// ones: the system-set values (RDS's own defaults, such as
	// innodb_buffer_pool_size) are compared, the engine defaults RDS gives
	// no value are reported as StatusEngineDefault.
	All bool
	// Warnf receives advice for a human (stderr): an instance that is not
	// available, a group that is still applying, a world-readable password
	// file. nil discards it. Group calls it from one goroutine at a time.
	Warnf func(format string, args ...any)
	// Progress receives one line per step, for stderr (Group says how many
	// instances it verifies); nil discards it.
	Progress func(format string, args ...any)
}

// Validate checks the options without calling anything (see
// Login.Validate); Instance and Group call it first, so settings that
// cannot work fail before any API call. Its errors satisfy
// IsSettingsError.
func (o Options) Validate() error {
	if err := o.Login.Validate(); err != nil {
		return err
	}
	for _, e := range o.Expect {
		if strings.TrimSpace(e.Name) == "" {
			return fmt.Errorf("%w: an expectation has no name", ErrInvalidExpect)
		}
	}
	return nil
}

func (o Options) warnf() func(string, ...any) {
	if o.Warnf != nil {
		return o.Warnf
	}
	return func(string, ...any) {}
}

// The ParameterApplyStatus values verify treats specially.
const (
	applyApplying      = "applying"
	applyPendingReboot = "pending-reboot"
)

// Instance verifies DB instance id: it finds it (endpoint, class,
// parameter groups and their apply status), works out what the server
// should run (each group's values, formulas evaluated for the class, the
// Expect overrides, and which values wait for a reboot), resolves the
// login, connects non-interactively, reads every global at once and
// compares. awsCfg serves IAM tokens and Secrets Manager.
//
// The Report is complete: InstanceClass, ParameterGroup and
// ParameterApplyStatus are filled in. Drift is in the report, not the
// error. The error is for what could not be read: a missing instance (the
// RDS error is wrapped, so cloud.IsNotFound holds), a refused login (with
// where the password came from), a server that stopped answering
// (errors.Is(err, ErrTimeout)), or options that cannot work
// (IsSettingsError, before any call).
func Instance(ctx context.Context, api API, awsCfg aws.Config, id string, opts Options) (*Report, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return instance(ctx, api, awsCfg, id, opts)
}

func instance(ctx context.Context, api API, awsCfg aws.Config, id string, opts Options) (*Report, error) {
	warnf := opts.warnf()
	in, err := cloud.FindInstance(ctx, api, id)
	if err != nil {
		return nil, err
	}
	if st := aws.ToString(in.DBInstanceStatus); st != "available" {
		warnf("instance %s is %s; its server may not answer", id, st)
	}
	exp, groups, err := Expectations(ctx, api, in, opts)
	if err != nil {
		return nil, err
	}
	conn, err := opts.Login.Resolve(ctx, awsCfg, in, warnf)
	if err != nil {
		return nil, err
	}
	var port int64
	if in.Endpoint != nil {
		port = int64(aws.ToInt32(in.Endpoint.Port))
	}
	rep, err := Run(ctx, ServerOptions{
		Conn:     conn.Config,
		Instance: aws.ToString(in.DBInstanceIdentifier),
		Expect:   exp,
		Compare: CompareOptions{
			InstanceClass:       aws.ToString(in.DBInstanceClass),
			AllocatedStorageGiB: int64(aws.ToInt32(in.AllocatedStorage)),
			Port:                port,
			PendingReboot:       groups.Status == applyPendingReboot || groups.ClusterStatus == applyPendingReboot,
			Engine:              aws.ToString(in.Engine),
		},
	})
	if err != nil {
		return nil, conn.Explain(err)
	}
	rep.InstanceClass = aws.ToString(in.DBInstanceClass)
	rep.ParameterGroup = strings.Join(groups.Names, ",")
	rep.ParameterApplyStatus = groups.Status
	rep.Cluster, rep.ClusterParameterGroup, rep.ClusterParameterApplyStatus = groups.Cluster, groups.ClusterGroup, groups.ClusterStatus
	return rep, nil
}

// Groups names an instance's DB parameter groups and their combined apply
// status: pending-reboot if any is, else applying if any is, else the
// first group's (in-sync).
type Groups struct {
	Names  []string
	Status string
	// Cluster, ClusterGroup and ClusterStatus are an Aurora member's: its
	// cluster, the cluster parameter group and its apply status on the
	// member. Expectations fills them; GroupsOf leaves them empty.
	Cluster, ClusterGroup, ClusterStatus string
}

// GroupsOf names instance in's DB parameter groups and their combined
// apply status, as Expectations works it out, for callers that plan around
// the status without verifying (params converge picks the members that
// are pending-reboot).
func GroupsOf(in types.DBInstance) Groups {
	var g Groups
	for _, pg := range in.DBParameterGroups {
		g.Names = append(g.Names, aws.ToString(pg.DBParameterGroupName))
		switch st := aws.ToString(pg.ParameterApplyStatus); {
		case st == applyPendingReboot:
			g.Status = st
		case st == applyApplying && g.Status != applyPendingReboot:
			g.Status = st
		case g.Status == "":
			g.Status = st
		}
	}
	return g
}

// Expectations works out what instance in's server should run: each
// parameter group's user-set values (plus the modifiable system-set ones
// with opts.All), then the opts.Expect overrides. A group attached since
// the last reboot waits for that reboot with every value, dynamic ones
// too, so its expectations are marked pending-reboot. Formulas stay
// formulas here; Compare evaluates them for the instance class.
//
// It is the expected half of Instance, for callers that compare something
// else than a live server (a policy's --effective view).
func Expectations(ctx context.Context, api API, in types.DBInstance, opts Options) ([]Expectation, Groups, error) {
	warnf := opts.warnf()
	id := aws.ToString(in.DBInstanceIdentifier)
	g := GroupsOf(in)
	var base []Expectation
	// An Aurora member runs its cluster group's values, except where its
	// own DB parameter group sets the parameter: the instance group is
	// merged over the cluster group.
	if cid := aws.ToString(in.DBClusterIdentifier); cid != "" {
		exp, err := clusterExpectations(ctx, api, id, cid, &g, opts.All)
		if err != nil {
			return nil, g, err
		}
		base = exp
	}
	for _, pg := range in.DBParameterGroups {
		name := aws.ToString(pg.DBParameterGroupName)
		ps, err := groupParameters(ctx, api, name, opts.All)
		if err != nil {
			return nil, g, err
		}
		exp := FromParameters(ps)
		for i := range exp {
			exp[i].From = "instance group " + name
		}
		if aws.ToString(pg.ParameterApplyStatus) == applyPendingReboot && attachPending(ctx, api, id, name, warnf) {
			for i := range exp {
				exp[i].ApplyMethod = string(types.ApplyMethodPendingReboot)
			}
		}
		base = Merge(base, overriding(base, exp))
		if len(exp) == 0 && len(base) == 0 && len(opts.Expect) == 0 {
			warnf("parameter group %s sets nothing to compare; only the trap is reported (--all adds system-set values, --expect your own)", name)
		}
	}
	if g.Status == applyApplying {
		warnf("parameter group %s of %s is still applying a change; values may not be live yet (re-run once it is in-sync)", strings.Join(g.Names, ","), id)
	}
	return Merge(base, opts.Expect), g, nil
}

// clusterExpectations are the values member id should run from cluster
// cid's parameter group, and fill g's cluster fields.
func clusterExpectations(ctx context.Context, api API, id, cid string, g *Groups, all bool) ([]Expectation, error) {
	c, err := cloud.FindCluster(ctx, api, cid)
	if err != nil {
		return nil, err
	}
	g.Cluster, g.ClusterGroup = cid, aws.ToString(c.DBClusterParameterGroup)
	for _, m := range c.DBClusterMembers {
		if aws.ToString(m.DBInstanceIdentifier) == id {
			g.ClusterStatus = aws.ToString(m.DBClusterParameterGroupStatus)
		}
	}
	if g.ClusterGroup == "" {
		return nil, nil
	}
	source := cloud.SourceUser
	if all {
		source = "" // every parameter, filtered below
	}
	ps, err := cloud.AllClusterParameters(ctx, api, g.ClusterGroup, source)
	if err != nil {
		return nil, err
	}
	if all {
		ps = verifiable(ps)
	}
	exp := FromParameters(ps)
	for i := range exp {
		exp[i].From = "cluster group " + g.ClusterGroup
	}
	return exp, nil
}

// overriding is the part of an instance group's expectations that
// overrides base (the cluster group's): every one, except a system-set
// default (--all) where the cluster group has a user-set value, which
// RDS lets the cluster's value win over.
func overriding(base, exp []Expectation) []Expectation {
	user := map[string]bool{}
	for _, e := range base {
		if e.Source == cloud.SourceUser {
			user[CanonicalName(e.Name)] = true
		}
	}
	out := exp[:0:0]
	for _, e := range exp {
		if e.Source != cloud.SourceUser && user[CanonicalName(e.Name)] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// verifiable is what --all verifies of a group's parameters: every one a
// user set or could set.
func verifiable(every []types.Parameter) []types.Parameter {
	var out []types.Parameter
	for _, p := range every {
		if aws.ToString(p.Source) == cloud.SourceUser || aws.ToBool(p.IsModifiable) {
			out = append(out, p)
		}
	}
	return out
}

// groupParameters returns the parameters to verify from one group: those
// a user set and, with all, every other one a user could change.
func groupParameters(ctx context.Context, api API, group string, all bool) ([]types.Parameter, error) {
	if !all {
		return cloud.AllParameters(ctx, api, group, cloud.SourceUser)
	}
	every, err := cloud.AllParameters(ctx, api, group, "")
	if err != nil {
		return nil, err
	}
	return verifiable(every), nil
}

// eventRetention is how far back RDS keeps events.
const eventRetention = 14 * 24 * time.Hour

// attachPending reports whether group was attached to instance id after
// its last restart, from the instance's events: ParameterApplyStatus says
// pending-reboot for a new group exactly as for a pending static change,
// but a new group's dynamic values are not live either. If the events
// cannot be read it says so and answers false (static changes only).
func attachPending(ctx context.Context, api API, id, group string, warnf func(string, ...any)) bool {
	evs, err := cloud.InstanceEvents(ctx, api, id, time.Now().Add(-eventRetention))
	if err != nil {
		warnf("reading the events of %s (to tell a newly attached parameter group): %v", id, err)
		return false
	}
	sort.SliceStable(evs, func(i, j int) bool { return aws.ToTime(evs[i].Date).Before(aws.ToTime(evs[j].Date)) })
	attached := false
	for _, e := range evs {
		msg := strings.ToLower(aws.ToString(e.Message))
		switch {
		case strings.HasPrefix(msg, "updated to use dbparametergroup") && strings.Contains(msg, strings.ToLower(group)):
			attached = true
		case strings.Contains(msg, "restarted") || strings.Contains(msg, "failover completed"):
			attached = false
		}
	}
	return attached
}

// Globals reads every global variable instance id's server runs, over the
// same non-interactive connection, login resolution and timeouts as
// Instance, without comparing them to anything. It is for callers that
// bring their own expectations (policy check --effective). Errors are as
// Instance's: wrapped RDS errors, or a *ConnError scrubbed of the password.
func Globals(ctx context.Context, api API, awsCfg aws.Config, id string, login Login) (map[string]string, error) {
	if err := login.Validate(); err != nil {
		return nil, err
	}
	in, err := cloud.FindInstance(ctx, api, id)
	if err != nil {
		return nil, err
	}
	conn, err := login.Resolve(ctx, awsCfg, in, func(string, ...any) {})
	if err != nil {
		return nil, err
	}
	db, err := Open(ctx, conn.Config)
	if err != nil {
		return nil, conn.Explain(err)
	}
	defer db.Close()
	snap, err := Read(ctx, db)
	if err != nil {
		return nil, conn.Explain(err)
	}
	return snap.Globals, nil
}
