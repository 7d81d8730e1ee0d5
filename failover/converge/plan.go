// Package converge finishes what pending-reboot leaves undone: it finds
// every DB instance whose parameter group waits for a reboot, plans how to
// bring each to in-sync with the least write downtime, and carries the plan
// out one member at a time, each restart probed and timed as `rdsctl
// failover` does and verified as `rdsctl verify` does.
//
// Plan reads only; Execute changes. Between them a caller shows the plan
// and asks. Execute stops at the first member that fails verification or
// breaches the downtime budget and leaves the rest untouched, so running
// Plan and Execute again continues with what is left, and a converged
// target plans nothing and calls nothing that changes anything.
//
// A Single-AZ instance is rebooted, a Multi-AZ one rebooted with a
// failover so the restart happens on the standby. An Aurora cluster rolls
// (see planCluster): its readers are rebooted one at a time, the cluster
// fails over to an updated reader, and the old writer, a reader by then, is
// rebooted; writes wait for one failover. That is why a Step names its own
// Action and Execute runs Steps in order rather than instances.
package converge

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

// Strategy says how members are restarted.
type Strategy string

// The strategies.
const (
	// StrategyAuto fails over Multi-AZ members and reboots Single-AZ ones;
	// a cluster rolls.
	StrategyAuto Strategy = "auto"
	// StrategyReboot reboots every member in place, Multi-AZ ones too.
	StrategyReboot Strategy = "reboot"
	// StrategyFailover fails over every member; a Single-AZ member is
	// refused before anything changes.
	StrategyFailover Strategy = "failover"
	// StrategyRolling is the Aurora cluster sequence: readers one at a
	// time, a failover to an updated reader, the old writer.
	StrategyRolling Strategy = "rolling"
)

// ParseStrategy reads a --strategy value.
func ParseStrategy(s string) (Strategy, error) {
	switch st := Strategy(strings.ToLower(strings.TrimSpace(s))); st {
	case "", StrategyAuto:
		return StrategyAuto, nil
	case StrategyReboot, StrategyFailover, StrategyRolling:
		return st, nil
	}
	return "", fmt.Errorf("%w: unknown strategy %q: want auto, reboot, failover or rolling", ErrInvalid, s)
}

// Action is what a Step does to its instance. Its spelling is the
// `action` of `params converge -o json`.
type Action string

// The actions. A cluster's failover (FailoverDBCluster) is ActionFailover
// on the reader it promotes.
const (
	ActionReboot   Action = "reboot"
	ActionFailover Action = "failover"
)

// Sentinel errors: every one of them is returned before any change.
var (
	// ErrInvalid: the target or options cannot work (a CLI's exit 2).
	ErrInvalid = errors.New("invalid converge target")
	// ErrNotMultiAZ: StrategyFailover was asked for a Single-AZ member.
	ErrNotMultiAZ = errors.New("not a Multi-AZ instance")
)

// AWS's documented typical downtimes, for the plan's estimates: "Failover
// times are typically 60–120 seconds" (RDS User Guide, Multi-AZ DB
// instances); "Start-to-finish, failover typically completes within 30
// seconds" (Aurora FAQ, with an Aurora Replica). AWS gives no figure for
// an in-place reboot (its length is the engine's crash recovery), so a
// reboot's estimate has none. They are estimates to show before asking,
// not promises; each member's measured downtime is in its Member result.
const (
	TypicalMultiAZFailover = 120 * time.Second
	TypicalAuroraFailover  = 30 * time.Second
)

// The plan's expected write downtime of each kind of step.
var (
	expectMultiAZFailover = expectation{"one failover (AWS: typically 60–120s)", ptr(TypicalMultiAZFailover.Seconds())}
	expectAuroraFailover  = expectation{"one failover (AWS: typically within 30s)", ptr(TypicalAuroraFailover.Seconds())}
	expectReboot          = expectation{"one restart (AWS gives no typical figure)", nil}
	expectReader          = expectation{"none: a reader restarts", ptr(0.0)}
)

