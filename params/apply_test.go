package params_test

// These tests run the params pipeline against the real lab (cloud/lab via
// labtest): the same HTTP API and rules the SDK meets in production, with
// requests.jsonl as the witness of which calls were made. No RDS mocks.

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/params"
)

const family = "mariadb10.11"

type env struct {
	t   *testing.T
	lab *lab.Lab
	c   *rds.Client
	ctx context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	l := labtest.Start(t)
	return &env{t: t, lab: l, c: labtest.Client(t, l), ctx: context.Background()}
}

// w is what Apply writes through: the cloud layer over the lab.
func (e *env) w() cloud.GroupWriter { return cloud.GroupWriter{API: e.c} }

func (e *env) createGroup(name string) {
	e.t.Helper()
	_, err := e.c.CreateDBParameterGroup(e.ctx, &rds.CreateDBParameterGroupInput{
		DBParameterGroupName: aws.String(name), DBParameterGroupFamily: aws.String(family), Description: aws.String("params test")})
	if err != nil {
		e.t.Fatalf("creating group: %v", err)
	}
}

func (e *env) params(group string) []types.Parameter {
	e.t.Helper()
	ps, err := cloud.AllParameters(e.ctx, e.c, group, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return ps
}

func (e *env) value(group, name string) string {
	e.t.Helper()
	for _, p := range e.params(group) {
		if aws.ToString(p.ParameterName) == name {
			return aws.ToString(p.ParameterValue)
		}
	}
	e.t.Fatalf("group %s has no %s", group, name)
	return ""
}

// calls lists "Action status code" for the mutating requests recorded
// since mark (an earlier len(labtest.Mutations)).
func (e *env) calls(mark int) []string {
	e.t.Helper()
	var out []string
	for _, r := range labtest.Mutations(e.t, e.lab)[mark:] {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %d %s", r.Action, r.Status, r.Code)))
	}
	return out
}

func (e *env) mark() int { return len(labtest.Mutations(e.t, e.lab)) }

// changeable picks up to n modifiable parameters of the group's family with
// a value the catalog's metadata allows and that differs from the current
// one, so the test does not depend on which parameters the catalog has.
// An engine default shows no value (as on AWS), so the lab's catalog says
// what it is: a value equal to it would stay a default, not user-set.
func changeable(ps []types.Parameter, n int) []params.Assignment {
	fam, err := catalog.Lookup(family)
	if err != nil {
		panic(err)
	}
	var out []params.Assignment
	for _, p := range ps {
		if c, ok := fam.Param(aws.ToString(p.ParameterName)); ok && p.ParameterValue == nil && c.Default != "" {
			p.ParameterValue = aws.String(c.Default)
		}
		if len(out) == n {
			break
		}
		if !aws.ToBool(p.IsModifiable) {
			continue
		}
		if v, ok := otherValue(p); ok {
			out = append(out, params.Assignment{Name: aws.ToString(p.ParameterName), Value: v})
		}
	}
	return out
}

func otherValue(p types.Parameter) (string, bool) {
	cur, allowed := aws.ToString(p.ParameterValue), aws.ToString(p.AllowedValues)
	items := strings.Split(allowed, ",")
	switch aws.ToString(p.DataType) {
	case "integer":
		lo, hi, ok := strings.Cut(strings.TrimPrefix(items[0], "-"), "-")
		if !ok || len(items) != 1 {
			return "", false
		}
		if strings.HasPrefix(items[0], "-") {
			lo = "-" + lo
		}
		l, ok1 := new(big.Int).SetString(lo, 10)
		h, ok2 := new(big.Int).SetString(hi, 10)
		if !ok1 || !ok2 || l.Cmp(h) >= 0 {
			return "", false
		}
		v := new(big.Int).Add(l, big.NewInt(1))
		if v.String() == cur {
			v = l
		}
		return v.String(), true
	case "boolean", "string":
		for _, it := range items {
			if it = strings.TrimSpace(it); it != "" && !strings.EqualFold(it, cur) {
				return it, true
			}
		}
	}
	return "", false
}

func TestLab45ChangesMakeThreeCalls(t *testing.T) {
	e := newEnv(t)
	e.createGroup("forty-five")
	as := changeable(e.params("forty-five"), 45)
	if len(as) < 45 {
		if os.Getenv("CI") != "" {
			t.Fatalf("the lab's %s catalog has only %d parameters with a known valid value; 45 are needed (under CI the catalog must have them)", family, len(as))
		}
		t.Skipf("the lab's %s catalog has only %d parameters with a known valid value; 45 are needed", family, len(as))
	}
	plan, err := params.PlanModify("forty-five", false, e.params("forty-five"), as, params.ApplyAuto)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Chunks) != 3 {
		t.Fatalf("45 changes planned in %d chunks", len(plan.Chunks))
	}
	mark := e.mark()
	if err := params.Apply(e.ctx, e.w(), plan); err != nil {
		t.Fatal(err)
	}
	want := []string{"ModifyDBParameterGroup 200", "ModifyDBParameterGroup 200", "ModifyDBParameterGroup 200"}
	if got := e.calls(mark); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("calls = %q, want %q", got, want)
	}
	again, err := params.PlanModify("forty-five", false, e.params("forty-five"), as, params.ApplyAuto)
	if err != nil || !again.Empty() || len(again.NoOps) != 45 {
		t.Fatalf("re-plan after apply: %+v, %v", again, err)
	}
}

