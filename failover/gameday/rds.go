package gameday

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/params"
	"github.com/rdsctl/rdsctl/verify"
)

// RDSDriver is the Driver for a real DB instance, on AWS or a lab: groups
// through cloud.Groups, changes through params' planner and Apply,
// restarts through failover.Run, verification through verify.Instance. It
// adds no logic of its own, so a drill confirms a server exactly as
// `rdsctl verify` and times an outage exactly as `rdsctl failover` does.
type RDSDriver struct {
	api    cloud.RDS
	awsCfg aws.Config
	id     string
	// cluster is set for an Aurora cluster target (id is then the
	// cluster's): see NewClusterDriver.
	cluster bool
	login   verify.Login
	conn    verify.Connection
	warnf   func(string, ...any)
	logf    func(string, ...any)
}

var _ Driver = (*RDSDriver)(nil)

// NewRDSDriver finds instance id and resolves the database login, so that
// a missing instance or a wrong password source shows before anything is
// asked or changed. warnf and logf receive advice and progress for stderr.
func NewRDSDriver(ctx context.Context, api cloud.RDS, awsCfg aws.Config, id string, login verify.Login, warnf, logf func(string, ...any)) (*RDSDriver, error) {
	if err := login.Validate(); err != nil {
		return nil, err
	}
	in, err := cloud.FindInstance(ctx, api, id)
	if err != nil {
		return nil, err
	}
	conn, err := login.Resolve(ctx, awsCfg, in, warnf)
	if err != nil {
		return nil, err
	}
	return &RDSDriver{api: api, awsCfg: awsCfg, id: id, login: login, conn: conn, warnf: warnf, logf: logf}, nil
}

// groups reaches group's kind: for a cluster target, the cluster's own
// parameter group is a cluster parameter group, any other a DB one.
func (d *RDSDriver) groups(ctx context.Context, group string) cloud.Groups {
	if d.cluster {
		if c, err := cloud.FindCluster(ctx, d.api, d.id); err == nil && strings.EqualFold(aws.ToString(c.DBClusterParameterGroup), group) {
			return cloud.Groups{API: d.api, Cluster: true}
		}
	}
	return cloud.Groups{API: d.api}
}

