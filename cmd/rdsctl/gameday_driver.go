package main

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
	"github.com/rdsctl/rdsctl/failover/gameday"
	"github.com/rdsctl/rdsctl/params"
	"github.com/rdsctl/rdsctl/verify"
)

// rdsDriver is gameday.Driver on what exists today: cloud's finds and
// waits, the params planner and Apply, failover.Run and the command
// layer's verifyInstance. It lives in a file of its own so that it can be
// switched to verify.Instance, failover.Run's verify step and the cloud
// parameter-group layer once those land, without touching the runner.
type rdsDriver struct {
	f     *Factory
	api   cloud.RDS
	id    string
	db    dbConnFlags
	login dbLogin
	warnf func(string, ...any)
	logf  func(string, ...any)
}

var _ gameday.Driver = (*rdsDriver)(nil)

// newRDSDriver finds the instance and resolves the database login, so
// that a wrong password shows before anything is asked or changed.
func newRDSDriver(ctx context.Context, f *Factory, api cloud.RDS, id string, db dbConnFlags, warnf, logf func(string, ...any)) (*rdsDriver, error) {
	in, err := cloud.FindInstance(ctx, api, id)
	if err != nil {
		return nil, &rdsError{op: "finding instance " + id, err: err}
	}
	login, err := db.login(ctx, f, in, warnf)
	if err != nil {
		return nil, err
	}
	return &rdsDriver{f: f, api: api, id: id, db: db, login: login, warnf: warnf, logf: logf}, nil
}

