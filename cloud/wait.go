package cloud

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// The waits use the SDK's waiters (exponential backoff with jitter between
// MinDelay and MaxDelay, a hard deadline) with shorter delays than the
// SDK's 30s default: an RDS reboot takes tens of seconds and a lab one
// about one, and a CLI should notice either promptly. Callers may pass
// WaitOptions to change the delays or watch each answer.

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

// ErrWaitTimedOut is in the chain of a wait that reached its maximum
// without the state, as opposed to one the state check ended (a failed
// instance, ErrPendingReboot) or a canceled context.
var ErrWaitTimedOut = errors.New("wait timed out")

// WaitOption tunes WaitInstanceAvailable and WaitInstanceInSync: the
// delays, or the state check (see ObserveInstance, ThroughPendingReboot).
type WaitOption = func(*rds.DBInstanceAvailableWaiterOptions)

func maxWaitOr(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultMaxWait
	}
	return d
}

// ObserveInstance calls f with every description of the instance the
// wait reads, before the state check: for progress output and for saying
// what was last seen when a wait gives up.
func ObserveInstance(f func(types.DBInstance)) WaitOption {
	return func(o *rds.DBInstanceAvailableWaiterOptions) {
		check := o.Retryable
		o.Retryable = func(ctx context.Context, in *rds.DescribeDBInstancesInput, out *rds.DescribeDBInstancesOutput, err error) (bool, error) {
			if err == nil && out != nil && len(out.DBInstances) > 0 {
				f(out.DBInstances[0])
			}
			return check(ctx, in, out, err)
		}
	}
}

// ThroughPendingReboot makes WaitInstanceInSync poll on through
// pending-reboot instead of failing fast: right after a reboot was asked
// for, pending-reboot only means it has not begun yet (RDS's reads are
// eventually consistent).
func ThroughPendingReboot(o *rds.DBInstanceAvailableWaiterOptions) {
	check := o.Retryable
	o.Retryable = func(ctx context.Context, in *rds.DescribeDBInstancesInput, out *rds.DescribeDBInstancesOutput, err error) (bool, error) {
		retry, err := check(ctx, in, out, err)
		if errors.Is(err, ErrPendingReboot) {
			return true, nil
		}
		return retry, err
	}
}

// waitInstance runs the available waiter with check as its state check
// (nil: the SDK's), then optFns, and types the outcome: a missing instance
// is a *NotFoundError, running out of time wraps ErrWaitTimedOut, and the
// check's own error or ctx's is kept.
func waitInstance(ctx context.Context, api rds.DescribeDBInstancesAPIClient, id string, maxWait time.Duration, what string,
	check func(context.Context, *rds.DescribeDBInstancesInput, *rds.DescribeDBInstancesOutput, error) (bool, error), optFns []WaitOption) error {
	var checkErr error
	fns := []WaitOption{func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = DefaultWaitMinDelay, DefaultWaitMaxDelay
		if check != nil {
			o.Retryable = check
		}
	}}
	fns = append(fns, optFns...)
	fns = append(fns, func(o *rds.DBInstanceAvailableWaiterOptions) {
		inner := o.Retryable
		o.Retryable = func(ctx context.Context, in *rds.DescribeDBInstancesInput, out *rds.DescribeDBInstancesOutput, err error) (bool, error) {
			retry, err := inner(ctx, in, out, err)
			checkErr = err
			return retry, err
		}
	})
	w := rds.NewDBInstanceAvailableWaiter(api, fns...)
	err := w.Wait(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)}, maxWaitOr(maxWait))
	return waitError(ctx, err, checkErr, KindInstance, id, fmt.Sprintf("waiting for DB instance (%s) %s", id, what))
}

// waitError types a waiter's outcome: a missing resource (kind, id) is a
// *NotFoundError, running out of time wraps ErrWaitTimedOut (the state
// check never said stop: checkErr is nil), and the check's own error or
// ctx's is kept, under op.
func waitError(ctx context.Context, err, checkErr error, kind, id, op string) error {
	var nf *NotFoundError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &nf):
		return err
	case IsNotFound(err):
		return &NotFoundError{Kind: kind, Name: id, Err: err}
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", op, ctx.Err())
	case checkErr == nil:
		return fmt.Errorf("%s: %w", op, ErrWaitTimedOut)
	case Code(err) != "":
		return &OpError{Op: op, Err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// WaitInstanceAvailable waits until instance id is available, for at most
// maxWait.
func WaitInstanceAvailable(ctx context.Context, api rds.DescribeDBInstancesAPIClient, id string, maxWait time.Duration, optFns ...WaitOption) error {
	return waitInstance(ctx, api, id, maxWait, "to be available", nil, optFns)
}

// WaitInstanceInSync waits until instance id is available and every DB
// parameter group attached to it is in-sync, i.e. the group's values are
// what the server runs. It fails fast with ErrPendingReboot.
func WaitInstanceInSync(ctx context.Context, api rds.DescribeDBInstancesAPIClient, id string, maxWait time.Duration, optFns ...WaitOption) error {
	return waitInstance(ctx, api, id, maxWait, "parameters to be in-sync", inSyncRetryable, optFns)
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
		return opError(err, "", "", fmt.Sprintf("waiting for DB instance (%s) to be deleted", id))
	}
	return nil
}
