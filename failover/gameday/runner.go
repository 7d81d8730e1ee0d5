package gameday

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

// Errors the command maps to exit codes.
var (
	// ErrProtected: the target carries rdsctl:protected=true; nothing ran.
	ErrProtected = errors.New("target is protected")
	// ErrUnreachable: the database probe cannot reach the target's engine,
	// so no outage could be measured; nothing ran.
	ErrUnreachable = errors.New("the database probe cannot reach the target")
	// ErrFailed: a step or an assertion failed (the report says which).
	ErrFailed = errors.New("game day failed")
	// ErrRollback: rollback could not restore everything.
	ErrRollback = errors.New("rollback incomplete")
)

// Options tune Run.
type Options struct {
	Driver         Driver
	AllowProtected bool
	// Confirm is called once the target passed its checks, before any
	// change; an error stops the drill.
	Confirm func(TargetInfo) error
	// Logf receives one line per step and finding, for stderr.
	Logf func(format string, args ...any)
	// Observe receives every probe observation as it is made, for live
	// progress; it must not block.
	Observe func(probe string, o failover.Observation)
	// ReachTimeout bounds the pre-flight check of the database (10s).
	ReachTimeout time.Duration
	// RollbackTimeout bounds the rollback (10m).
	RollbackTimeout time.Duration
}

// Run runs the scenario and returns its report, always with what is known
// (also when interrupted). The error wraps ErrFailed when a step or an
// assertion failed, ErrRollback when rollback failed, ErrProtected or
// ErrUnreachable when nothing ran, or is the context's.
func Run(ctx context.Context, sc *Scenario, opts Options) (*Report, error) {
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.ReachTimeout <= 0 {
		opts.ReachTimeout = 10 * time.Second
	}
	if opts.RollbackTimeout <= 0 {
		opts.RollbackTimeout = 10 * time.Minute
	}
	r := &runner{sc: sc, opts: opts, d: opts.Driver,
		rep:       &Report{Name: sc.Name, Target: sc.Target.Name(), StartedAt: time.Now().UTC(), Steps: []StepResult{}, Probes: []Figures{}, Markers: []Marker{}},
		origGroup: map[string]map[string]ParamState{}, origServer: map[string]string{}}
	err := r.run(ctx)
	r.rep.EndedAt = time.Now().UTC()
	if err != nil && r.rep.Error == "" {
		r.rep.Error = err.Error()
	}
	r.rep.Sentence = Sentence(r.rep)
	return r.rep, err
}

type runner struct {
	sc   *Scenario
	opts Options
	d    Driver
	rep  *Report

	target     TargetInfo
	dbProbe    *failover.Probe
	apps       []*appProbe
	hooks      []hook
	mu         sync.Mutex
	origGroup  map[string]map[string]ParamState // group -> name -> before
	origServer map[string]string                // name -> server value before
}

func (r *runner) run(ctx context.Context) error {
	t, err := r.d.DescribeTarget(ctx)
	if err != nil {
		return fmt.Errorf("describing target %s: %w", r.sc.Target.Name(), err)
	}
	r.target = t
	r.rep.TargetInfo = &t
	if strings.EqualFold(t.Tags[ProtectedTag], "true") && !r.opts.AllowProtected {
		return fmt.Errorf("%s is tagged %s=true (use --allow-protected to drill it anyway): %w", t.ID, ProtectedTag, ErrProtected)
	}
	if t.Status != "available" {
		return fmt.Errorf("%s is %s, not available: %w", t.ID, t.Status, ErrUnreachable)
	}
	if err := r.checkParams(ctx); err != nil {
		return err
	}
	if err := r.reach(ctx); err != nil {
		return err
	}
	if r.opts.Confirm != nil {
		if err := r.opts.Confirm(t); err != nil {
			return err
		}
	}

	pctx, stopProbes := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	r.startProbes(pctx, &wg)
	stepErr := r.steps(ctx)
	stopProbes()
	wg.Wait()
	r.figures()

	var rbErr error
	if r.sc.Rollback {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.RollbackTimeout)
		rbErr = r.rollback(rctx)
		cancel()
	}
	r.rep.Passed = stepErr == nil && rbErr == nil && ctx.Err() == nil
	for _, s := range r.rep.Steps {
		r.rep.Passed = r.rep.Passed && s.Passed
	}
	switch {
	case ctx.Err() != nil:
		r.rep.Interrupted = true
		return errors.Join(fmt.Errorf("interrupted: %w", ctx.Err()), rbErr)
	case rbErr != nil:
		return errors.Join(stepErr, rbErr)
	case !r.rep.Passed:
		return fmt.Errorf("%s: %w", r.failedSummary(), ErrFailed)
	}
	return stepErr
}