type expectation struct {
	text    string
	seconds *float64
}

func ptr[T any](v T) *T { return &v }

// GroupKind says which namespace a Target's Group is in: DB parameter
// groups and DB cluster parameter groups are separate on AWS, and one name
// may be in both.
type GroupKind string

// The kinds. KindAuto resolves the name: a DB parameter group if one has
// it, else a DB cluster parameter group; a name both have is refused.
const (
	KindAuto    GroupKind = ""
	KindDB      GroupKind = "db"
	KindCluster GroupKind = "cluster"
)

// ParseGroupKind reads a --kind value: "db", "cluster", or "" (resolve).
func ParseGroupKind(s string) (GroupKind, error) {
	switch k := GroupKind(strings.ToLower(strings.TrimSpace(s))); k {
	case KindAuto, KindDB, KindCluster:
		return k, nil
	}
	return "", fmt.Errorf("%w: unknown parameter group kind %q: want db or cluster", ErrInvalid, s)
}

// Target is what to converge: exactly one of a parameter group (every
// instance using it: for a DB cluster parameter group, every cluster using
// it, one after the other), one instance, or an Aurora cluster.
type Target struct {
	Group string
	// Kind is Group's kind; MakePlan's Plan.Target has it resolved.
	Kind     GroupKind
	Instance string
	Cluster  string
}

func (t Target) String() string {
	switch {
	case t.Cluster != "":
		return "cluster " + t.Cluster
	case t.Instance != "":
		return "instance " + t.Instance
	case t.Kind == KindCluster:
		return "cluster parameter group " + t.Group
	}
	return "parameter group " + t.Group
}

// Rolls reports whether the target converges clusters, rolling: a cluster,
// or a DB cluster parameter group.
func (t Target) Rolls() bool {
	return t.Cluster != "" || t.Group != "" && t.Kind == KindCluster
}

// validate checks the target against the strategy without calling
// anything; a Group of KindAuto is checked again once resolved.
func (t Target) validate(st Strategy) error {
	n := 0
	for _, s := range []string{t.Group, t.Instance, t.Cluster} {
		if s != "" {
			n++
		}
	}
	switch {
	case n != 1:
		return fmt.Errorf("%w: name one parameter group, instance or cluster", ErrInvalid)
	case t.Kind != KindAuto && t.Kind != KindDB && t.Kind != KindCluster:
		return fmt.Errorf("%w: unknown parameter group kind %q", ErrInvalid, t.Kind)
	case t.Kind != KindAuto && t.Group == "":
		return fmt.Errorf("%w: a kind (%s) says what a parameter group is: it needs a parameter group, not an instance or a cluster", ErrInvalid, t.Kind)
	case t.Group != "" && t.Kind == KindAuto:
		// Known once resolved.
	case t.Cluster != "" && (st == StrategyReboot || st == StrategyFailover):
		return fmt.Errorf("%w: a cluster converges rolling (readers, a failover, the old writer): use --strategy auto or rolling, not %s", ErrInvalid, st)
	case t.Rolls() && (st == StrategyReboot || st == StrategyFailover):
		return fmt.Errorf("%w: %s is a DB cluster parameter group, whose clusters converge rolling (readers, a failover, the old writer): use --strategy auto or rolling, not %s", ErrInvalid, t.Group, st)
	case !t.Rolls() && st == StrategyRolling && t.Group != "":
		return fmt.Errorf("%w: the rolling strategy is for Aurora clusters (--cluster, or a DB cluster parameter group), and %s is a DB parameter group: use auto, reboot or failover", ErrInvalid, t.Group)
	case !t.Rolls() && st == StrategyRolling:
		return fmt.Errorf("%w: the rolling strategy is for Aurora clusters (--cluster): use auto, reboot or failover", ErrInvalid)
	}
	return nil
}

