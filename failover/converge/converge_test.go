package converge_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/failover/converge"
	"github.com/rdsctl/rdsctl/verify"
)

func TestParseStrategy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want converge.Strategy
		err  error
	}{
		{"", converge.StrategyAuto, nil},
		{"auto", converge.StrategyAuto, nil},
		{" Reboot ", converge.StrategyReboot, nil},
		{"failover", converge.StrategyFailover, nil},
		{"Rolling", converge.StrategyRolling, nil},
		{"sideways", "", converge.ErrInvalid},
	} {
		got, err := converge.ParseStrategy(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("ParseStrategy(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
		if err != nil && !converge.IsInvalid(err) {
			t.Errorf("ParseStrategy(%q): %v is not IsInvalid", tc.in, err)
		}
	}
}

// TestMakePlanRefusesBeforeAnyCall: targets and options that cannot work
// fail without a single request, not even a Describe.
func TestMakePlanRefusesBeforeAnyCall(t *testing.T) {
	l := labtest.Start(t)
	c := labtest.Client(t, l)
	for _, tc := range []struct {
		name   string
		target converge.Target
		opts   converge.Options
		want   error
	}{
		{"cluster rebooted", converge.Target{Cluster: "aurora-1"}, converge.Options{Strategy: converge.StrategyReboot}, converge.ErrInvalid},
		{"cluster failed over", converge.Target{Cluster: "aurora-1"}, converge.Options{Strategy: converge.StrategyFailover}, converge.ErrInvalid},
		{"nothing named", converge.Target{}, converge.Options{}, converge.ErrInvalid},
		{"two named", converge.Target{Group: "g", Instance: "i"}, converge.Options{}, converge.ErrInvalid},
		{"rolling", converge.Target{Instance: "i"}, converge.Options{Strategy: converge.StrategyRolling}, converge.ErrInvalid},
		{"negative budget", converge.Target{Group: "g"}, converge.Options{MaxDowntime: -time.Second}, converge.ErrInvalid},
		{"two password sources", converge.Target{Group: "g"},
			converge.Options{Verify: verify.Options{Login: verify.Login{PasswordEnv: "X", IAMAuth: true}}}, verify.ErrInvalidConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := converge.MakePlan(context.Background(), c, aws.Config{}, tc.target, tc.opts)
			if !errors.Is(err, tc.want) || !converge.IsInvalid(err) {
				t.Fatalf("MakePlan: %v, want %v", err, tc.want)
			}
		})
	}
	if n := len(labtest.Requests(t, l)); n != 0 {
		t.Fatalf("%d requests reached the lab, want 0", n)
	}
}

const password = "Converge-pa55word"