// checkParams validates every set and reset step against its group before
// anything runs: a typo in step 7 must not leave steps 1-6 done. The
// Driver marks a refused change with ErrInvalid.
func (r *runner) checkParams(ctx context.Context) error {
	for i, st := range r.sc.Steps {
		if st.Kind != StepSet && st.Kind != StepReset {
			continue
		}
		g, err := r.group(st.Group)
		if err == nil {
			err = r.d.CheckParams(ctx, g, st.Params, st.Names)
		}
		if err != nil {
			return fmt.Errorf("step %d (%s, line %d): %w", i+1, st.Kind, st.Line, err)
		}
	}
	return nil
}

// reach makes sure the database probe can log in before anything changes:
// a drill whose database side cannot be measured is no drill.
func (r *runner) reach(ctx context.Context) error {
	p := r.d.DatabaseProbe()
	deadline := time.Now().Add(r.opts.ReachTimeout)
	for {
		o := p.Attempt(ctx)
		if o.OK {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if o.Class == failover.ClassAuth || time.Now().After(deadline) {
			return fmt.Errorf("%s (%s): %s: %s: %w", r.target.ID, r.target.Endpoint, o.Class, o.Err, ErrUnreachable)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (r *runner) startProbes(ctx context.Context, wg *sync.WaitGroup) {
	r.dbProbe = r.d.DatabaseProbe()
	if r.opts.Observe != nil {
		r.dbProbe.Observe = func(o failover.Observation) { r.opts.Observe(DatabaseProbe, o) }
	}
	wg.Add(1)
	go func() { defer wg.Done(); _ = r.dbProbe.Run(ctx) }()
	for _, spec := range r.sc.Probes {
		p := newAppProbe(spec)
		if r.opts.Observe != nil {
			name := spec.Name
			p.observe = func(o failover.Observation) { r.opts.Observe(name, o) }
		}
		r.apps = append(r.apps, p)
		wg.Add(1)
		go func() { defer wg.Done(); p.Run(ctx) }()
	}
}

// figures recomputes every probe's figures from what it has seen so far.
func (r *runner) figures() []Figures {
	db := computeFigures(DatabaseProbe, "database", r.dbProbe.Observations(), nil, nil)
	out := []Figures{db}
	lanes := []Lane{laneOf(DatabaseProbe, r.dbProbe.Observations())}
	for _, p := range r.apps {
		obs := p.Observations()
		f := computeFigures(p.spec.Name, p.spec.Kind, obs, &db, r.hooks)
		f.RecoveryBudgetSeconds = r.recoveryBudget(p.spec.Name)
		out = append(out, f)
		lanes = append(lanes, laneOf(p.spec.Name, obs))
	}
	r.rep.Probes = out
	r.rep.Lanes = lanes
	return out
}

// recoveryBudget is the tightest recovered_within the scenario asserts on
// probe, in seconds, or nil.
func (r *runner) recoveryBudget(probe string) *float64 {
	var b *float64
	for _, st := range r.sc.Steps {
		if a := st.Assert; st.Kind == StepAssert && a.Probe == probe && a.RecoveredWithin != nil {
			if s := a.RecoveredWithin.Seconds(); b == nil || s < *b {
				b = &s
			}
		}
	}
	return b
}

func (r *runner) steps(ctx context.Context) error {
	var failed error
	for i, st := range r.sc.Steps {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		res := StepResult{Index: i + 1, Kind: st.Kind, Name: describeStep(st), Line: st.Line, StartedAt: time.Now().UTC()}
		r.opts.Logf("step %d: %s", i+1, res.Name)
		r.marker(res.StartedAt, MarkStep, fmt.Sprintf("%d. %s", i+1, res.Name))
		if st.Kind == StepRun {
			r.hooks = append(r.hooks, hook{At: res.StartedAt, Name: res.Name})
		}
		detail, err := r.step(ctx, st)
		res.EndedAt = time.Now().UTC()
		res.Detail = detail
		res.Passed = err == nil
		if err != nil {
			if res.Detail != "" {
				res.Detail += "; "
			}
			res.Detail += err.Error()
			r.opts.Logf("✗ step %d failed: %s", i+1, res.Detail)
		} else {
			r.opts.Logf("✓ step %d: %s", i+1, res.Detail)
		}
		r.rep.Steps = append(r.rep.Steps, res)
		if err != nil {
			failed = fmt.Errorf("step %d (%s, line %d) failed: %w", i+1, st.Kind, st.Line, ErrFailed)
			// An assertion that fails leaves the drill going: what
			// follows (a verify, the next failover) still tells something.
			// Any other failed step leaves the system in a state the rest
			// of the script did not plan for.
			if st.Kind != StepAssert || ctx.Err() != nil {
				return failed
			}
		}
	}
	return failed
}

func (r *runner) marker(at time.Time, kind, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Markers = append(r.rep.Markers, Marker{At: at, Kind: kind, Text: text})
}

func (r *runner) group(g string) (string, error) {
	if g != "" {
		return g, nil
	}
	if len(r.target.Groups) != 1 {
		return "", fmt.Errorf("name the group: %s has %d parameter groups", r.target.ID, len(r.target.Groups))
	}
	return r.target.Groups[0], nil
}

func (r *runner) step(ctx context.Context, st Step) (string, error) {
	switch st.Kind {
	case StepSet, StepReset:
		g, err := r.group(st.Group)
		if err != nil {
			return "", err
		}
		names := st.Names
		for _, p := range st.Params {
			names = append(names, p.Name)
		}
		if err := r.remember(ctx, g, names); err != nil {
			return "", err
		}
		if st.Kind == StepSet {
			err = r.d.SetParams(ctx, g, st.Params)
		} else {
			err = r.d.ResetParams(ctx, g, st.Names)
		}
		if err != nil {
			return "", err
		}
		return "group " + g + " changed", nil
	case StepReboot, StepFailover:
		var res *failover.Result
		var err error
		if st.Kind == StepFailover {
			res, err = r.d.Failover(ctx)
		} else {
			res, err = r.d.Reboot(ctx)
		}
		if res != nil {
			for _, e := range res.Timeline {
				switch e.Source {
				case failover.SourceAPI:
					r.marker(e.At, MarkAPI, e.Text)
				case failover.SourceEvent:
					r.marker(e.At, MarkEvent, e.Text)
				}
			}
		}
		if err != nil {
			return "", err
		}
		detail := fmt.Sprintf("downtime %.3fs", res.DowntimeSeconds)
		if res.Operation == "failover" {
			detail += fmt.Sprintf(", %s -> %s", res.OldPrimaryAZ, res.NewPrimaryAZ)
		}
		if st.MaxDowntime > 0 && (res.DowntimeSeconds > st.MaxDowntime.Seconds() || !res.Recovered) {
			return detail, fmt.Errorf("exceeded max_downtime %s", st.MaxDowntime)
		}
		return detail, nil
	case StepVerify:
		rep, err := r.d.Verify(ctx, st.Expect)
		if err != nil {
			return "", err
		}
		return checkVerify(rep, st.Expect)
	case StepWait:
		if err := r.d.Wait(ctx, st.For, st.Timeout); err != nil {
			return "", err
		}
		return st.For, nil
	case StepSleep:
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(st.Duration):
		}
		return "slept " + st.Duration.String(), nil
	case StepRun:
		rctx, cancel := context.WithTimeout(ctx, st.Timeout)
		defer cancel()
		out, err := runShell(rctx, st.Command)
		if ctx.Err() != nil {
			return strings.TrimSpace(tail(out, 300)), fmt.Errorf("interrupted: %w", ctx.Err())
		}
		if errors.Is(rctx.Err(), context.DeadlineExceeded) {
			return tail(out, 300), fmt.Errorf("timed out after %s", st.Timeout)
		}
		if err != nil {
			return strings.TrimSpace(tail(out, 300)), err
		}
		return "exit 0", nil
	case StepAssert:
		return r.assert(ctx, st.Assert)
	}
	return "", fmt.Errorf("unknown step %q", st.Kind)
}

// remember records, before the first change to each parameter, its value
// in the group and on the server: what rollback restores and verifies.
func (r *runner) remember(ctx context.Context, group string, names []string) error {
	if r.origGroup[group] == nil {
		r.origGroup[group] = map[string]ParamState{}
	}
	var fresh []string
	for _, n := range names {
		if _, ok := r.origGroup[group][n]; !ok {
			fresh = append(fresh, n)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	gs, err := r.d.GroupParams(ctx, group, fresh)
	if err != nil {
		return fmt.Errorf("reading %s before changing it: %w", group, err)
	}
	sv, err := r.d.ServerValues(ctx, fresh)
	if err != nil {
		return fmt.Errorf("reading the server's values before changing them: %w", err)
	}
	for _, n := range fresh {
		st, ok := gs[n]
		if !ok {
			st = ParamState{Name: n}
		}
		r.origGroup[group][n] = st
		if v, ok := sv[n]; ok {
			r.origServer[n] = v
		}
	}
	return nil
}

func checkVerify(rep *verify.Report, expect []Param) (string, error) {
	want := map[string]bool{}
	for _, p := range expect {
		want[verify.CanonicalName(p.Name)] = true
	}
	var ok, bad []string
	for _, p := range rep.Parameters {
		if !want[verify.CanonicalName(p.Name)] {
			continue
		}
		if p.Status == verify.StatusOK {
			ok = append(ok, p.Name+"="+p.Actual)
		} else {
			bad = append(bad, fmt.Sprintf("%s: want %s, server has %s (%s)", p.Name, p.Expected, p.Actual, p.Status))
		}
	}
	detail := "server has " + strings.Join(ok, ", ")
	if len(bad) > 0 {
		return detail, errors.New(strings.Join(bad, "; "))
	}
	return detail, nil
}

// assertion polling: an assertion on a probe that is still down waits
// until the verdict is settled (the probe recovered, or the budget is
// spent), rather than failing on a race with the recovery.
const assertPoll = 100 * time.Millisecond

func (r *runner) assert(ctx context.Context, a *Assertion) (string, error) {
	for {
		figs := r.figures()
		var f, db Figures
		for _, x := range figs {
			if x.Name == a.Probe {
				f = x
			}
			if x.Name == DatabaseProbe {
				db = x
			}
		}
		detail, err, settled := judge(a, f, db, time.Now())
		if settled || err == nil {
			return detail, err
		}
		select {
		case <-ctx.Done():
			return detail, err
		case <-time.After(assertPoll):
		}
	}
}

// judge checks a against f (db: the database's figures) at now. settled
// is false while a failing verdict could still turn: the probe is down
// and its budget is not spent.
func judge(a *Assertion, f, db Figures, now time.Time) (detail string, err error, settled bool) {
	var parts, bad []string
	settled = true
	if a.DowntimeMax != nil {
		parts = append(parts, fmt.Sprintf("downtime %.3fs (max %gs)", f.DowntimeSeconds, *a.DowntimeMax))
		if f.DowntimeSeconds > *a.DowntimeMax {
			bad = append(bad, fmt.Sprintf("%s was down %.3fs, over the budget of %gs", f.Name, f.DowntimeSeconds, *a.DowntimeMax))
		} else if !f.Recovered {
			bad = append(bad, f.Name+" has not recovered")
			settled = false
		}
	}
	if a.RecoveredWithin != nil {
		switch {
		case f.RecoveredAfterDatabaseSeconds != nil:
			parts = append(parts, fmt.Sprintf("back %.3fs after the database (within %s)", *f.RecoveredAfterDatabaseSeconds, *a.RecoveredWithin))
			if *f.RecoveredAfterDatabaseSeconds > a.RecoveredWithin.Seconds() {
				bad = append(bad, fmt.Sprintf("%s was back %.3fs after the database, over %s", f.Name, *f.RecoveredAfterDatabaseSeconds, *a.RecoveredWithin))
			}
		case f.RecoveredAfterHook != "":
			bad = append(bad, fmt.Sprintf("%s did not recover by itself (it needed %q)", f.Name, f.RecoveredAfterHook))
		default:
			parts = append(parts, fmt.Sprintf("not back (within %s)", *a.RecoveredWithin))
			bad = append(bad, fmt.Sprintf("%s did not recover within %s of the database", f.Name, *a.RecoveredWithin))
			if db.RecoveredAt == nil && db.FirstFailureAt != nil {
				settled = false // the database itself is not back yet
			} else if db.RecoveredAt != nil && now.Before(db.RecoveredAt.Add(*a.RecoveredWithin)) {
				settled = false
			}
		}
	}
	if a.ErrorClasses != nil {
		keys := make([]string, 0, len(a.ErrorClasses))
		for k := range a.ErrorClasses {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s ×%d (max %d)", k, f.Classes[k], a.ErrorClasses[k]))
			if f.Classes[k] > a.ErrorClasses[k] {
				bad = append(bad, fmt.Sprintf("%s saw %s ×%d, over %d", f.Name, k, f.Classes[k], a.ErrorClasses[k]))
			}
		}
	}
	if a.MaxConsecutiveFailures != nil {
		parts = append(parts, fmt.Sprintf("%d consecutive failures (max %d)", f.MaxConsecutiveFailures, *a.MaxConsecutiveFailures))
		if f.MaxConsecutiveFailures > *a.MaxConsecutiveFailures {
			bad = append(bad, fmt.Sprintf("%s failed %d times in a row, over %d", f.Name, f.MaxConsecutiveFailures, *a.MaxConsecutiveFailures))
		}
	}
	detail = f.Name + ": " + strings.Join(parts, ", ")
	if len(bad) > 0 {
		return detail, errors.New(strings.Join(bad, "; ")), settled
	}
	return detail, nil, true
}

// rollback restores every parameter the drill changed, in the group and
// on the server, and verifies the server. It is idempotent: values already
// back are no-ops. Its failures are reported in the report and returned.
func (r *runner) rollback(ctx context.Context) error {
	rb := &RollbackResult{StartedAt: time.Now().UTC(), Restored: []Restored{}, Errors: []string{}}
	r.rep.Rollback = rb
	defer func() { rb.EndedAt = time.Now().UTC(); rb.Passed = len(rb.Errors) == 0 }()
	groups := make([]string, 0, len(r.origGroup))
	for g := range r.origGroup {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	if len(groups) == 0 {
		return nil
	}
	r.opts.Logf("rolling back %d parameter group(s)", len(groups))
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		rb.Errors = append(rb.Errors, msg)
		r.opts.Logf("✗ rollback: %s", msg)
	}
	var expect []Param
	for _, g := range groups {
		var set []Param
		var reset []string
		names := make([]string, 0, len(r.origGroup[g]))
		for n := range r.origGroup[g] {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			st := r.origGroup[g][n]
			item := Restored{Group: g, Name: n, Value: st.Value, Default: !st.UserSet}
			if st.UserSet {
				set = append(set, Param{Name: n, Value: st.Value})
			} else {
				reset = append(reset, n)
			}
			if v, ok := r.origServer[n]; ok {
				item.ServerValue = v
				expect = append(expect, Param{Name: n, Value: v})
			}
			rb.Restored = append(rb.Restored, item)
		}
		if len(set) > 0 {
			if err := r.d.SetParams(ctx, g, set); err != nil {
				fail("restoring %s in %s: %v", paramNames(set), g, err)
			}
		}
		if len(reset) > 0 {
			if err := r.d.ResetParams(ctx, g, reset); err != nil {
				fail("resetting %s in %s: %v", strings.Join(reset, ","), g, err)
			}
		}
	}
	if err := r.d.Wait(ctx, WaitInSync, 5*time.Minute); err != nil {
		fail("waiting for %s to be in-sync: %v", r.target.ID, err)
	}
	if len(expect) > 0 {
		rep, err := r.d.Verify(ctx, expect)
		if err != nil {
			fail("verifying the server: %v", err)
		} else {
			status := map[string]verify.Result{}
			for _, p := range rep.Parameters {
				status[verify.CanonicalName(p.Name)] = p
			}
			for i := range rb.Restored {
				it := &rb.Restored[i]
				if it.ServerValue == "" {
					continue
				}
				p, ok := status[verify.CanonicalName(it.Name)]
				switch {
				case !ok:
					fail("%s: not in the verification", it.Name)
				case p.Status == verify.StatusOK:
					it.ServerVerified = true
				default:
					fail("%s: the server has %s, not %s as before the drill (%s)", it.Name, p.Actual, it.ServerValue, p.Status)
				}
			}
		}
	}
	if len(rb.Errors) == 0 {
		r.opts.Logf("✓ rolled back %d parameter(s), verified on the server", len(rb.Restored))
		return nil
	}
	return fmt.Errorf("%s: %w", strings.Join(rb.Errors, "; "), ErrRollback)
}

func paramNames(ps []Param) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return strings.Join(out, ",")
}

func (r *runner) failedSummary() string {
	var out []string
	for _, s := range r.rep.Steps {
		if !s.Passed {
			out = append(out, fmt.Sprintf("step %d (%s, line %d): %s", s.Index, s.Kind, s.Line, s.Detail))
		}
	}
	return strings.Join(out, "; ")
}

// describeStep is a step's name in the report: its kind and arguments.
func describeStep(st Step) string {
	kv := func(ps []Param) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name+"="+p.Value)
		}
		return strings.Join(out, " ")
	}
	in := func() string {
		if st.Group == "" {
			return ""
		}
		return " in " + st.Group
	}
	switch st.Kind {
	case StepSet:
		return "set " + kv(st.Params) + in()
	case StepReset:
		return "reset " + strings.Join(st.Names, " ") + in()
	case StepReboot, StepFailover:
		if st.MaxDowntime > 0 {
			return st.Kind + " (max downtime " + st.MaxDowntime.String() + ")"
		}
		return st.Kind
	case StepVerify:
		return "verify " + kv(st.Expect)
	case StepWait:
		return "wait for " + st.For
	case StepSleep:
		return "sleep " + st.Duration.String()
	case StepRun:
		if st.Label != "" {
			return st.Label
		}
		return "run " + st.Command
	case StepAssert:
		a := st.Assert
		var parts []string
		if a.DowntimeMax != nil {
			parts = append(parts, fmt.Sprintf("downtime ≤ %gs", *a.DowntimeMax))
		}
		if a.RecoveredWithin != nil {
			parts = append(parts, "recovered within "+a.RecoveredWithin.String())
		}
		if a.ErrorClasses != nil {
			parts = append(parts, "error classes")
		}
		if a.MaxConsecutiveFailures != nil {
			parts = append(parts, fmt.Sprintf("≤ %d consecutive failures", *a.MaxConsecutiveFailures))
		}
		return "assert " + a.Probe + ": " + strings.Join(parts, ", ")
	}
	return st.Kind
}
