package cloud

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// The finds take the SDK's narrow per-operation client interfaces, which
// RDS (and *rds.Client) satisfy, and page with the SDK's paginators: RDS
// returns at most 100 records a call, and a parameter group has ~400. A
// named resource that does not exist is a *NotFoundError; any other
// failure an *OpError.

// Parameter sources accepted by AllParameters; "" or SourceAll means every
// parameter.
const (
	SourceUser          = "user"
	SourceSystem        = "system"
	SourceEngineDefault = "engine-default"
	SourceAll           = "all"
)

func sourceFilter(source string) *string {
	if source == "" || source == SourceAll {
		return nil
	}
	return aws.String(source)
}

// pager is what every SDK paginator offers.
type pager[O any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*rds.Options)) (O, error)
}

// collect reads every page of p and gathers items(page); fail types a
// failed page.
func collect[O, T any](ctx context.Context, p pager[O], items func(O) []T, fail func(error) error) ([]T, error) {
	var out []T
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fail(err)
		}
		out = append(out, items(page)...)
	}
	return out, nil
}

// AllParameters returns every parameter of DB parameter group group, or
// only those from source (user, system, engine-default).
func AllParameters(ctx context.Context, api rds.DescribeDBParametersAPIClient, group, source string) ([]types.Parameter, error) {
	p := rds.NewDescribeDBParametersPaginator(api, &rds.DescribeDBParametersInput{
		DBParameterGroupName: aws.String(group),
		Source:               sourceFilter(source),
		MaxRecords:           aws.Int32(100),
	})
	return collect(ctx, p, func(o *rds.DescribeDBParametersOutput) []types.Parameter { return o.Parameters },
		func(err error) error {
			return opError(err, KindParameterGroup, group, fmt.Sprintf("describing parameters of parameter group (%s)", group))
		})
}

// AllClusterParameters is AllParameters for a DB cluster parameter group.
func AllClusterParameters(ctx context.Context, api rds.DescribeDBClusterParametersAPIClient, group, source string) ([]types.Parameter, error) {
	p := rds.NewDescribeDBClusterParametersPaginator(api, &rds.DescribeDBClusterParametersInput{
		DBClusterParameterGroupName: aws.String(group),
		Source:                      sourceFilter(source),
		MaxRecords:                  aws.Int32(100),
	})
	return collect(ctx, p, func(o *rds.DescribeDBClusterParametersOutput) []types.Parameter { return o.Parameters },
		func(err error) error {
			return opError(err, KindClusterParameterGroup, group, fmt.Sprintf("describing parameters of cluster parameter group (%s)", group))
		})
}

// AllEngineDefaultParameters returns a family's engine defaults, the
// baseline `params diff A` compares against.
func AllEngineDefaultParameters(ctx context.Context, api rds.DescribeEngineDefaultParametersAPIClient, family string) ([]types.Parameter, error) {
	p := rds.NewDescribeEngineDefaultParametersPaginator(api, &rds.DescribeEngineDefaultParametersInput{
		DBParameterGroupFamily: aws.String(family),
		MaxRecords:             aws.Int32(100),
	})
	return collect(ctx, p, func(o *rds.DescribeEngineDefaultParametersOutput) []types.Parameter {
		return engineDefaults(o.EngineDefaults)
	}, func(err error) error {
		return opError(err, "", "", fmt.Sprintf("describing engine defaults of family (%s)", family))
	})
}

// AllEngineDefaultClusterParameters is AllEngineDefaultParameters for
// cluster parameter groups.
func AllEngineDefaultClusterParameters(ctx context.Context, api rds.DescribeEngineDefaultClusterParametersAPIClient, family string) ([]types.Parameter, error) {
	p := rds.NewDescribeEngineDefaultClusterParametersPaginator(api, &rds.DescribeEngineDefaultClusterParametersInput{
		DBParameterGroupFamily: aws.String(family),
		MaxRecords:             aws.Int32(100),
	})
	return collect(ctx, p, func(o *rds.DescribeEngineDefaultClusterParametersOutput) []types.Parameter {
		return engineDefaults(o.EngineDefaults)
	}, func(err error) error {
		return opError(err, "", "", fmt.Sprintf("describing engine default cluster parameters of family (%s)", family))
	})
}

func engineDefaults(d *types.EngineDefaults) []types.Parameter {
	if d == nil {
		return nil
	}
	return d.Parameters
}

// AllParameterGroups lists every DB parameter group in the region.
func AllParameterGroups(ctx context.Context, api rds.DescribeDBParameterGroupsAPIClient) ([]types.DBParameterGroup, error) {
	p := rds.NewDescribeDBParameterGroupsPaginator(api, &rds.DescribeDBParameterGroupsInput{MaxRecords: aws.Int32(100)})
	return collect(ctx, p, func(o *rds.DescribeDBParameterGroupsOutput) []types.DBParameterGroup { return o.DBParameterGroups },
		func(err error) error { return opError(err, "", "", "listing parameter groups") })
}

