package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
)

// groupAPI is the one place in the command layer that knows DB parameter
// groups and DB cluster parameter groups are two parallel sets of RDS
// actions. Every params verb takes --cluster and goes through it, so no
// verb branches on the kind itself.
type groupAPI struct {
	rds     cloud.RDS
	cluster bool
}

// paramGroup is a parameter group of either kind as rdsctl prints it.
type paramGroup struct {
	Name        string `json:"name"`
	Family      string `json:"family"`
	Description string `json:"description"`
}

func fromDB(pg *types.DBParameterGroup) paramGroup {
	if pg == nil {
		return paramGroup{}
	}
	return paramGroup{aws.ToString(pg.DBParameterGroupName), aws.ToString(pg.DBParameterGroupFamily), aws.ToString(pg.Description)}
}

func fromCluster(cg *types.DBClusterParameterGroup) paramGroup {
	if cg == nil {
		return paramGroup{}
	}
	return paramGroup{aws.ToString(cg.DBClusterParameterGroupName), aws.ToString(cg.DBParameterGroupFamily), aws.ToString(cg.Description)}
}

func (g groupAPI) noun() string {
	if g.cluster {
		return "cluster parameter group"
	}
	return "parameter group"
}

// rdsError renders a failed RDS call as "what rdsctl was doing: Code:
// message (request id R)" instead of the SDK's operation/transport/status
// preamble, while keeping the cause for cloud.IsNotFound and errors.As.
type rdsError struct {
	op  string
	err error
}

func (e *rdsError) Error() string {
	code := cloud.Code(e.err)
	if code == "" {
		return e.op + ": " + e.err.Error()
	}
	msg := e.op + ": " + code + ": " + cloud.Message(e.err)
	if id := cloud.RequestID(e.err); id != "" {
		msg += " (request id " + id + ")"
	}
	return msg
}

func (e *rdsError) Unwrap() error { return e.err }

func (g groupAPI) fail(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &rdsError{op: fmt.Sprintf(format, args...), err: err}
}

// find returns the named group; a missing one is an error for which
// cloud.IsNotFound holds.
func (g groupAPI) find(ctx context.Context, name string) (paramGroup, error) {
	if g.cluster {
		cg, err := cloud.FindClusterParameterGroup(ctx, g.rds, name)
		return fromCluster(&cg), g.fail(err, "finding %s %s", g.noun(), name)
	}
	pg, err := cloud.FindParameterGroup(ctx, g.rds, name)
	return fromDB(&pg), g.fail(err, "finding %s %s", g.noun(), name)
}

