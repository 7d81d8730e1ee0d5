package cloud

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// clusterCreator is the SDK method CreateCluster calls.
type clusterCreator interface {
	CreateDBCluster(context.Context, *rds.CreateDBClusterInput, ...func(*rds.Options)) (*rds.CreateDBClusterOutput, error)
}

// ClusterSpec is what CreateCluster needs to make an Aurora DB cluster.
// Group "" is the engine's default DB cluster parameter group.
type ClusterSpec struct {
	ID             string
	Engine         string
	Group          string
	MasterUser     string
	MasterPassword string
}

// CreateCluster creates a DB cluster (without members) from spec and
// returns it as RDS answered (status "creating"). A missing cluster
// parameter group is a *NotFoundError of that kind; the password never
// appears in an error.
func CreateCluster(ctx context.Context, api clusterCreator, spec ClusterSpec) (types.DBCluster, error) {
	in := &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String(spec.ID),
		Engine:              aws.String(spec.Engine),
		MasterUsername:      aws.String(spec.MasterUser),
		MasterUserPassword:  aws.String(spec.MasterPassword),
	}
	if spec.Group != "" {
		in.DBClusterParameterGroupName = aws.String(spec.Group)
	}
	out, err := api.CreateDBCluster(ctx, in)
	if err != nil {
		return types.DBCluster{}, createError(err, fmt.Sprintf("creating DB cluster (%s)", spec.ID), spec.ID,
			named{KindClusterParameterGroup, spec.Group})
	}
	if out.DBCluster == nil {
		return types.DBCluster{}, nil
	}
	return *out.DBCluster, nil
}

// MemberSpec is what CreateClusterMember needs to add a DB instance to a
// cluster: the instance takes its engine version, master user and storage
// from the cluster. Group "" is the engine's default DB parameter group.
type MemberSpec struct {
	ID      string
	Cluster string
	Engine  string
	Class   string
	Group   string
}

// CreateClusterMember creates a DB instance in a DB cluster and returns it
// as RDS answered (status "creating"). The cluster's first member is its
// writer; later ones are readers.
func CreateClusterMember(ctx context.Context, api instanceCreator, spec MemberSpec) (types.DBInstance, error) {
	in := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(spec.ID),
		DBClusterIdentifier:  aws.String(spec.Cluster),
		Engine:               aws.String(spec.Engine),
		DBInstanceClass:      aws.String(spec.Class),
	}
	if spec.Group != "" {
		in.DBParameterGroupName = aws.String(spec.Group)
	}
	out, err := api.CreateDBInstance(ctx, in)
	if err != nil {
		return types.DBInstance{}, createError(err, fmt.Sprintf("creating DB instance (%s) in DB cluster (%s)", spec.ID, spec.Cluster), spec.ID,
			named{KindCluster, spec.Cluster}, named{KindParameterGroup, spec.Group})
	}
	if out.DBInstance == nil {
		return types.DBInstance{}, nil
	}
	return *out.DBInstance, nil
}