// TestPlanAndExecute converges a group used by a Multi-AZ and a Single-AZ
// instance after a static change: the plan fails over the first and
// reboots the second, lists the value that changes, and after Execute both
// are in-sync and run it; planning again finds nothing and calls nothing
// that changes anything.
func TestPlanAndExecute(t *testing.T) {
	l := labtest.Start(t, labtest.WithEngine(t, 500*time.Millisecond))
	c := labtest.Client(t, l)
	ctx := context.Background()
	groups := cloud.Groups{API: c}
	if _, err := groups.Create(ctx, cloud.Group{Name: "staging", Family: "mariadb10.11", Description: "converge test"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"multi", "single"} {
		if _, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
			DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mariadb"), MultiAZ: aws.Bool(id == "multi"),
			DBParameterGroupName: aws.String("staging"),
			MasterUsername:       aws.String("admin"), MasterUserPassword: aws.String(password)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"multi", "single"} {
		if err := cloud.WaitInstanceAvailable(ctx, c, id, time.Minute, fast); err != nil {
			t.Fatal(err)
		}
	}
	opts := converge.Options{
		Verify:        verify.Options{Login: verify.Login{Getenv: func(k string) string { return map[string]string{verify.EnvPassword: password}[k] }}},
		ProbeInterval: 20 * time.Millisecond, Timeout: time.Minute, Progress: t.Logf,
	}
	target := converge.Target{Group: "staging"}

	// Nothing pending: nothing planned.
	plan, err := converge.MakePlan(ctx, c, aws.Config{}, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Steps) != 0 || len(plan.InSync) != 2 {
		t.Fatalf("plan before any change: %+v", plan)
	}

	if err := groups.Modify(ctx, "staging", []types.Parameter{{ParameterName: aws.String("innodb_log_buffer_size"),
		ParameterValue: aws.String("33554432"), ApplyMethod: types.ApplyMethodPendingReboot}}); err != nil {
		t.Fatal(err)
	}
	before := len(labtest.Mutations(t, l))

	// --strategy failover refuses the Single-AZ member, before any change.
	fo := opts
	fo.Strategy = converge.StrategyFailover
	if _, err := converge.MakePlan(ctx, c, aws.Config{}, target, fo); !errors.Is(err, converge.ErrNotMultiAZ) {
		t.Fatalf("failover strategy with a Single-AZ member: %v, want ErrNotMultiAZ", err)
	}
	// --strategy reboot reboots both.
	rb := opts
	rb.Strategy = converge.StrategyReboot
	plan, err = converge.MakePlan(ctx, c, aws.Config{}, target, rb)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "multi:reboot single:reboot" {
		t.Fatalf("reboot strategy planned %s", got)
	}

	plan, err = converge.MakePlan(ctx, c, aws.Config{}, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan); got != "multi:failover single:reboot" {
		t.Fatalf("auto strategy planned %s", got)
	}
	for _, s := range plan.Steps {
		if len(s.Changes) != 1 || s.Changes[0].Name != "innodb_log_buffer_size" || s.Changes[0].To != "33554432" || s.Changes[0].From == "33554432" {
			t.Fatalf("%s: changes %+v, want innodb_log_buffer_size to 33554432", s.Instance, s.Changes)
		}
	}
	if n := len(labtest.Mutations(t, l)); n != before {
		t.Fatalf("planning made %d mutating calls", n-before)
	}

	res, err := converge.Execute(ctx, c, aws.Config{}, plan, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Converged || len(res.Members) != 2 || len(res.Remaining) != 0 {
		t.Fatalf("result: %+v", res)
	}
	for _, m := range res.Members {
		if m.Outcome != converge.OutcomeConverged || m.After["innodb_log_buffer_size"] != "33554432" || m.Verify == nil || m.Verify.ParameterApplyStatus != "in-sync" {
			t.Errorf("%s: outcome %s, after %v, verify %+v", m.Instance, m.Outcome, m.After, m.Verify)
		}
		if m.Failover == nil || m.Failover.Operation != string(m.Action) || m.DowntimeSeconds <= 0 {
			t.Errorf("%s: action %s, failover %+v", m.Instance, m.Action, m.Failover)
		}
	}
	muts := labtest.Mutations(t, l)[before:]
	if len(muts) != 2 || muts[0].Action != "RebootDBInstance" || muts[1].Action != "RebootDBInstance" {
		t.Fatalf("mutating calls: %+v, want two reboots", muts)
	}

	// Converged: nothing planned, nothing changed.
	plan, err = converge.MakePlan(ctx, c, aws.Config{}, target, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err = converge.Execute(ctx, c, aws.Config{}, plan, opts)
	if err != nil || len(plan.Steps) != 0 || !res.Converged || len(res.Members) != 0 {
		t.Fatalf("after converging: plan %+v, result %+v, %v", plan, res, err)
	}
	if n := len(labtest.Mutations(t, l)); n != before+2 {
		t.Fatalf("a converged group made %d mutating calls", n-before-2)
	}
}

func actions(p *converge.Plan) string {
	s := ""
	for i, st := range p.Steps {
		if i > 0 {
			s += " "
		}
		s += st.Instance + ":" + string(st.Action)
	}
	return s
}

func fast(o *rds.DBInstanceAvailableWaiterOptions) {
	o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
}

func TestParseGroupKind(t *testing.T) {
	for in, want := range map[string]converge.GroupKind{"": converge.KindAuto, "db": converge.KindDB, " Cluster ": converge.KindCluster} {
		if got, err := converge.ParseGroupKind(in); got != want || err != nil {
			t.Errorf("ParseGroupKind(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := converge.ParseGroupKind("aurora"); !converge.IsInvalid(err) {
		t.Errorf("ParseGroupKind(aurora): %v, want an invalid input", err)
	}
}

// TestKindRefusedBeforeAnyCall: a kind that contradicts the strategy, or
// names no group, fails without a request.
func TestKindRefusedBeforeAnyCall(t *testing.T) {
	l := labtest.Start(t)
	c := labtest.Client(t, l)
	for _, tc := range []struct {
		name   string
		target converge.Target
		st     converge.Strategy
	}{
		{"cluster group rebooted", converge.Target{Group: "g", Kind: converge.KindCluster}, converge.StrategyReboot},
		{"cluster group failed over", converge.Target{Group: "g", Kind: converge.KindCluster}, converge.StrategyFailover},
		{"db group rolled", converge.Target{Group: "g", Kind: converge.KindDB}, converge.StrategyRolling},
		{"kind of an instance", converge.Target{Instance: "i", Kind: converge.KindDB}, converge.StrategyAuto},
		{"kind of a cluster", converge.Target{Cluster: "c", Kind: converge.KindCluster}, converge.StrategyAuto},
		{"unknown kind", converge.Target{Group: "g", Kind: "aurora"}, converge.StrategyAuto},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := converge.MakePlan(context.Background(), c, aws.Config{}, tc.target, converge.Options{Strategy: tc.st})
			if !errors.Is(err, converge.ErrInvalid) {
				t.Fatalf("MakePlan: %v, want ErrInvalid", err)
			}
		})
	}
	if n := len(labtest.Requests(t, l)); n != 0 {
		t.Fatalf("%d requests reached the lab, want 0", n)
	}
}

// TestResolveGroupKind: a name is a DB parameter group if one has it,
// else a DB cluster parameter group; one both kinds have is refused as
// invalid input (naming both and how to choose) after reads only; one
// neither has is a parameter group not found; --kind picks one namespace.
func TestResolveGroupKind(t *testing.T) {
	l := labtest.Start(t)
	c := labtest.Client(t, l)
	ctx := context.Background()
	for _, g := range []struct {
		name    string
		cluster bool
	}{{"only-db", false}, {"only-cl", true}, {"both", false}, {"both", true}} {
		fam := "mariadb10.11"
		if g.cluster {
			fam = "aurora-mysql8.0"
		}
		if _, err := (cloud.Groups{API: c, Cluster: g.cluster}).Create(ctx, cloud.Group{Name: g.name, Family: fam, Description: "kinds"}); err != nil {
			t.Fatal(err)
		}
	}
	before := len(labtest.Mutations(t, l))
	plan := func(group string, kind converge.GroupKind, st converge.Strategy) (*converge.Plan, error) {
		return converge.MakePlan(ctx, c, aws.Config{}, converge.Target{Group: group, Kind: kind}, converge.Options{Strategy: st})
	}
	for _, tc := range []struct {
		group string
		kind  converge.GroupKind
		want  converge.GroupKind
	}{
		{"only-db", converge.KindAuto, converge.KindDB},
		{"only-cl", converge.KindAuto, converge.KindCluster},
		{"both", converge.KindDB, converge.KindDB},
		{"both", converge.KindCluster, converge.KindCluster},
	} {
		p, err := plan(tc.group, tc.kind, converge.StrategyAuto)
		if err != nil {
			t.Fatalf("%s (%q): %v", tc.group, tc.kind, err)
		}
		if p.Target.Kind != tc.want || len(p.Steps) != 0 {
			t.Errorf("%s (%q): resolved %q with %d steps, want %q and none (no user)", tc.group, tc.kind, p.Target.Kind, len(p.Steps), tc.want)
		}
		if tc.want == converge.KindCluster && (p.Strategy != converge.StrategyRolling || p.Target.String() != "cluster parameter group "+tc.group) {
			t.Errorf("%s: strategy %s, target %s", tc.group, p.Strategy, p.Target)
		}
	}
	_, err := plan("both", converge.KindAuto, converge.StrategyAuto)
	if !converge.IsInvalid(err) || !strings.Contains(err.Error(), `"both" names both a DB parameter group and a DB cluster parameter group: choose one with --kind db or --kind cluster`) {
		t.Errorf("ambiguous name: %v", err)
	}
	for _, tc := range []struct {
		group string
		kind  converge.GroupKind
		want  string
	}{
		{"nosuch", converge.KindAuto, `parameter group "nosuch" not found`},
		{"only-cl", converge.KindDB, `parameter group "only-cl" not found`},
		{"only-db", converge.KindCluster, `cluster parameter group "only-db" not found`},
	} {
		_, err := plan(tc.group, tc.kind, converge.StrategyAuto)
		if !cloud.IsNotFound(err) || err.Error() != tc.want {
			t.Errorf("%s (%q): %v, want %s", tc.group, tc.kind, err, tc.want)
		}
	}
	// A strategy is checked against the resolved kind.
	if _, err := plan("only-cl", converge.KindAuto, converge.StrategyReboot); !errors.Is(err, converge.ErrInvalid) {
		t.Errorf("cluster group rebooted: %v", err)
	}
	if _, err := plan("only-db", converge.KindAuto, converge.StrategyRolling); !errors.Is(err, converge.ErrInvalid) {
		t.Errorf("db group rolled: %v", err)
	}
	if _, err := plan("only-cl", converge.KindAuto, converge.StrategyRolling); err != nil {
		t.Errorf("cluster group rolled: %v", err)
	}
	if n := len(labtest.Mutations(t, l)); n != before {
		t.Fatalf("resolving made %d mutating calls", n-before)
	}
}
