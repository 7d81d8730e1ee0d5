package cloud

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// Groups reaches the parameter groups of one kind: DB parameter groups,
// or with Cluster set DB cluster parameter groups (Aurora, Multi-AZ DB
// clusters). RDS has two parallel sets of actions for them; this is the one
// place that branches between the two, so no caller does.
type Groups struct {
	API     RDS
	Cluster bool
}

// Group is a parameter group of either kind.
type Group struct {
	Name        string
	Family      string
	Description string
}

// GroupUser is a DB instance that uses a parameter group (directly, or
// through its cluster for a cluster parameter group), with the group's
// apply status on it: "in-sync", "pending-reboot", "applying". Cluster is
// the Aurora cluster the instance is a member of, whichever kind the group
// is; ClusterGroup says the group is a cluster parameter group.
type GroupUser struct {
	Group        string
	Instance     string
	Cluster      string
	ApplyStatus  string
	ClusterGroup bool
}

// Noun is the kind as messages say it: "parameter group" or "cluster
// parameter group".
func (g Groups) Noun() string {
	if g.Cluster {
		return KindClusterParameterGroup
	}
	return KindParameterGroup
}

func (g Groups) fail(err error, name, op string, args ...any) error {
	kind := g.Noun()
	if name == "" {
		kind = ""
	}
	return opError(err, kind, name, fmt.Sprintf(op, args...))
}

func fromDB(pg *types.DBParameterGroup) Group {
	if pg == nil {
		return Group{}
	}
	return Group{aws.ToString(pg.DBParameterGroupName), aws.ToString(pg.DBParameterGroupFamily), aws.ToString(pg.Description)}
}

func fromCluster(cg *types.DBClusterParameterGroup) Group {
	if cg == nil {
		return Group{}
	}
	return Group{aws.ToString(cg.DBClusterParameterGroupName), aws.ToString(cg.DBParameterGroupFamily), aws.ToString(cg.Description)}
}

// Find returns the named group; a missing one is a *NotFoundError.
func (g Groups) Find(ctx context.Context, name string) (Group, error) {
	if g.Cluster {
		cg, err := FindClusterParameterGroup(ctx, g.API, name)
		return fromCluster(&cg), err
	}
	pg, err := FindParameterGroup(ctx, g.API, name)
	return fromDB(&pg), err
}

// List returns every group of the kind, sorted by name.
func (g Groups) List(ctx context.Context) ([]Group, error) {
	out := []Group{}
	if g.Cluster {
		cgs, err := AllClusterParameterGroups(ctx, g.API)
		if err != nil {
			return nil, err
		}
		for i := range cgs {
			out = append(out, fromCluster(&cgs[i]))
		}
	} else {
		pgs, err := AllParameterGroups(ctx, g.API)
		if err != nil {
			return nil, err
		}
		for i := range pgs {
			out = append(out, fromDB(&pgs[i]))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Parameters returns the group's parameters from source ("" or SourceAll:
// every one, which is what validation needs: metadata and current values).
func (g Groups) Parameters(ctx context.Context, name, source string) ([]types.Parameter, error) {
	if g.Cluster {
		return AllClusterParameters(ctx, g.API, name, source)
	}
	return AllParameters(ctx, g.API, name, source)
}

// EngineDefaults returns a family's defaults: what a new group starts
// from, and what `params diff A` compares A with.
func (g Groups) EngineDefaults(ctx context.Context, family string) ([]types.Parameter, error) {
	if g.Cluster {
		return AllEngineDefaultClusterParameters(ctx, g.API, family)
	}
	return AllEngineDefaultParameters(ctx, g.API, family)
}

// Create makes a new group and returns it as RDS stored it.
func (g Groups) Create(ctx context.Context, want Group) (Group, error) {
	name, family, desc := aws.String(want.Name), aws.String(want.Family), aws.String(want.Description)
	// A missing family is input AWS refuses, not a missing group: no kind.
	op := "creating %s (%s)"
	if g.Cluster {
		out, err := g.API.CreateDBClusterParameterGroup(ctx, &rds.CreateDBClusterParameterGroupInput{
			DBClusterParameterGroupName: name, DBParameterGroupFamily: family, Description: desc})
		if err != nil {
			return Group{}, g.fail(err, "", op, g.Noun(), want.Name)
		}
		return fromCluster(out.DBClusterParameterGroup), nil
	}
	out, err := g.API.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{
		DBParameterGroupName: name, DBParameterGroupFamily: family, Description: desc})
	if err != nil {
		return Group{}, g.fail(err, "", op, g.Noun(), want.Name)
	}
	return fromDB(out.DBParameterGroup), nil
}

// Copy copies group src (a name or an ARN), with its user-set values, to
// a new group dst.
func (g Groups) Copy(ctx context.Context, src, dst, desc string) (Group, error) {
	op := "copying %s (%s) to %s"
	if g.Cluster {
		out, err := g.API.CopyDBClusterParameterGroup(ctx, &rds.CopyDBClusterParameterGroupInput{
			SourceDBClusterParameterGroupIdentifier:  aws.String(src),
			TargetDBClusterParameterGroupIdentifier:  aws.String(dst),
			TargetDBClusterParameterGroupDescription: aws.String(desc)})
		if err != nil {
			return Group{}, g.fail(err, src, op, g.Noun(), src, dst)
		}
		return fromCluster(out.DBClusterParameterGroup), nil
	}
	out, err := g.API.CopyDBParameterGroup(ctx, &rds.CopyDBParameterGroupInput{
		SourceDBParameterGroupIdentifier:  aws.String(src),
		TargetDBParameterGroupIdentifier:  aws.String(dst),
		TargetDBParameterGroupDescription: aws.String(desc)})
	if err != nil {
		return Group{}, g.fail(err, src, op, g.Noun(), src, dst)
	}
	return fromDB(out.DBParameterGroup), nil
}

// Delete deletes the named group. One still in use is refused by RDS
// (IsInvalidState holds).
func (g Groups) Delete(ctx context.Context, name string) error {
	var err error
	if g.Cluster {
		_, err = g.API.DeleteDBClusterParameterGroup(ctx, &rds.DeleteDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String(name)})
	} else {
		_, err = g.API.DeleteDBParameterGroup(ctx, &rds.DeleteDBParameterGroupInput{DBParameterGroupName: aws.String(name)})
	}
	return g.fail(err, name, "deleting %s (%s)", g.Noun(), name)
}

// Modify sets ps (name, value, apply method each) in the named group, in
// one call: at most 20 parameters, which params' plans guarantee.
func (g Groups) Modify(ctx context.Context, name string, ps []types.Parameter) error {
	var err error
	if g.Cluster {
		_, err = g.API.ModifyDBClusterParameterGroup(ctx, &rds.ModifyDBClusterParameterGroupInput{
			DBClusterParameterGroupName: aws.String(name), Parameters: ps})
	} else {
		_, err = g.API.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{
			DBParameterGroupName: aws.String(name), Parameters: ps})
	}
	return g.fail(err, name, "modifying %s (%s)", g.Noun(), name)
}

