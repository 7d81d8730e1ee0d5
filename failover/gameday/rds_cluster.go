package gameday

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

// NewClusterDriver is NewRDSDriver for an Aurora DB cluster target
// (scenario `target: {cluster: C}`): the database probe writes through
// the cluster endpoint, a failover step is failover.RunCluster, reboot
// and verify act on the current writer, waits cover every member, and
// set/reset steps reach the cluster's parameter group as a cluster group.
func NewClusterDriver(ctx context.Context, api cloud.RDS, awsCfg aws.Config, id string, login verify.Login, warnf, logf func(string, ...any)) (*RDSDriver, error) {
	if err := login.Validate(); err != nil {
		return nil, err
	}
	c, err := cloud.DescribeCluster(ctx, api, id)
	if err != nil {
		return nil, err
	}
	in, err := failover.ClusterLogin(c)
	if err != nil {
		return nil, err
	}
	conn, err := login.Resolve(ctx, awsCfg, in, warnf)
	if err != nil {
		return nil, err
	}
	return &RDSDriver{api: api, awsCfg: awsCfg, id: id, cluster: true, login: login, conn: conn, warnf: warnf, logf: logf}, nil
}

func (d *RDSDriver) describeCluster(ctx context.Context) (TargetInfo, error) {
	c, err := cloud.DescribeCluster(ctx, d.api, d.id)
	if err != nil {
		return TargetInfo{}, err
	}
	t := TargetInfo{ID: d.id, Engine: c.Engine, Status: c.Status, Endpoint: c.Endpoint, Tags: map[string]string{}}
	if c.ClusterGroup != "" {
		t.Groups = append(t.Groups, c.ClusterGroup)
	}
	if w := c.Writer(); w != nil {
		t.AZ = aws.ToString(w.Raw.AvailabilityZone)
	}
	// A cluster with a reader to promote can fail over, as a Multi-AZ
	// instance can.
	t.MultiAZ = len(c.Members) > 1
	for _, tag := range c.Raw.TagList {
		t.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return t, nil
}

// instance is what verify and a reboot act on: the target instance, or a
// cluster's current writer.
func (d *RDSDriver) instance(ctx context.Context) (string, error) {
	if !d.cluster {
		return d.id, nil
	}
	c, err := cloud.DescribeCluster(ctx, d.api, d.id)
	if err != nil {
		return "", err
	}
	w := c.Writer()
	if w == nil {
		return "", fmt.Errorf("cluster %s has no writer", d.id)
	}
	return w.Instance, nil
}

func (d *RDSDriver) restartCluster(ctx context.Context, force bool) (*failover.Result, error) {
	if force {
		return failover.RunCluster(ctx, d.api, failover.Options{Cluster: d.id, Probe: d.DatabaseProbe(), Progress: d.logf, Warn: d.warnf})
	}
	id, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	return failover.Run(ctx, d.api, failover.Options{Instance: id, Probe: d.DatabaseProbe(), Progress: d.logf, Warn: d.warnf})
}

func (d *RDSDriver) waitCluster(ctx context.Context, cond string, timeout time.Duration) error {
	fast := func(o *rds.DBClusterAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 5*time.Second
	}
	switch cond {
	case WaitAvailable:
		return cloud.WaitClusterAvailable(ctx, d.api, d.id, timeout, nil, fast)
	case WaitInSync:
		return cloud.WaitClusterInSync(ctx, d.api, d.id, timeout, nil, fast)
	}
	return fmt.Errorf("unknown wait condition %q", cond)
}
