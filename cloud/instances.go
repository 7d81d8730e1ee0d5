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
	instanceCreator interface {
		CreateDBInstance(context.Context, *rds.CreateDBInstanceInput, ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error)
	}
)

// NewInstance is what CreateInstance needs: rdsctl creates instances only
// for its demo and labs (infrastructure code makes real ones), so this is
// the few settings those use, not the whole CreateDBInstance input.
type NewInstance struct {
	ID             string
	Class          string
	Engine         string
	MultiAZ        bool
	ParameterGroup string
	MasterUser     string
	// MasterPassword is sent to RDS and never shown.
	MasterPassword string
}

// CreateInstance creates DB instance n.ID and returns it as RDS answered
// (status "creating"); CreateInstance does not wait for it.
func CreateInstance(ctx context.Context, api instanceCreator, n NewInstance) (types.DBInstance, error) {
	in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(n.ID),
		DBInstanceClass: aws.String(n.Class), Engine: aws.String(n.Engine), MultiAZ: aws.Bool(n.MultiAZ),
		MasterUsername: aws.String(n.MasterUser), MasterUserPassword: aws.String(n.MasterPassword)}
	if n.ParameterGroup != "" {
		in.DBParameterGroupName = aws.String(n.ParameterGroup)
	}
	out, err := api.CreateDBInstance(ctx, in)
	if err != nil {
		op := fmt.Sprintf("creating DB instance (%s)", n.ID)
		if notFoundIs(Code(err), KindParameterGroup) {
			return types.DBInstance{}, opError(err, KindParameterGroup, n.ParameterGroup, op)
		}
		return types.DBInstance{}, opError(err, "", "", op)
	}
	if out.DBInstance == nil {
		return types.DBInstance{}, nil
	}
	return *out.DBInstance, nil
}

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
