package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/failover"
)

// statusIncompatibleParameters is RDS's status for an instance whose
// engine would not start with its parameter group.
const statusIncompatibleParameters = "incompatible-parameters"

// recoverableByReboot reports whether a preflight refusal is an
// incompatible-parameters instance that a plain reboot may bring back:
// AWS allows RebootDBInstance there (after the group is fixed), and it is
// the way out, so rdsctl reboot must not refuse it.
func recoverableByReboot(opts *FailoverOptions, in types.DBInstance, err error) bool {
	return !opts.Failover && opts.Command == "reboot" && errors.Is(err, failover.ErrNotAvailable) &&
		aws.ToString(in.DBInstanceStatus) == statusIncompatibleParameters
}

// rebootIncompatible reboots an incompatible-parameters instance and
// waits until it is available, without the downtime probe or the
// baseline (there is no server to measure). If the group is still
// incompatible, the instance goes back to incompatible-parameters and
// this says so, with what to fix.
func rebootIncompatible(ctx context.Context, opts *FailoverOptions, api cloud.RDS, in types.DBInstance) error {
	ios := opts.IO
	id := opts.Instance
	groups := ""
	for _, g := range in.DBParameterGroups {
		groups = aws.ToString(g.DBParameterGroupName)
	}
	ios.Warnf("%s is %s: rebooting it with parameter group %s, without a downtime measurement (its server is not running)", id, statusIncompatibleParameters, groups)
	if err := ios.Confirm("reboot " + id); err != nil {
		return err
	}
	if _, err := cloud.RebootInstance(ctx, api, id, false); err != nil {
		return err
	}
	ios.Progressf("rebooting %s; waiting until it is available (at most %s)", id, opts.Timeout)
	err := cloud.WaitInstanceAvailable(ctx, api, id, opts.Timeout)
	if err != nil {
		if got, ferr := cloud.FindInstance(ctx, api, id); ferr == nil && aws.ToString(got.DBInstanceStatus) == statusIncompatibleParameters {
			return fmt.Errorf("%s is still %s: the server refused parameter group %s again; fix the group (rdsctl params diff/set/reset %s), then rdsctl reboot %s",
				id, statusIncompatibleParameters, groups, groups, id)
		}
		return err
	}
	ios.Successf("%s is available again", id)
	return nil
}
