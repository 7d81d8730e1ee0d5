package main

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

// clusterFailoverRun is `rdsctl failover --cluster C [--target I]`: the
// flags become failover.Options for failover.RunCluster, with one probe
// through the cluster endpoint and one through the old writer's own.
func clusterFailoverRun(ctx context.Context, opts *FailoverOptions, api cloud.RDS, awsCfg aws.Config, vo verify.Options) error {
	ios := opts.IO
	c, _, err := failover.ClusterPreflight(ctx, api, opts.Cluster, opts.Target)
	switch {
	case errors.Is(err, failover.ErrNoReader):
		return cli.Usage(err)
	case err != nil:
		return err
	}
	to := "the reader RDS picks"
	if opts.Target != "" {
		to = opts.Target
	}
	if err := ios.Confirm("fail over cluster " + c.ID + " (writer " + c.Writer().Instance + " to " + to + ")"); err != nil {
		return err
	}
	in, err := failover.ClusterLogin(c)
	if err != nil {
		return err
	}
	probe, err := loginProbe(ctx, vo, awsCfg, in, opts.ProbeInterval)
	if err != nil {
		return err
	}
	fo := failover.Options{Cluster: c.ID, Target: opts.Target, Probe: probe, Timeout: opts.Timeout,
		MaxDowntime: opts.MaxDowntime, Progress: ios.Progressf, Warn: ios.Warnf}
	if addr := c.Writer().Endpoint(); addr != "" {
		fo.OldWriterProbe = probe.At(addr)
		fo.OldWriterProbe.Write = true
	}
	if !opts.NoVerify {
		fo.VerifyInstance = func(ctx context.Context, id string) (*verify.Report, error) {
			return verify.Instance(ctx, api, awsCfg, id, vo)
		}
	}
	res, runErr := failover.RunCluster(ctx, api, fo)
	return failoverReport(opts, res, runErr)
}
