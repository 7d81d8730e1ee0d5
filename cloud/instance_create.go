package cloud

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// instanceCreator is the SDK method CreateInstance calls.
type instanceCreator interface {
	CreateDBInstance(context.Context, *rds.CreateDBInstanceInput, ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error)
}

// InstanceSpec is what CreateInstance needs to make a DB instance: the
// few settings a parameter tool's user chooses, the rest left to RDS's
// defaults. Group "" is the engine's default group.
type InstanceSpec struct {
	ID             string
	Engine         string
	Class          string
	Group          string
	MultiAZ        bool
	MasterUser     string
	MasterPassword string
	// AllocatedStorage in GiB; 0 means 20, the smallest RDS takes for
	// MySQL and MariaDB.
	AllocatedStorage int32
}

// CreateInstance creates a DB instance from spec and returns it as RDS
// answered (status "creating"). A missing parameter group is a
// *NotFoundError of that kind; the password never appears in an error.
func CreateInstance(ctx context.Context, api instanceCreator, spec InstanceSpec) (types.DBInstance, error) {
	storage := spec.AllocatedStorage
	if storage == 0 {
		storage = 20
	}
	in := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(spec.ID),
		Engine:               aws.String(spec.Engine),
		DBInstanceClass:      aws.String(spec.Class),
		MultiAZ:              aws.Bool(spec.MultiAZ),
		MasterUsername:       aws.String(spec.MasterUser),
		MasterUserPassword:   aws.String(spec.MasterPassword),
		AllocatedStorage:     aws.Int32(storage),
	}
	if spec.Group != "" {
		in.DBParameterGroupName = aws.String(spec.Group)
	}
	out, err := api.CreateDBInstance(ctx, in)
	if err != nil {
		return types.DBInstance{}, createError(err, fmt.Sprintf("creating DB instance (%s)", spec.ID), spec.ID,
			named{KindParameterGroup, spec.Group})
	}
	if out.DBInstance == nil {
		return types.DBInstance{}, nil
	}
	return *out.DBInstance, nil
}