func TestLabRefusedPlanMakesNoMutatingCall(t *testing.T) {
	e := newEnv(t)
	e.createGroup("refused")
	mark := e.mark()
	as, err := params.ParseAssignments([]string{"wait_timout=300", "innodb_log_buffer_size=33554432", "wait_timeout=0"})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := params.PlanModify("refused", false, e.params("refused"), as, params.ApplyImmediate)
	var ve *params.ValidationError
	if !errors.As(err, &ve) || plan != nil {
		t.Fatalf("PlanModify = %v, %v; want a *ValidationError", plan, err)
	}
	for _, s := range []string{"did you mean wait_timeout?", "innodb_log_buffer_size=33554432: static", "wait_timeout=0"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	if got := e.calls(mark); len(got) != 0 {
		t.Fatalf("a refused plan made mutating calls: %q", got)
	}
}

// TestLabPartialFailureAndConvergence provokes a real partial failure: the
// second chunk carries a value the lab refuses (client validation bypassed
// by building the plan by hand), so the first lands and the second does not.
func TestLabPartialFailureAndConvergence(t *testing.T) {
	e := newEnv(t)
	e.createGroup("partial")
	plan := &params.Plan{Group: "partial", Action: params.ActionModify, Chunks: []params.Chunk{
		{Changes: []params.Change{{Name: "wait_timeout", Value: "300", ApplyMethod: types.ApplyMethodImmediate}}},
		{Changes: []params.Change{{Name: "max_connections", Value: "0", ApplyMethod: types.ApplyMethodImmediate}}},
		{Changes: []params.Change{{Name: "interactive_timeout", Value: "300", ApplyMethod: types.ApplyMethodImmediate}}},
	}}
	mark := e.mark()
	err := params.Apply(e.ctx, e.w(), plan)
	var pe *params.PartialError
	if !errors.As(err, &pe) {
		t.Fatalf("Apply = %v, want *PartialError", err)
	}
	if pe.Failed != 1 || len(pe.Landed) != 1 || pe.Landed[0].Changes[0].Name != "wait_timeout" ||
		len(pe.NotApplied) != 2 || pe.Uncertain || !cloud.IsInvalidParameter(err) {
		t.Fatalf("PartialError = %+v", pe)
	}
	for _, s := range []string{"chunk 2 of 3 failed", "landed: chunk 1 [wait_timeout]", "not applied: chunk 2 [max_connections], chunk 3 [interactive_timeout]"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err, s)
		}
	}
	want := []string{"ModifyDBParameterGroup 200", "ModifyDBParameterGroup 400 InvalidParameterValue"}
	if got := e.calls(mark); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("calls = %q, want %q", got, want)
	}
	if v := e.value("partial", "wait_timeout"); v != "300" {
		t.Fatalf("landed chunk not in the group: wait_timeout=%s", v)
	}

	// Re-running the (corrected) request converges: the landed change is a no-op.
	as := []params.Assignment{{Name: "wait_timeout", Value: "300"}, {Name: "max_connections", Value: "500"}, {Name: "interactive_timeout", Value: "300"}}
	rerun, err := params.PlanModify("partial", false, e.params("partial"), as, params.ApplyAuto)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rerun.Changes()); n != 2 || len(rerun.NoOps) != 1 || rerun.NoOps[0].Name != "wait_timeout" {
		t.Fatalf("re-run plan: %+v", rerun)
	}
	if err := params.Apply(e.ctx, e.w(), rerun); err != nil {
		t.Fatal(err)
	}
	final, err := params.PlanModify("partial", false, e.params("partial"), as, params.ApplyAuto)
	if err != nil || !final.Empty() {
		t.Fatalf("third run: %+v, %v", final, err)
	}
}

