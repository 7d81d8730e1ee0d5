package converge

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

// runClusterFailover is a rolling plan's failover step: failover.RunCluster
// to step.Instance (an updated reader), measured as `rdsctl failover
// --cluster` measures it (a writing probe through the cluster endpoint, a
// side probe on the old writer's own endpoint), with the new writer
// verified. The result is nil when nothing could be run.
func runClusterFailover(ctx context.Context, api cloud.RDS, awsCfg aws.Config, step Step, opts Options) (*failover.Result, error) {
	c, _, err := failover.ClusterPreflight(ctx, api, step.Cluster, step.Instance)
	if err != nil {
		return nil, err
	}
	probe, err := clusterProbe(ctx, awsCfg, c, opts)
	if err != nil {
		return nil, err
	}
	fo := failover.Options{Cluster: c.ID, Target: step.Instance, Probe: probe, Timeout: opts.Timeout,
		MaxDowntime: opts.MaxDowntime, Progress: opts.Progress, Warn: opts.Warn,
		VerifyInstance: func(ctx context.Context, id string) (*verify.Report, error) {
			return verifyMember(ctx, api, awsCfg, step, id, opts)
		}}
	if addr := c.Writer().Endpoint(); addr != "" {
		fo.OldWriterProbe = probe.At(addr)
		fo.OldWriterProbe.Write = true
	}
	return failover.RunCluster(ctx, api, fo)
}

// clusterProbe is a probe of cluster c's endpoint, logged in as its
// writer's master user.
func clusterProbe(ctx context.Context, awsCfg aws.Config, c cloud.Cluster, opts Options) (*failover.Probe, error) {
	in, err := failover.ClusterLogin(c)
	if err != nil {
		return nil, err
	}
	return memberProbe(ctx, awsCfg, in, opts)
}