// list returns every group of the kind, sorted by name.
func (g groupAPI) list(ctx context.Context) ([]paramGroup, error) {
	out := []paramGroup{}
	if g.cluster {
		cgs, err := cloud.AllClusterParameterGroups(ctx, g.rds)
		if err != nil {
			return nil, g.fail(err, "listing cluster parameter groups")
		}
		for i := range cgs {
			out = append(out, fromCluster(&cgs[i]))
		}
	} else {
		pgs, err := cloud.AllParameterGroups(ctx, g.rds)
		if err != nil {
			return nil, g.fail(err, "listing parameter groups")
		}
		for i := range pgs {
			out = append(out, fromDB(&pgs[i]))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// parameters returns the group's parameters from source ("" or "all":
// every one, which is what validation needs: metadata and current values).
func (g groupAPI) parameters(ctx context.Context, name, source string) ([]types.Parameter, error) {
	var (
		ps  []types.Parameter
		err error
	)
	if g.cluster {
		ps, err = cloud.AllClusterParameters(ctx, g.rds, name, source)
	} else {
		ps, err = cloud.AllParameters(ctx, g.rds, name, source)
	}
	return ps, g.fail(err, "describing parameters of %s %s", g.noun(), name)
}

// engineDefaults returns a family's defaults: what a new group starts
// from, and what `params diff A` compares A with.
func (g groupAPI) engineDefaults(ctx context.Context, family string) ([]types.Parameter, error) {
	var (
		ps  []types.Parameter
		err error
	)
	if g.cluster {
		ps, err = cloud.AllEngineDefaultClusterParameters(ctx, g.rds, family)
	} else {
		ps, err = cloud.AllEngineDefaultParameters(ctx, g.rds, family)
	}
	return ps, g.fail(err, "describing engine defaults of family %s", family)
}

func (g groupAPI) create(ctx context.Context, want paramGroup) (paramGroup, error) {
	name, family, desc := aws.String(want.Name), aws.String(want.Family), aws.String(want.Description)
	if g.cluster {
		out, err := g.rds.CreateDBClusterParameterGroup(ctx, &rds.CreateDBClusterParameterGroupInput{
			DBClusterParameterGroupName: name, DBParameterGroupFamily: family, Description: desc})
		if err != nil {
			return paramGroup{}, g.fail(err, "creating %s %s", g.noun(), want.Name)
		}
		return fromCluster(out.DBClusterParameterGroup), nil
	}
	out, err := g.rds.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
		DBParameterGroupName: name, DBParameterGroupFamily: family, Description: desc})
	if err != nil {
		return paramGroup{}, g.fail(err, "creating %s %s", g.noun(), want.Name)
	}
	return fromDB(out.DBParameterGroup), nil
}

func (g groupAPI) copy(ctx context.Context, src, dst, desc string) (paramGroup, error) {
	if g.cluster {
		out, err := g.rds.CopyDBClusterParameterGroup(ctx, &rds.CopyDBClusterParameterGroupInput{
			SourceDBClusterParameterGroupIdentifier:  aws.String(src),
			TargetDBClusterParameterGroupIdentifier:  aws.String(dst),
			TargetDBClusterParameterGroupDescription: aws.String(desc)})
		if err != nil {
			return paramGroup{}, g.fail(err, "copying %s %s to %s", g.noun(), src, dst)
		}
		return fromCluster(out.DBClusterParameterGroup), nil
	}
	out, err := g.rds.CopyDBParameterGroup(ctx, &rds.CopyDBParameterGroupInput{
		SourceDBParameterGroupIdentifier:  aws.String(src),
		TargetDBParameterGroupIdentifier:  aws.String(dst),
		TargetDBParameterGroupDescription: aws.String(desc)})
	if err != nil {
		return paramGroup{}, g.fail(err, "copying %s %s to %s", g.noun(), src, dst)
	}
	return fromDB(out.DBParameterGroup), nil
}

func (g groupAPI) delete(ctx context.Context, name string) error {
	var err error
	if g.cluster {
		_, err = g.rds.DeleteDBClusterParameterGroup(ctx, &rds.DeleteDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String(name)})
	} else {
		_, err = g.rds.DeleteDBParameterGroup(ctx, &rds.DeleteDBParameterGroupInput{DBParameterGroupName: aws.String(name)})
	}
	return g.fail(err, "deleting %s %s", g.noun(), name)
}

// groupUser is a DB instance that uses a parameter group (directly, or
// through its cluster for a cluster parameter group), with the group's
// apply status on it: "in-sync", "pending-reboot", "applying".
type groupUser struct {
	Group       string `json:"group"`
	Instance    string `json:"instance,omitempty"`
	Cluster     string `json:"cluster,omitempty"`
	ApplyStatus string `json:"apply_status"`
}

// errUsersUnknown means the API cannot list instances (an endpoint that
// does not implement DescribeDBInstances, like a control-plane-only lab
// of an older version): the usage report is advice, so callers leave it
// out rather than fail a parameter change over it.
var errUsersUnknown = errors.New("instances unknown")

// users lists who uses the groups named in names (lowercase), sorted.
func (g groupAPI) users(ctx context.Context, names map[string]bool) ([]groupUser, error) {
	out := []groupUser{}
	if len(names) == 0 {
		return out, nil
	}
	if g.cluster {
		p := rds.NewDescribeDBClustersPaginator(g.rds, &rds.DescribeDBClustersInput{MaxRecords: aws.Int32(100)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, g.usersFailed(err)
			}
			for _, c := range page.DBClusters {
				group := strings.ToLower(aws.ToString(c.DBClusterParameterGroup))
				if !names[group] {
					continue
				}
				for _, m := range c.DBClusterMembers {
					out = append(out, groupUser{Group: group, Cluster: aws.ToString(c.DBClusterIdentifier),
						Instance: aws.ToString(m.DBInstanceIdentifier), ApplyStatus: aws.ToString(m.DBClusterParameterGroupStatus)})
				}
			}
		}
	} else {
		ins, err := cloud.AllInstances(ctx, g.rds)
		if err != nil {
			return nil, g.usersFailed(err)
		}
		for _, in := range ins {
			for _, pg := range in.DBParameterGroups {
				if group := strings.ToLower(aws.ToString(pg.DBParameterGroupName)); names[group] {
					out = append(out, groupUser{Group: group, Instance: aws.ToString(in.DBInstanceIdentifier),
						ApplyStatus: aws.ToString(pg.ParameterApplyStatus)})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Group != out[j].Group {
			return out[i].Group < out[j].Group
		}
		return out[i].Instance < out[j].Instance
	})
	return out, nil
}

func (g groupAPI) usersFailed(err error) error {
	if cloud.Code(err) == "InvalidAction" {
		return errUsersUnknown
	}
	return g.fail(err, "listing who uses the %s", g.noun())
}