func (d *rdsDriver) DescribeTarget(ctx context.Context) (gameday.TargetInfo, error) {
	in, err := cloud.FindInstance(ctx, d.api, d.id)
	if err != nil {
		return gameday.TargetInfo{}, &rdsError{op: "finding instance " + d.id, err: err}
	}
	t := gameday.TargetInfo{ID: d.id, Engine: aws.ToString(in.Engine), Status: aws.ToString(in.DBInstanceStatus),
		MultiAZ: aws.ToBool(in.MultiAZ), AZ: aws.ToString(in.AvailabilityZone), Tags: map[string]string{}}
	if in.Endpoint != nil {
		t.Endpoint = fmt.Sprintf("%s:%d", aws.ToString(in.Endpoint.Address), aws.ToInt32(in.Endpoint.Port))
	}
	for _, g := range in.DBParameterGroups {
		t.Groups = append(t.Groups, aws.ToString(g.DBParameterGroupName))
	}
	// DescribeDBInstances carries the tags (TagList) on AWS; a lab that
	// does not serve tags yet leaves them empty.
	for _, tag := range in.TagList {
		t.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return t, nil
}

func (d *rdsDriver) GroupParams(ctx context.Context, group string, names []string) (map[string]gameday.ParamState, error) {
	ps, err := cloud.AllParameters(ctx, d.api, group, "")
	if err != nil {
		return nil, &rdsError{op: "describing parameters of " + group, err: err}
	}
	want := map[string]bool{}
	for _, n := range names {
		want[strings.ToLower(n)] = true
	}
	out := map[string]gameday.ParamState{}
	for _, p := range ps {
		n := aws.ToString(p.ParameterName)
		if !want[strings.ToLower(n)] {
			continue
		}
		for _, asked := range names {
			if strings.EqualFold(asked, n) {
				out[asked] = gameday.ParamState{Name: asked, Value: aws.ToString(p.ParameterValue), UserSet: aws.ToString(p.Source) == "user"}
			}
		}
	}
	return out, nil
}

func (d *rdsDriver) SetParams(ctx context.Context, group string, values []gameday.Param) error {
	ps, err := cloud.AllParameters(ctx, d.api, group, "")
	if err != nil {
		return &rdsError{op: "describing parameters of " + group, err: err}
	}
	as := make([]params.Assignment, 0, len(values))
	for _, v := range values {
		as = append(as, params.Assignment{Name: v.Name, Value: v.Value})
	}
	plan, err := params.PlanModify(group, false, ps, as, params.ApplyAuto)
	if err != nil {
		return err
	}
	return params.Apply(ctx, d.api, plan)
}

func (d *rdsDriver) CheckParams(ctx context.Context, group string, values []gameday.Param, names []string) error {
	ps, err := cloud.AllParameters(ctx, d.api, group, "")
	if err != nil {
		return &rdsError{op: "describing parameters of " + group, err: err}
	}
	if len(values) > 0 {
		as := make([]params.Assignment, 0, len(values))
		for _, v := range values {
			as = append(as, params.Assignment{Name: v.Name, Value: v.Value})
		}
		_, err = params.PlanModify(group, false, ps, as, params.ApplyAuto)
	} else {
		_, err = params.PlanReset(group, false, ps, names, false, params.ApplyAuto)
	}
	if errors.Is(err, params.ErrInvalid) {
		return fmt.Errorf("%w (%w)", err, gameday.ErrInvalid)
	}
	return err
}

func (d *rdsDriver) ResetParams(ctx context.Context, group string, names []string) error {
	ps, err := cloud.AllParameters(ctx, d.api, group, "")
	if err != nil {
		return &rdsError{op: "describing parameters of " + group, err: err}
	}
	plan, err := params.PlanReset(group, false, ps, names, false, params.ApplyAuto)
	if err != nil {
		return err
	}
	return params.Apply(ctx, d.api, plan)
}

func (d *rdsDriver) Reboot(ctx context.Context) (*failover.Result, error) {
	return d.restart(ctx, false)
}
func (d *rdsDriver) Failover(ctx context.Context) (*failover.Result, error) {
	return d.restart(ctx, true)
}

func (d *rdsDriver) restart(ctx context.Context, force bool) (*failover.Result, error) {
	return failover.Run(ctx, d.api, failover.Options{Instance: d.id, Failover: force, Probe: d.DatabaseProbe(),
		Progress: d.logf, Warn: d.warnf})
}

func (d *rdsDriver) Verify(ctx context.Context, expect []gameday.Param) (*verify.Report, error) {
	args := make([]string, 0, len(expect))
	for _, p := range expect {
		args = append(args, p.Name+"="+p.Value)
	}
	exp, err := verify.ParseExpect(args)
	if err != nil {
		return nil, err
	}
	return verifyInstance(ctx, d.f, d.api, d.id, VerifyInputs{DB: d.db, Expect: exp, Warnf: d.warnf})
}

func (d *rdsDriver) ServerValues(ctx context.Context, names []string) (map[string]string, error) {
	db, err := verify.Open(ctx, d.login.Config)
	if err != nil {
		return nil, connFailed(err, d.login)
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

func (d *rdsDriver) Wait(ctx context.Context, cond string, timeout time.Duration) error {
	fast := func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 5*time.Second
	}
	var err error
	switch cond {
	case gameday.WaitAvailable:
		err = cloud.WaitInstanceAvailable(ctx, d.api, d.id, timeout, fast)
	case gameday.WaitInSync:
		err = cloud.WaitInstanceInSync(ctx, d.api, d.id, timeout, fast)
	default:
		return fmt.Errorf("unknown wait condition %q", cond)
	}
	if err != nil {
		return fmt.Errorf("waiting for %s to be %s: %w", d.id, cond, err)
	}
	return nil
}

func (d *rdsDriver) DatabaseProbe() *failover.Probe {
	mc, err := d.login.Config.DriverConfig()
	p := &failover.Probe{Addr: d.login.Config.Addr(), Interval: failover.DefaultInterval,
		ConnectTimeout: failover.DefaultConnectTimeout, ReadTimeout: failover.DefaultReadTimeout, WriteTimeout: failover.DefaultWriteTimeout}
	if err == nil { // checked by login; a failure here leaves the probe to report auth errors
		p.User, p.Password, p.TLS = mc.User, mc.Passwd, mc.TLS
	}
	return p
}