// Reset returns ps (name and apply method each) of the named group to
// their defaults, in one call.
func (g Groups) Reset(ctx context.Context, name string, ps []types.Parameter) error {
	var err error
	if g.Cluster {
		_, err = g.API.ResetDBClusterParameterGroup(ctx, &rds.ResetDBClusterParameterGroupInput{
			DBClusterParameterGroupName: aws.String(name), Parameters: ps})
	} else {
		_, err = g.API.ResetDBParameterGroup(ctx, &rds.ResetDBParameterGroupInput{
			DBParameterGroupName: aws.String(name), Parameters: ps})
	}
	return g.fail(err, name, "resetting %s (%s)", g.Noun(), name)
}

// Users lists who uses the groups named in names (lowercase), sorted by
// group and instance: instances for DB parameter groups, cluster members
// for cluster parameter groups.
func (g Groups) Users(ctx context.Context, names map[string]bool) ([]GroupUser, error) {
	out := []GroupUser{}
	if len(names) == 0 {
		return out, nil
	}
	if g.Cluster {
		cs, err := AllClusters(ctx, g.API)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			group := strings.ToLower(aws.ToString(c.DBClusterParameterGroup))
			if !names[group] {
				continue
			}
			for _, m := range c.DBClusterMembers {
				out = append(out, GroupUser{Group: group, Cluster: aws.ToString(c.DBClusterIdentifier), ClusterGroup: true,
					Instance: aws.ToString(m.DBInstanceIdentifier), ApplyStatus: aws.ToString(m.DBClusterParameterGroupStatus)})
			}
		}
	} else {
		ins, err := AllInstances(ctx, g.API)
		if err != nil {
			return nil, err
		}
		for _, in := range ins {
			for _, pg := range in.DBParameterGroups {
				if group := strings.ToLower(aws.ToString(pg.DBParameterGroupName)); names[group] {
					out = append(out, GroupUser{Group: group, Instance: aws.ToString(in.DBInstanceIdentifier),
						Cluster: aws.ToString(in.DBClusterIdentifier), ApplyStatus: aws.ToString(pg.ParameterApplyStatus)})
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

// GroupWriter changes parameter groups of either kind, the kind given per
// call: it is what params.Apply and params.ApplyActions write through,
// since a desired-state file mixes both kinds.
type GroupWriter struct{ API RDS }

// ModifyParameters is Groups.Modify for the kind cluster says.
func (w GroupWriter) ModifyParameters(ctx context.Context, group string, cluster bool, ps []types.Parameter) error {
	return Groups{API: w.API, Cluster: cluster}.Modify(ctx, group, ps)
}

// ResetParameters is Groups.Reset for the kind cluster says.
func (w GroupWriter) ResetParameters(ctx context.Context, group string, cluster bool, ps []types.Parameter) error {
	return Groups{API: w.API, Cluster: cluster}.Reset(ctx, group, ps)
}

// CreateGroup is Groups.Create for the kind cluster says.
func (w GroupWriter) CreateGroup(ctx context.Context, name, family, description string, cluster bool) error {
	_, err := Groups{API: w.API, Cluster: cluster}.Create(ctx, Group{Name: name, Family: family, Description: description})
	return err
}
