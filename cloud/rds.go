package cloud

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// RDS lists exactly the SDK methods rdsctl calls. Keeping it exact makes
// the project's AWS surface (and the IAM permissions it needs) readable in
// one place, and it is what the lab has to implement. Add a method here
// when a command starts calling it.
type RDS interface {
	// DB parameter groups.
	CreateDBParameterGroup(context.Context, *rds.CreateDBParameterGroupInput, ...func(*rds.Options)) (*rds.CreateDBParameterGroupOutput, error)
	CopyDBParameterGroup(context.Context, *rds.CopyDBParameterGroupInput, ...func(*rds.Options)) (*rds.CopyDBParameterGroupOutput, error)
	DeleteDBParameterGroup(context.Context, *rds.DeleteDBParameterGroupInput, ...func(*rds.Options)) (*rds.DeleteDBParameterGroupOutput, error)
	DescribeDBParameterGroups(context.Context, *rds.DescribeDBParameterGroupsInput, ...func(*rds.Options)) (*rds.DescribeDBParameterGroupsOutput, error)
	DescribeDBParameters(context.Context, *rds.DescribeDBParametersInput, ...func(*rds.Options)) (*rds.DescribeDBParametersOutput, error)
	ModifyDBParameterGroup(context.Context, *rds.ModifyDBParameterGroupInput, ...func(*rds.Options)) (*rds.ModifyDBParameterGroupOutput, error)
	ResetDBParameterGroup(context.Context, *rds.ResetDBParameterGroupInput, ...func(*rds.Options)) (*rds.ResetDBParameterGroupOutput, error)
	DescribeEngineDefaultParameters(context.Context, *rds.DescribeEngineDefaultParametersInput, ...func(*rds.Options)) (*rds.DescribeEngineDefaultParametersOutput, error)

	// DB cluster parameter groups (Aurora).
	CreateDBClusterParameterGroup(context.Context, *rds.CreateDBClusterParameterGroupInput, ...func(*rds.Options)) (*rds.CreateDBClusterParameterGroupOutput, error)
	CopyDBClusterParameterGroup(context.Context, *rds.CopyDBClusterParameterGroupInput, ...func(*rds.Options)) (*rds.CopyDBClusterParameterGroupOutput, error)
	DeleteDBClusterParameterGroup(context.Context, *rds.DeleteDBClusterParameterGroupInput, ...func(*rds.Options)) (*rds.DeleteDBClusterParameterGroupOutput, error)
	DescribeDBClusterParameterGroups(context.Context, *rds.DescribeDBClusterParameterGroupsInput, ...func(*rds.Options)) (*rds.DescribeDBClusterParameterGroupsOutput, error)
	DescribeDBClusterParameters(context.Context, *rds.DescribeDBClusterParametersInput, ...func(*rds.Options)) (*rds.DescribeDBClusterParametersOutput, error)
	ModifyDBClusterParameterGroup(context.Context, *rds.ModifyDBClusterParameterGroupInput, ...func(*rds.Options)) (*rds.ModifyDBClusterParameterGroupOutput, error)
	ResetDBClusterParameterGroup(context.Context, *rds.ResetDBClusterParameterGroupInput, ...func(*rds.Options)) (*rds.ResetDBClusterParameterGroupOutput, error)
	DescribeEngineDefaultClusterParameters(context.Context, *rds.DescribeEngineDefaultClusterParametersInput, ...func(*rds.Options)) (*rds.DescribeEngineDefaultClusterParametersOutput, error)

	// Instances, clusters and events.
	DescribeDBInstances(context.Context, *rds.DescribeDBInstancesInput, ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	ModifyDBInstance(context.Context, *rds.ModifyDBInstanceInput, ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error)
	RebootDBInstance(context.Context, *rds.RebootDBInstanceInput, ...func(*rds.Options)) (*rds.RebootDBInstanceOutput, error)
	DescribeDBClusters(context.Context, *rds.DescribeDBClustersInput, ...func(*rds.Options)) (*rds.DescribeDBClustersOutput, error)
	ModifyDBCluster(context.Context, *rds.ModifyDBClusterInput, ...func(*rds.Options)) (*rds.ModifyDBClusterOutput, error)
	FailoverDBCluster(context.Context, *rds.FailoverDBClusterInput, ...func(*rds.Options)) (*rds.FailoverDBClusterOutput, error)
	DescribeEvents(context.Context, *rds.DescribeEventsInput, ...func(*rds.Options)) (*rds.DescribeEventsOutput, error)
}

var _ RDS = (*rds.Client)(nil)

// NewRDS returns the SDK client (a *rds.Client) for cfg from Load,
// honouring the --endpoint-url carried in cfg over every environment
// setting. optFns are applied next, e.g. a recording HTTP client in tests,
// then WithFastParameterDecoding, and WithOwnRequestBody last, so that it
// wraps whatever client they set.
func NewRDS(cfg aws.Config, optFns ...func(*rds.Options)) RDS {
	return NewClient(cfg, optFns...)
}

// NewClient is NewRDS with the concrete type, for callers (tests, the lab
// setup in demo) that need SDK methods outside the RDS interface, such as
// CreateDBInstance.
func NewClient(cfg aws.Config, optFns ...func(*rds.Options)) *rds.Client {
	fns := make([]func(*rds.Options), 0, len(optFns)+2)
	if url, ok := rdsEndpoint(cfg); ok {
		fns = append(fns, func(o *rds.Options) { o.BaseEndpoint = aws.String(url) })
	}
	fns = append(append(fns, optFns...), WithFastParameterDecoding, WithOwnRequestBody)
	return rds.NewFromConfig(cfg, fns...)
}