// resolve finds t's Group in the namespace its Kind names, or, for
// KindAuto, in both: a name only one kind has is that kind, a name both
// have is refused (ErrInvalid) and a name neither has is a parameter
// group not found. It only reads.
func (t Target) resolve(ctx context.Context, api cloud.RDS) (Target, error) {
	if t.Group == "" {
		return t, nil
	}
	if t.Kind != KindAuto {
		_, err := cloud.Groups{API: api, Cluster: t.Kind == KindCluster}.Find(ctx, t.Group)
		return t, err
	}
	_, dbErr := cloud.Groups{API: api}.Find(ctx, t.Group)
	if dbErr != nil && !cloud.IsNotFound(dbErr) {
		return t, dbErr
	}
	_, clErr := cloud.Groups{API: api, Cluster: true}.Find(ctx, t.Group)
	if clErr != nil && !cloud.IsNotFound(clErr) {
		return t, clErr
	}
	switch {
	case dbErr == nil && clErr == nil:
		return t, fmt.Errorf("%w: %q names both a DB parameter group and a DB cluster parameter group: choose one with --kind db or --kind cluster", ErrInvalid, t.Group)
	case dbErr == nil:
		t.Kind = KindDB
	case clErr == nil:
		t.Kind = KindCluster
	default:
		return t, dbErr
	}
	return t, nil
}

// Change is one value the restart will change: the server runs From, the
// parameter group says To.
type Change struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Step is one member's part of the plan.
type Step struct {
	Instance string `json:"instance"`
	Action   Action `json:"action"`
	MultiAZ  bool   `json:"multi_az"`
	// Cluster is the Aurora cluster of a rolling plan's step, and Role
	// the instance's role when the step runs (reader, or writer for an
	// in-place writer reboot and for the reader a failover promotes).
	// OldWriter is the writer a failover step moves away from.
	Cluster   string `json:"cluster,omitempty"`
	Role      string `json:"role,omitempty"`
	OldWriter string `json:"old_writer,omitempty"`
	// ClusterParameterGroup is a cluster step's DB cluster parameter
	// group; ApplyStatus counts it too.
	ClusterParameterGroup string `json:"cluster_parameter_group,omitempty"`
	// ParameterGroups are the instance's DB parameter groups, and
	// ApplyStatus their combined status (pending-reboot).
	ParameterGroups []string `json:"parameter_groups"`
	ApplyStatus     string   `json:"apply_status"`
	// ExpectedDowntime says what writes will wait for (one failover, one
	// restart in place, none for a reader) with AWS's typical figure, and
	// ExpectedDowntimeSeconds is that figure: an estimate, null where AWS
	// documents none (an in-place reboot).
	ExpectedDowntime        string   `json:"expected_downtime"`
	ExpectedDowntimeSeconds *float64 `json:"expected_downtime_seconds"`
	// Changes are the values that differ between the group and the
	// server and wait for the restart; for a cluster's failover, those
	// the cluster endpoint serves differently once the updated reader
	// writes.
	Changes []Change `json:"changes"`
	// Before is the verification the plan was made from.
	Before *verify.Report `json:"-"`
}

// Plan is every step, in the order Execute runs them, and the members that
// need nothing.
type Plan struct {
	Target   Target   `json:"-"`
	Strategy Strategy `json:"strategy"`
	Steps    []Step   `json:"steps"`
	// InSync are the members already in-sync: nothing to do.
	InSync []string `json:"in_sync"`
}

