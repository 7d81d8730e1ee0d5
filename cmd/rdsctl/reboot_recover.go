package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/failover"
)

// rebootIncompatible is `rdsctl reboot` of an incompatible-parameters
// instance: it says what it will do, asks, and lets failover recover it.
func rebootIncompatible(ctx context.Context, opts *FailoverOptions, api cloud.RDS, in types.DBInstance) error {
	ios := opts.IO
	group := ""
	for _, g := range in.DBParameterGroups {
		group = aws.ToString(g.DBParameterGroupName)
	}
	ios.Warnf("%s is %s: rebooting it with parameter group %s, without a downtime measurement (its server is not running)",
		opts.Instance, failover.StatusIncompatibleParameters, group)
	if err := ios.Confirm("reboot " + opts.Instance); err != nil {
		return err
	}
	if err := failover.RecoverIncompatible(ctx, api, opts.Instance, opts.Timeout, ios.Progressf); err != nil {
		return err
	}
	ios.Successf("%s is available again", opts.Instance)
	return nil
}
