package cloud

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// The waits use the SDK's waiters (exponential backoff with jitter between
// MinDelay and MaxDelay, a hard deadline) with shorter delays than the
// SDK's 30s default: an RDS reboot takes tens of seconds and a lab one
// about one, and a CLI should notice either promptly. Callers may pass
// option functions to change the delays.

const (
	// DefaultWaitMinDelay and DefaultWaitMaxDelay bound the polling interval.
	DefaultWaitMinDelay = 1 * time.Second
	DefaultWaitMaxDelay = 15 * time.Second
	// DefaultMaxWait is used when a wait is given no positive maximum.
	DefaultMaxWait = 30 * time.Minute
)

// ErrPendingReboot is returned by WaitInstanceInSync when a parameter group
// is pending-reboot: it would never reach in-sync without a reboot, so
// waiting longer is pointless.
var ErrPendingReboot = errors.New("parameter group is pending-reboot: reboot the instance to apply it")

func maxWaitOr(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultMaxWait
	}
	return d
}

// WaitInstanceAvailable waits until instance id is available, for at most
// maxWait.
func WaitInstanceAvailable(ctx context.Context, api rds.DescribeDBInstancesAPIClient, id string, maxWait time.Duration, optFns ...func(*rds.DBInstanceAvailableWaiterOptions)) error {
	w := rds.NewDBInstanceAvailableWaiter(api, append([]func(*rds.DBInstanceAvailableWaiterOptions){func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = DefaultWaitMinDelay, DefaultWaitMaxDelay
	}}, optFns...)...)
	in := &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)}
	if err := w.Wait(ctx, in, maxWaitOr(maxWait)); err != nil {
		return fmt.Errorf("waiting for instance (%s) to be available: %w", id, err)
	}
	return nil
}

// WaitInstanceInSync waits until instance id is available and every DB
// parameter group attached to it is in-sync, i.e. the group's values are
// what the server runs. It fails fast with ErrPendingReboot.
func WaitInstanceInSync(ctx context.Context, api rds.DescribeDBInstancesAPIClient, id string, maxWait time.Duration, optFns ...func(*rds.DBInstanceAvailableWaiterOptions)) error {
	w := rds.NewDBInstanceAvailableWaiter(api, append([]func(*rds.DBInstanceAvailableWaiterOptions){func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = DefaultWaitMinDelay, DefaultWaitMaxDelay
		o.Retryable = inSyncRetryable
	}}, optFns...)...)
	in := &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)}
	if err := w.Wait(ctx, in, maxWaitOr(maxWait)); err != nil {
		return fmt.Errorf("waiting for instance (%s) parameters to be in-sync: %w", id, err)
	}
	return nil
}

// inSyncRetryable is the waiter's state check for WaitInstanceInSync: true
// means poll again, false with nil means done.
func inSyncRetryable(_ context.Context, _ *rds.DescribeDBInstancesInput, out *rds.DescribeDBInstancesOutput, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	if len(out.DBInstances) == 0 {
		return true, nil
	}
	in := out.DBInstances[0]
	switch st := aws.ToString(in.DBInstanceStatus); st {
	case "available":
	case "deleted", "deleting", "failed", "incompatible-restore", "incompatible-parameters":
		return false, fmt.Errorf("instance is %s", st)
	default:
		return true, nil
	}
	for _, g := range in.DBParameterGroups {
		switch aws.ToString(g.ParameterApplyStatus) {
		case "in-sync":
		case "pending-reboot":
			return false, fmt.Errorf("%s: %w", aws.ToString(g.DBParameterGroupName), ErrPendingReboot)
		default:
			return true, nil
		}
	}
	return false, nil
}

// WaitInstanceDeleted waits until instance id no longer exists.
func WaitInstanceDeleted(ctx context.Context, api rds.DescribeDBInstancesAPIClient, id string, maxWait time.Duration, optFns ...func(*rds.DBInstanceDeletedWaiterOptions)) error {
	w := rds.NewDBInstanceDeletedWaiter(api, append([]func(*rds.DBInstanceDeletedWaiterOptions){func(o *rds.DBInstanceDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = DefaultWaitMinDelay, DefaultWaitMaxDelay
	}}, optFns...)...)
	in := &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)}
	if err := w.Wait(ctx, in, maxWaitOr(maxWait)); err != nil {
		return fmt.Errorf("waiting for instance (%s) to be deleted: %w", id, err)
	}
	return nil
}

// WaitClusterAvailable waits until cluster id is available.
func WaitClusterAvailable(ctx context.Context, api rds.DescribeDBClustersAPIClient, id string, maxWait time.Duration, optFns ...func(*rds.DBClusterAvailableWaiterOptions)) error {
	w := rds.NewDBClusterAvailableWaiter(api, append([]func(*rds.DBClusterAvailableWaiterOptions){func(o *rds.DBClusterAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = DefaultWaitMinDelay, DefaultWaitMaxDelay
	}}, optFns...)...)
	in := &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)}
	if err := w.Wait(ctx, in, maxWaitOr(maxWait)); err != nil {
		return fmt.Errorf("waiting for cluster (%s) to be available: %w", id, err)
	}
	return nil
}