// Options say how to plan and execute.
type Options struct {
	Strategy Strategy
	// Verify is how members' servers are verified (login, expectations),
	// before the plan and after each restart.
	Verify verify.Options
	// MaxDowntime, when positive, is the longest outage clients may see
	// per member; a breach stops the rollout.
	MaxDowntime time.Duration
	// ProbeInterval and ProbeWrite tune the probe (failover's defaults).
	ProbeInterval time.Duration
	ProbeWrite    bool
	// Timeout bounds each member's restart (failover.DefaultTimeout), and
	// the wait for in-sync after it.
	Timeout time.Duration
	// SettleTimeout bounds the wait, while planning, for a member whose
	// group is still applying (DefaultSettleTimeout).
	SettleTimeout time.Duration
	// Progress and Warn receive lines for stderr; nil discards.
	Progress func(format string, args ...any)
	Warn     func(format string, args ...any)
}

// DefaultSettleTimeout bounds the wait for an applying group to settle to
// in-sync or pending-reboot before the plan is made.
const DefaultSettleTimeout = time.Minute

func (o *Options) defaults() {
	if o.Strategy == "" {
		o.Strategy = StrategyAuto
	}
	if o.Timeout <= 0 {
		o.Timeout = failover.DefaultTimeout
	}
	if o.SettleTimeout <= 0 {
		o.SettleTimeout = DefaultSettleTimeout
	}
	if o.Progress == nil {
		o.Progress = func(string, ...any) {}
	}
	if o.Warn == nil {
		o.Warn = o.Progress
	}
}

// Validate checks the options without calling anything; its errors are
// ErrInvalid or verify's settings errors.
func (o Options) Validate() error {
	switch o.Strategy {
	case "", StrategyAuto, StrategyReboot, StrategyFailover, StrategyRolling:
	default:
		return fmt.Errorf("%w: unknown strategy %q", ErrInvalid, o.Strategy)
	}
	if o.MaxDowntime < 0 {
		return fmt.Errorf("%w: negative max downtime %s", ErrInvalid, o.MaxDowntime)
	}
	return o.Verify.Validate()
}

// IsInvalid reports whether err rejects the input before anything was
// called or changed: a CLI's exit 2.
func IsInvalid(err error) bool {
	return errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotMultiAZ) || verify.IsSettingsError(err)
}

// MakePlan finds every member of target whose parameter group is
// pending-reboot, chooses each one's action by opts.Strategy (a cluster's
// by planCluster, a DB cluster parameter group's by planClusterGroup), and
// verifies its server to list the values the restart will change. It
// changes nothing. A missing group, instance or cluster is a
// cloud.NotFoundError; a group no instance uses plans nothing. The Plan's
// Target has its group's Kind resolved.
func MakePlan(ctx context.Context, api cloud.RDS, awsCfg aws.Config, target Target, opts Options) (*Plan, error) {
	opts.defaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := target.validate(opts.Strategy); err != nil {
		return nil, err
	}
	target, err := target.resolve(ctx, api)
	if err != nil {
		return nil, err
	}
	if err := target.validate(opts.Strategy); err != nil {
		return nil, err
	}
	switch {
	case target.Cluster != "":
		return planCluster(ctx, api, awsCfg, target, opts)
	case target.Rolls():
		return planClusterGroup(ctx, api, awsCfg, target, opts)
	}
	ids, err := members(ctx, api, target)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Target: target, Strategy: opts.Strategy, Steps: []Step{}, InSync: []string{}}
	for _, id := range ids {
		in, err := settled(ctx, api, id, opts)
		if err != nil {
			return nil, err
		}
		if c := aws.ToString(in.DBClusterIdentifier); c != "" {
			return nil, fmt.Errorf("%w: %s is a member of Aurora cluster %s, which converges as a whole: use --cluster %s", ErrInvalid, id, c, c)
		}
		g := verify.GroupsOf(in)
		if g.Status != "pending-reboot" {
			plan.InSync = append(plan.InSync, id)
			continue
		}
		step := Step{Instance: id, MultiAZ: aws.ToBool(in.MultiAZ), ParameterGroups: g.Names, ApplyStatus: g.Status, Changes: []Change{}}
		switch {
		case opts.Strategy == StrategyReboot || opts.Strategy == StrategyAuto && !step.MultiAZ:
			step.Action = ActionReboot
			step.expect(expectReboot)
		case !step.MultiAZ:
			return nil, fmt.Errorf("%s: --strategy failover needs a standby: %w (use --strategy auto or reboot)", id, ErrNotMultiAZ)
		default:
			step.Action = ActionFailover
			step.expect(expectMultiAZFailover)
		}
		plan.Steps = append(plan.Steps, step)
	}
	// Verify only once every member is known to be plannable, so a refused
	// strategy costs no connection.
	if err := readChanges(ctx, api, awsCfg, plan, opts); err != nil {
		return nil, err
	}
	return plan, nil
}