// TestLabGroupDeletedBetweenChunks deletes the group from the AfterChunk
// hook, so the second call meets a real DBParameterGroupNotFound.
func TestLabGroupDeletedBetweenChunks(t *testing.T) {
	e := newEnv(t)
	e.createGroup("vanishing")
	plan := &params.Plan{Group: "vanishing", Action: params.ActionModify, Chunks: []params.Chunk{
		{Changes: []params.Change{{Name: "wait_timeout", Value: "300", ApplyMethod: types.ApplyMethodImmediate}}},
		{Changes: []params.Change{{Name: "interactive_timeout", Value: "300", ApplyMethod: types.ApplyMethodImmediate}}},
	}}
	err := params.Apply(e.ctx, e.w(), plan, params.AfterChunk(func(ctx context.Context, p *params.Plan, i int) {
		if i == 0 {
			if _, err := e.c.DeleteDBParameterGroup(ctx, &rds.DeleteDBParameterGroupInput{DBParameterGroupName: aws.String(p.Group)}); err != nil {
				t.Errorf("deleting group: %v", err)
			}
		}
	}))
	var pe *params.PartialError
	if !errors.As(err, &pe) || pe.Failed != 1 || len(pe.Landed) != 1 || !cloud.IsNotFound(err) {
		t.Fatalf("Apply = %v (%+v)", err, pe)
	}
}

func TestLabCancelBetweenChunks(t *testing.T) {
	e := newEnv(t)
	e.createGroup("cancelled")
	plan := &params.Plan{Group: "cancelled", Action: params.ActionModify, Chunks: []params.Chunk{
		{Changes: []params.Change{{Name: "wait_timeout", Value: "300", ApplyMethod: types.ApplyMethodImmediate}}},
		{Changes: []params.Change{{Name: "interactive_timeout", Value: "300", ApplyMethod: types.ApplyMethodImmediate}}},
	}}
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	mark := e.mark()
	err := params.Apply(ctx, e.w(), plan, params.AfterChunk(func(context.Context, *params.Plan, int) { cancel() }))
	var pe *params.PartialError
	if !errors.As(err, &pe) || !errors.Is(err, context.Canceled) || pe.Failed != -1 || len(pe.Landed) != 1 || len(pe.NotApplied) != 1 {
		t.Fatalf("Apply = %v (%+v)", err, pe)
	}
	if !strings.Contains(err.Error(), "stopped before chunk 2 of 2; landed: chunk 1 [wait_timeout]") {
		t.Errorf("error = %v", err)
	}
	if got := e.calls(mark); len(got) != 1 {
		t.Fatalf("calls = %q, want one Modify", got)
	}
}

