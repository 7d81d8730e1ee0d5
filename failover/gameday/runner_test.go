package gameday

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

// refusingDriver describes a target and fails the test if the runner
// asks for anything else: a refused target must see no call that could
// change it, nor even a probe. (The lab does not serve tags yet, so this
// refusal cannot be driven end to end.)
type refusingDriver struct {
	t      *testing.T
	target TargetInfo
}

func (d refusingDriver) DescribeTarget(context.Context) (TargetInfo, error) { return d.target, nil }
func (d refusingDriver) called(what string)                                 { d.t.Errorf("%s called on a refused target", what) }
func (d refusingDriver) GroupParams(context.Context, string, []string) (map[string]ParamState, error) {
	d.called("GroupParams")
	return nil, errors.New("no")
}
func (d refusingDriver) CheckParams(context.Context, string, []Param, []string) error {
	d.called("CheckParams")
	return errors.New("no")
}
func (d refusingDriver) SetParams(context.Context, string, []Param) error {
	d.called("SetParams")
	return errors.New("no")
}
func (d refusingDriver) ResetParams(context.Context, string, []string) error {
	d.called("ResetParams")
	return errors.New("no")
}
func (d refusingDriver) Reboot(context.Context) (*failover.Result, error) {
	d.called("Reboot")
	return nil, errors.New("no")
}
func (d refusingDriver) Failover(context.Context) (*failover.Result, error) {
	d.called("Failover")
	return nil, errors.New("no")
}
func (d refusingDriver) Verify(context.Context, []Param) (*verify.Report, error) {
	d.called("Verify")
	return nil, errors.New("no")
}
func (d refusingDriver) ServerValues(context.Context, []string) (map[string]string, error) {
	d.called("ServerValues")
	return nil, errors.New("no")
}
func (d refusingDriver) Wait(context.Context, string, time.Duration) error {
	d.called("Wait")
	return errors.New("no")
}
func (d refusingDriver) DatabaseProbe() *failover.Probe {
	d.called("DatabaseProbe")
	return &failover.Probe{Addr: "127.0.0.1:1"}
}

func TestRunRefusesProtectedTarget(t *testing.T) {
	sc, err := Parse("p.yaml", []byte("target: {instance: prod-db}\nsteps:\n  - set: {parameters: {wait_timeout: 300}}\n  - failover:\nrollback: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"true", "TRUE"} {
		d := refusingDriver{t: t, target: TargetInfo{ID: "prod-db", Status: "available", Groups: []string{"g"}, Tags: map[string]string{ProtectedTag: v}}}
		rep, err := Run(context.Background(), sc, Options{Driver: d, Confirm: func(TargetInfo) error { t.Error("asked to confirm a refused target"); return nil }})
		if !errors.Is(err, ErrProtected) {
			t.Fatalf("err = %v, want ErrProtected", err)
		}
		if rep.Passed || len(rep.Steps) != 0 || rep.Rollback != nil {
			t.Errorf("report of a refused drill: %+v", rep)
		}
		if want := "The drill did not start: prod-db is tagged rdsctl:protected=true (use --allow-protected to drill it anyway): target is protected."; rep.Sentence != want {
			t.Errorf("sentence %q", rep.Sentence)
		}
	}
	// A target that is not available is refused too, before any probe.
	d := refusingDriver{t: t, target: TargetInfo{ID: "prod-db", Status: "rebooting"}}
	if _, err := Run(context.Background(), sc, Options{Driver: d, AllowProtected: true}); !errors.Is(err, ErrUnreachable) {
		t.Errorf("err = %v, want ErrUnreachable", err)
	}
}