func (s *Step) expect(e expectation) {
	s.ExpectedDowntime, s.ExpectedDowntimeSeconds = e.text, e.seconds
}

// readChanges verifies the server of each step (each instance once) and
// lists the values its restart will change. A failover step reads the
// server it fails over from (OldWriter): its changes are what the cluster
// endpoint serves differently afterwards.
func readChanges(ctx context.Context, api cloud.RDS, awsCfg aws.Config, plan *Plan, opts Options) error {
	read := map[string]*verify.Report{}
	for i := range plan.Steps {
		s := &plan.Steps[i]
		id := s.Instance
		if s.OldWriter != "" {
			id = s.OldWriter
		}
		rep, ok := read[id]
		if !ok {
			opts.Progress("reading what %s runs", id)
			var err error
			if rep, err = verify.Instance(ctx, api, awsCfg, id, opts.Verify); err != nil {
				return fmt.Errorf("verifying %s before the plan: %w", id, err)
			}
			read[id] = rep
		}
		s.Before = rep
		s.Changes = pendingChanges(rep)
	}
	return nil
}

// members lists the instances of the target, sorted.
func members(ctx context.Context, api cloud.RDS, t Target) ([]string, error) {
	if t.Instance != "" {
		if _, err := cloud.FindInstance(ctx, api, t.Instance); err != nil {
			return nil, err
		}
		return []string{t.Instance}, nil
	}
	// resolve found the group.
	users, err := cloud.Groups{API: api}.Users(ctx, map[string]bool{strings.ToLower(t.Group): true})
	if err != nil {
		return nil, err
	}
	return usersBy(users, func(u cloud.GroupUser) string { return u.Instance }), nil
}

// usersBy lists key of users, each once, sorted, without "".
func usersBy(users []cloud.GroupUser, key func(cloud.GroupUser) string) []string {
	var out []string
	for _, u := range users {
		if k := key(u); k != "" && !contains(out, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// settled returns the instance once no parameter group of it is applying:
// an immediate change lands in the background, and an applying group may
// yet turn pending-reboot.
func settled(ctx context.Context, api cloud.RDS, id string, opts Options) (types.DBInstance, error) {
	var in types.DBInstance
	err := untilSettled(ctx, opts.SettleTimeout, func() (string, error) {
		var err error
		if in, err = cloud.FindInstance(ctx, api, id); err != nil {
			return "", err
		}
		if verify.GroupsOf(in).Status == "applying" {
			return id, nil
		}
		return "", nil
	})
	return in, err
}

// untilSettled polls look, backing off, until it names nothing still
// applying, for at most timeout.
func untilSettled(ctx context.Context, timeout time.Duration, look func() (applying string, err error)) error {
	deadline := time.Now().Add(timeout)
	wait := 100 * time.Millisecond
	for {
		applying, err := look()
		if err != nil || applying == "" {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: parameter group still applying after %s", applying, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
			wait = min(2*wait, 2*time.Second)
		}
	}
}

// pendingChanges are the report's values that wait for the reboot.
func pendingChanges(rep *verify.Report) []Change {
	out := []Change{}
	for _, r := range rep.Parameters {
		if r.Status == verify.StatusPendingReboot {
			out = append(out, Change{Name: r.Name, From: r.Actual, To: r.Expected})
		}
	}
	return out
}