func TestLabReset(t *testing.T) {
	e := newEnv(t)
	e.createGroup("resetting")
	as := []params.Assignment{{Name: "wait_timeout", Value: "300"}, {Name: "innodb_buffer_pool_size", Value: "{DBInstanceClassMemory*1/2}"}}
	set, err := params.PlanModify("resetting", false, e.params("resetting"), as, params.ApplyAuto)
	if err != nil {
		t.Fatal(err)
	}
	if err := params.Apply(e.ctx, e.w(), set); err != nil {
		t.Fatal(err)
	}
	reset, err := params.PlanReset("resetting", false, e.params("resetting"), nil, true, params.ApplyAuto)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(reset.Changes()); n != 2 {
		t.Fatalf("reset all planned %d changes, want 2", n)
	}
	mark := e.mark()
	if err := params.Apply(e.ctx, e.w(), reset); err != nil {
		t.Fatal(err)
	}
	if got := e.calls(mark); strings.Join(got, "|") != "ResetDBParameterGroup 200" {
		t.Fatalf("calls = %q", got)
	}
	again, err := params.PlanReset("resetting", false, e.params("resetting"), nil, true, params.ApplyAuto)
	if err != nil || !again.Empty() {
		t.Fatalf("reset after reset: %+v, %v", again, err)
	}
}

// TestLabFileConverges applies a desired-state file to the lab and shows
// that planning it again finds nothing to do.
func TestLabFileConverges(t *testing.T) {
	e := newEnv(t)
	e.createGroup("existing")
	if err := params.Apply(e.ctx, e.w(), mustPlan(t, "existing", e.params("existing"), "interactive_timeout=600")); err != nil {
		t.Fatal(err)
	}
	src := `groups:
  - name: fresh
    family: mariadb10.11
    description: made by a file
    parameters:
      wait_timeout: 300
      max_connections: "{DBInstanceClassMemory/12582880}"
  - name: existing
    family: mariadb10.11
    parameters:
      wait_timeout: 120
      innodb_buffer_pool_size: "{ DBInstanceClassMemory*1/2 }"
`
	f, err := params.Parse("lab.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	state := func() map[params.GroupID]params.GroupState {
		st := map[params.GroupID]params.GroupState{}
		for _, g := range f.Groups {
			pg, err := cloud.FindParameterGroup(e.ctx, e.c, g.Name)
			switch {
			case cloud.IsNotFound(err):
				defs, err := cloud.AllEngineDefaultParameters(e.ctx, e.c, g.Family)
				if err != nil {
					t.Fatal(err)
				}
				st[g.ID()] = params.GroupState{Parameters: defs}
			case err != nil:
				t.Fatal(err)
			default:
				st[g.ID()] = params.GroupState{Exists: true, Family: aws.ToString(pg.DBParameterGroupFamily), Parameters: e.params(g.Name)}
			}
		}
		return st
	}
	actions, err := params.PlanFile(f, state(), params.ApplyAuto)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range actions {
		kinds = append(kinds, string(a.Kind)+" "+a.Group)
	}
	if want := "create fresh|change fresh|change existing|reset existing"; strings.Join(kinds, "|") != want {
		t.Fatalf("actions = %q, want %q", kinds, want)
	}
	mark := e.mark()
	if err := params.ApplyActions(e.ctx, e.w(), actions); err != nil {
		t.Fatal(err)
	}
	want := "CreateDBParameterGroup 200|ModifyDBParameterGroup 200|ModifyDBParameterGroup 200|ResetDBParameterGroup 200"
	if got := e.calls(mark); strings.Join(got, "|") != want {
		t.Fatalf("calls = %q, want %q", got, want)
	}
	again, err := params.PlanFile(f, state(), params.ApplyAuto)
	if err != nil || len(again) != 0 {
		t.Fatalf("second run: %+v, %v", again, err)
	}
	if v := e.value("existing", "interactive_timeout"); v == "600" {
		t.Errorf("interactive_timeout was not reset")
	}

	// Exporting a converged group and planning the export is a no-op too.
	exp := params.Export("existing", "mariadb10.11", "", false, e.params("existing"))
	b, err := (&params.File{Groups: []params.GroupSpec{exp}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ef, err := params.Parse("export.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	if acts, err := params.PlanFile(ef, state(), params.ApplyAuto); err != nil || len(acts) != 0 {
		t.Fatalf("planning an export: %+v, %v", acts, err)
	}
}

func mustPlan(t *testing.T, group string, ps []types.Parameter, args ...string) *params.Plan {
	t.Helper()
	as, err := params.ParseAssignments(args)
	if err != nil {
		t.Fatal(err)
	}
	p, err := params.PlanModify(group, false, ps, as, params.ApplyAuto)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