// AllClusterParameterGroups lists every DB cluster parameter group.
func AllClusterParameterGroups(ctx context.Context, api rds.DescribeDBClusterParameterGroupsAPIClient) ([]types.DBClusterParameterGroup, error) {
	p := rds.NewDescribeDBClusterParameterGroupsPaginator(api, &rds.DescribeDBClusterParameterGroupsInput{MaxRecords: aws.Int32(100)})
	return collect(ctx, p, func(o *rds.DescribeDBClusterParameterGroupsOutput) []types.DBClusterParameterGroup {
		return o.DBClusterParameterGroups
	}, func(err error) error { return opError(err, "", "", "listing cluster parameter groups") })
}

// FindParameterGroup returns the named DB parameter group. A missing group
// is a *NotFoundError.
func FindParameterGroup(ctx context.Context, api rds.DescribeDBParameterGroupsAPIClient, name string) (types.DBParameterGroup, error) {
	out, err := api.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{DBParameterGroupName: aws.String(name)})
	if err != nil {
		return types.DBParameterGroup{}, opError(err, KindParameterGroup, name, fmt.Sprintf("finding parameter group (%s)", name))
	}
	for _, g := range out.DBParameterGroups {
		if aws.ToString(g.DBParameterGroupName) == name {
			return g, nil
		}
	}
	return types.DBParameterGroup{}, &NotFoundError{Kind: KindParameterGroup, Name: name,
		Err: &types.DBParameterGroupNotFoundFault{Message: aws.String("DBParameterGroup not found: " + name)}}
}

// FindClusterParameterGroup returns the named DB cluster parameter group.
func FindClusterParameterGroup(ctx context.Context, api rds.DescribeDBClusterParameterGroupsAPIClient, name string) (types.DBClusterParameterGroup, error) {
	out, err := api.DescribeDBClusterParameterGroups(ctx, &rds.DescribeDBClusterParameterGroupsInput{DBClusterParameterGroupName: aws.String(name)})
	if err != nil {
		return types.DBClusterParameterGroup{}, opError(err, KindClusterParameterGroup, name, fmt.Sprintf("finding cluster parameter group (%s)", name))
	}
	for _, g := range out.DBClusterParameterGroups {
		if aws.ToString(g.DBClusterParameterGroupName) == name {
			return g, nil
		}
	}
	return types.DBClusterParameterGroup{}, &NotFoundError{Kind: KindClusterParameterGroup, Name: name,
		Err: &types.DBParameterGroupNotFoundFault{Message: aws.String("DBClusterParameterGroup not found: " + name)}}
}

// FindInstance returns the DB instance with identifier id.
func FindInstance(ctx context.Context, api rds.DescribeDBInstancesAPIClient, id string) (types.DBInstance, error) {
	out, err := api.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil {
		return types.DBInstance{}, opError(err, KindInstance, id, fmt.Sprintf("finding DB instance (%s)", id))
	}
	for _, in := range out.DBInstances {
		if aws.ToString(in.DBInstanceIdentifier) == id {
			return in, nil
		}
	}
	return types.DBInstance{}, &NotFoundError{Kind: KindInstance, Name: id,
		Err: &types.DBInstanceNotFoundFault{Message: aws.String("DBInstance " + id + " not found.")}}
}

// AllInstances lists every DB instance in the region.
func AllInstances(ctx context.Context, api rds.DescribeDBInstancesAPIClient) ([]types.DBInstance, error) {
	p := rds.NewDescribeDBInstancesPaginator(api, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(100)})
	return collect(ctx, p, func(o *rds.DescribeDBInstancesOutput) []types.DBInstance { return o.DBInstances },
		func(err error) error { return opError(err, "", "", "listing DB instances") })
}

// AllClusters lists every DB cluster in the region.
func AllClusters(ctx context.Context, api rds.DescribeDBClustersAPIClient) ([]types.DBCluster, error) {
	p := rds.NewDescribeDBClustersPaginator(api, &rds.DescribeDBClustersInput{MaxRecords: aws.Int32(100)})
	return collect(ctx, p, func(o *rds.DescribeDBClustersOutput) []types.DBCluster { return o.DBClusters },
		func(err error) error { return opError(err, "", "", "listing DB clusters") })
}

// FindCluster returns the DB cluster with identifier id.
func FindCluster(ctx context.Context, api rds.DescribeDBClustersAPIClient, id string) (types.DBCluster, error) {
	out, err := api.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
	if err != nil {
		return types.DBCluster{}, opError(err, KindCluster, id, fmt.Sprintf("finding DB cluster (%s)", id))
	}
	for _, c := range out.DBClusters {
		if aws.ToString(c.DBClusterIdentifier) == id {
			return c, nil
		}
	}
	return types.DBCluster{}, &NotFoundError{Kind: KindCluster, Name: id,
		Err: &types.DBClusterNotFoundFault{Message: aws.String("DBCluster " + id + " not found.")}}
}

// allEvents returns the events matching in (source, time window,
// categories), every page of them.
func allEvents(ctx context.Context, api rds.DescribeEventsAPIClient, in *rds.DescribeEventsInput) ([]types.Event, error) {
	return collect(ctx, rds.NewDescribeEventsPaginator(api, in),
		func(o *rds.DescribeEventsOutput) []types.Event { return o.Events },
		func(err error) error { return opError(err, "", "", "describing events") })
}