func (d *RDSDriver) DescribeTarget(ctx context.Context) (TargetInfo, error) {
	if d.cluster {
		return d.describeCluster(ctx)
	}
	in, err := cloud.FindInstance(ctx, d.api, d.id)
	if err != nil {
		return TargetInfo{}, err
	}
	t := TargetInfo{ID: d.id, Engine: aws.ToString(in.Engine), Status: aws.ToString(in.DBInstanceStatus),
		MultiAZ: aws.ToBool(in.MultiAZ), AZ: aws.ToString(in.AvailabilityZone), Tags: map[string]string{}}
	if in.Endpoint != nil {
		t.Endpoint = fmt.Sprintf("%s:%d", aws.ToString(in.Endpoint.Address), aws.ToInt32(in.Endpoint.Port))
	}
	for _, g := range in.DBParameterGroups {
		t.Groups = append(t.Groups, aws.ToString(g.DBParameterGroupName))
	}
	for _, tag := range in.TagList {
		t.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return t, nil
}

func (d *RDSDriver) GroupParams(ctx context.Context, group string, names []string) (map[string]ParamState, error) {
	ps, err := d.groups(ctx, group).Parameters(ctx, group, "")
	if err != nil {
		return nil, err
	}
	out := map[string]ParamState{}
	for _, p := range ps {
		n := aws.ToString(p.ParameterName)
		for _, asked := range names {
			if strings.EqualFold(asked, n) {
				out[asked] = ParamState{Name: asked, Value: aws.ToString(p.ParameterValue), UserSet: aws.ToString(p.Source) == cloud.SourceUser}
			}
		}
	}
	return out, nil
}

// plan validates a set (values) or reset (names) against the group's
// metadata: the same planner `rdsctl params set|reset` uses.
func (d *RDSDriver) plan(ctx context.Context, group string, values []Param, names []string) (*params.Plan, error) {
	g := d.groups(ctx, group)
	ps, err := g.Parameters(ctx, group, "")
	if err != nil {
		return nil, err
	}
	if values != nil {
		as := make([]params.Assignment, 0, len(values))
		for _, v := range values {
			as = append(as, params.Assignment{Name: v.Name, Value: v.Value})
		}
		return params.PlanModify(group, g.Cluster, ps, as, params.ApplyAuto)
	}
	return params.PlanReset(group, g.Cluster, ps, names, false, params.ApplyAuto)
}

func (d *RDSDriver) SetParams(ctx context.Context, group string, values []Param) error {
	if values == nil {
		values = []Param{}
	}
	p, err := d.plan(ctx, group, values, nil)
	if err != nil {
		return err
	}
	return params.Apply(ctx, cloud.GroupWriter{API: d.api}, p)
}

func (d *RDSDriver) CheckParams(ctx context.Context, group string, values []Param, names []string) error {
	if len(values) == 0 {
		values = nil
	}
	_, err := d.plan(ctx, group, values, names)
	if errors.Is(err, params.ErrInvalid) {
		return fmt.Errorf("%w (%w)", err, ErrInvalid)
	}
	return err
}

func (d *RDSDriver) ResetParams(ctx context.Context, group string, names []string) error {
	p, err := d.plan(ctx, group, nil, names)
	if err != nil {
		return err
	}
	return params.Apply(ctx, cloud.GroupWriter{API: d.api}, p)
}

func (d *RDSDriver) Reboot(ctx context.Context) (*failover.Result, error) {
	return d.restart(ctx, false)
}

func (d *RDSDriver) Failover(ctx context.Context) (*failover.Result, error) {
	return d.restart(ctx, true)
}

func (d *RDSDriver) restart(ctx context.Context, force bool) (*failover.Result, error) {
	if d.cluster {
		return d.restartCluster(ctx, force)
	}
	return failover.Run(ctx, d.api, failover.Options{Instance: d.id, Failover: force, Probe: d.DatabaseProbe(),
		Progress: d.logf, Warn: d.warnf})
}

func (d *RDSDriver) Verify(ctx context.Context, expect []Param) (*verify.Report, error) {
	args := make([]string, 0, len(expect))
	for _, p := range expect {
		args = append(args, p.Name+"="+p.Value)
	}
	exp, err := verify.ParseExpect(args)
	if err != nil {
		return nil, err
	}
	id, err := d.instance(ctx)
	if err != nil {
		return nil, err
	}
	return verify.Instance(ctx, d.api, d.awsCfg, id, verify.Options{Login: d.login, Expect: exp, Warnf: d.warnf})
}

func (d *RDSDriver) ServerValues(ctx context.Context, names []string) (map[string]string, error) {
	db, err := verify.Open(ctx, d.conn.Config)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	snap, err := verify.Read(ctx, db)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range names {
		if v, ok := snap.Global(n); ok {
			out[n] = v
		}
	}
	return out, nil
}

func (d *RDSDriver) Wait(ctx context.Context, cond string, timeout time.Duration) error {
	fast := func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 5*time.Second
	}
	var err error
	switch {
	case d.cluster:
		err = d.waitCluster(ctx, cond, timeout)
	case cond == WaitAvailable:
		err = cloud.WaitInstanceAvailable(ctx, d.api, d.id, timeout, fast)
	case cond == WaitInSync:
		err = cloud.WaitInstanceInSync(ctx, d.api, d.id, timeout, fast)
	default:
		return fmt.Errorf("unknown wait condition %q", cond)
	}
	if err != nil {
		return fmt.Errorf("waiting for %s to be %s: %w", d.id, cond, err)
	}
	return nil
}

func (d *RDSDriver) DatabaseProbe() *failover.Probe {
	p, err := failover.NewProbe(d.conn.Config)
	if err != nil { // the login was resolved already; an error here leaves the probe to report auth failures
		return &failover.Probe{Addr: d.conn.Config.Addr(), Interval: failover.DefaultInterval,
			ConnectTimeout: failover.DefaultConnectTimeout, ReadTimeout: failover.DefaultReadTimeout, WriteTimeout: failover.DefaultWriteTimeout, Write: d.cluster}
	}
	// Through a cluster endpoint a read-only answer is the outage.
	p.Write = d.cluster
	return p
}
