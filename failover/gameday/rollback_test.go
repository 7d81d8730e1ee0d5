package gameday

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/verify"
)

// memDriver is a parameter group and a server in memory, for the
// rollback's own logic; the lab drives it end to end in the gameday
// testscripts. Every other call fails the test.
type memDriver struct {
	refusingDriver
	group    map[string]ParamState
	server   map[string]string
	defaults map[string]string
	failSet  error
	calls    []string
}

func (d *memDriver) SetParams(_ context.Context, _ string, ps []Param) error {
	for _, p := range ps {
		d.calls = append(d.calls, "set "+p.Name+"="+p.Value)
		if d.failSet != nil {
			return d.failSet
		}
		d.group[p.Name] = ParamState{Name: p.Name, Value: p.Value, UserSet: true}
		d.server[p.Name] = p.Value
	}
	return nil
}

func (d *memDriver) ResetParams(_ context.Context, _ string, names []string) error {
	for _, n := range names {
		d.calls = append(d.calls, "reset "+n)
		d.group[n] = ParamState{Name: n, Value: d.defaults[n]}
		d.server[n] = d.defaults[n]
	}
	return nil
}

func (d *memDriver) Wait(context.Context, string, time.Duration) error { return nil }

func (d *memDriver) Verify(_ context.Context, expect []Param) (*verify.Report, error) {
	rep := &verify.Report{}
	for _, e := range expect {
		st := verify.StatusOK
		if d.server[e.Name] != e.Value {
			st = verify.StatusDrift
		}
		rep.Parameters = append(rep.Parameters, verify.Result{Name: e.Name, Expected: e.Value, Actual: d.server[e.Name], Status: st})
	}
	return rep, nil
}

// TestRollbackIdempotent: rollback restores a set value and resets a
// default one, in the group and on the server; running it again changes
// nothing and passes again. A failure is reported in the result and
// returned, never swallowed.
func TestRollbackIdempotent(t *testing.T) {
	d := &memDriver{refusingDriver: refusingDriver{t: t},
		group:    map[string]ParamState{"wait_timeout": {Name: "wait_timeout", Value: "300", UserSet: true}, "lock_wait_timeout": {Name: "lock_wait_timeout", Value: "20", UserSet: true}},
		server:   map[string]string{"wait_timeout": "300", "lock_wait_timeout": "20"},
		defaults: map[string]string{"wait_timeout": "28800", "lock_wait_timeout": "86400"}}
	r := &runner{sc: &Scenario{}, opts: Options{Logf: func(string, ...any) {}}, d: d, rep: &Report{},
		origGroup: map[string]map[string]ParamState{"g": {
			"wait_timeout":      {Name: "wait_timeout", Value: "600", UserSet: true},
			"lock_wait_timeout": {Name: "lock_wait_timeout", Value: "86400"}}},
		origServer: map[string]string{"wait_timeout": "600", "lock_wait_timeout": "86400"}}
	want := map[string]ParamState{"wait_timeout": {Name: "wait_timeout", Value: "600", UserSet: true}, "lock_wait_timeout": {Name: "lock_wait_timeout", Value: "86400"}}
	for i := 1; i <= 2; i++ {
		d.calls = nil
		if err := r.rollback(context.Background()); err != nil {
			t.Fatalf("rollback %d: %v", i, err)
		}
		if !reflect.DeepEqual(d.group, want) || d.server["wait_timeout"] != "600" || d.server["lock_wait_timeout"] != "86400" {
			t.Errorf("rollback %d: group %v, server %v", i, d.group, d.server)
		}
		if got := d.calls; !reflect.DeepEqual(got, []string{"set wait_timeout=600", "reset lock_wait_timeout"}) {
			t.Errorf("rollback %d: calls %q", i, got)
		}
		rb := r.rep.Rollback
		if !rb.Passed || len(rb.Restored) != 2 || !rb.Restored[0].ServerVerified || !rb.Restored[1].ServerVerified {
			t.Errorf("rollback %d: %+v", i, rb)
		}
	}

	d.failSet = errors.New("throttled")
	d.server["wait_timeout"] = "300"
	err := r.rollback(context.Background())
	if !errors.Is(err, ErrRollback) {
		t.Fatalf("failed rollback: err = %v, want ErrRollback", err)
	}
	rb := r.rep.Rollback
	if rb.Passed || len(rb.Errors) != 2 || rb.Errors[0] != "restoring wait_timeout in g: throttled" ||
		rb.Errors[1] != "wait_timeout: the server has 300, not 600 as before the drill (drift)" {
		t.Errorf("failed rollback: %+v", rb)
	}
}
