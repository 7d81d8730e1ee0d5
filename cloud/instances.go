package cloud

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// instanceModifier and instanceRebooter are the SDK methods the instance
// operations call, so that a package with its own narrow RDS interface
// (failover.API) can use them too.
type (
	instanceModifier interface {
		ModifyDBInstance(context.Context, *rds.ModifyDBInstanceInput, ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error)
	}
	instanceRebooter interface {
		RebootDBInstance(context.Context, *rds.RebootDBInstanceInput, ...func(*rds.Options)) (*rds.RebootDBInstanceOutput, error)
	}
)

// AttachParameterGroup makes group the DB parameter group of instance id,
// applied immediately: RDS then applies the group at the next reboot, so
// the instance goes applying, then pending-reboot. A missing instance or
// group is a *NotFoundError of that kind.
func AttachParameterGroup(ctx context.Context, api instanceModifier, id, group string) error {
	_, err := api.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String(id),
		DBParameterGroupName: aws.String(group),
		ApplyImmediately:     aws.Bool(true),
	})
	if err == nil {
		return nil
	}
	op := fmt.Sprintf("attaching parameter group (%s) to DB instance (%s)", group, id)
	if notFoundIs(Code(err), KindParameterGroup) {
		return opError(err, KindParameterGroup, group, op)
	}
	return opError(err, KindInstance, id, op)
}

// RebootInstance reboots DB instance id, with forceFailover a Multi-AZ
// failover to the standby, and returns the instance as RDS answered (its
// status is "rebooting" once accepted).
func RebootInstance(ctx context.Context, api instanceRebooter, id string, forceFailover bool) (types.DBInstance, error) {
	out, err := api.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), ForceFailover: aws.Bool(forceFailover)})
	if err != nil {
		return types.DBInstance{}, opError(err, KindInstance, id, fmt.Sprintf("rebooting DB instance (%s)", id))
	}
	if out.DBInstance == nil {
		return types.DBInstance{}, nil
	}
	return *out.DBInstance, nil
}

// InstanceEvents returns the RDS events of DB instance id since the given
// time, every page: what a failover timeline and verify's attach detection
// read.
func InstanceEvents(ctx context.Context, api rds.DescribeEventsAPIClient, id string, since time.Time) ([]types.Event, error) {
	since = since.UTC()
	return allEvents(ctx, api, &rds.DescribeEventsInput{SourceType: types.SourceTypeDbInstance,
		SourceIdentifier: aws.String(id), StartTime: &since})
}

// ClusterEvents is InstanceEvents for DB cluster id: a cluster failover's
// events (RDS-EVENT-0069..0073) are the cluster's, not its members'.
func ClusterEvents(ctx context.Context, api rds.DescribeEventsAPIClient, id string, since time.Time) ([]types.Event, error) {
	since = since.UTC()
	return allEvents(ctx, api, &rds.DescribeEventsInput{SourceType: types.SourceTypeDbCluster,
		SourceIdentifier: aws.String(id), StartTime: &since})
}
