package failover

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
)

// StatusIncompatibleParameters is RDS's status for an instance whose
// engine would not start with its parameter group.
const StatusIncompatibleParameters = "incompatible-parameters"

// ErrStillIncompatible says a recovery reboot found the group still
// refused by the engine: the group must be fixed first.
var ErrStillIncompatible = errors.New("the engine refused the parameter group again")

// Recoverable reports whether a Preflight refusal of a plain reboot is an
// incompatible-parameters instance, which a reboot may bring back: AWS
// allows RebootDBInstance there (after the group is fixed), and it is the
// way out, so a reboot must not be refused. A failover never is.
func Recoverable(in types.DBInstance, preflightErr error, forceFailover bool) bool {
	return !forceFailover && errors.Is(preflightErr, ErrNotAvailable) &&
		aws.ToString(in.DBInstanceStatus) == StatusIncompatibleParameters
}

// RecoverIncompatible reboots incompatible-parameters instance id and
// waits, at most timeout, until it is available. There is no server to
// measure, so it runs no probe and no baseline. If the group is still
// incompatible the instance returns to incompatible-parameters and the
// error wraps ErrStillIncompatible, naming the group to fix. progress
// receives one line per step; nil discards.
func RecoverIncompatible(ctx context.Context, api API, id string, timeout time.Duration, progress func(string, ...any)) error {
	if progress == nil {
		progress = func(string, ...any) {}
	}
	if _, err := cloud.RebootInstance(ctx, api, id, false); err != nil {
		return err
	}
	progress("rebooting %s; waiting until it is available (at most %s)", id, timeout)
	err := cloud.WaitInstanceAvailable(ctx, api, id, timeout)
	if err == nil {
		return nil
	}
	got, ferr := cloud.FindInstance(ctx, api, id)
	if ferr == nil && aws.ToString(got.DBInstanceStatus) == StatusIncompatibleParameters {
		group := groupOf(got)
		return stillIncompatible(fmt.Sprintf("%s is still %s: the server refused parameter group %s again; fix the group (rdsctl params diff/set/reset %s), then rdsctl reboot %s",
			id, StatusIncompatibleParameters, group, group, id))
	}
	return err
}

// stillIncompatible is an ErrStillIncompatible that says what to do.
type stillIncompatible string

func (e stillIncompatible) Error() string        { return string(e) }
func (e stillIncompatible) Is(target error) bool { return target == ErrStillIncompatible }

// groupOf names an instance's (last) DB parameter group.
func groupOf(in types.DBInstance) string {
	g := ""
	for _, pg := range in.DBParameterGroups {
		g = aws.ToString(pg.DBParameterGroupName)
	}
	return g
}
