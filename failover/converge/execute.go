package converge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/verify"
)

// Outcome is how one member's step ended. The strings are part of
// `params converge -o json`.
type Outcome string

// The outcomes.
const (
	// OutcomeConverged: restarted, in-sync, every value verified.
	OutcomeConverged Outcome = "converged"
	// OutcomeVerifyFailed: restarted, but the server does not run what
	// the group says, or could not be verified, or is not in-sync.
	OutcomeVerifyFailed Outcome = "verify-failed"
	// OutcomeBudgetBreached: clients were down longer than MaxDowntime.
	OutcomeBudgetBreached Outcome = "max-downtime-exceeded"
	// OutcomeFailed: the restart could not be run or did not finish.
	OutcomeFailed Outcome = "failed"
	// OutcomeInterrupted: stopped (Ctrl-C) during the member's restart.
	OutcomeInterrupted Outcome = "interrupted"
)

// Member is what happened to one member: the restart as `failover -o json`
// reports it, with the verification afterwards inside it (failover.verify)
// as `verify -o json` reports it, and the values before and after.
type Member struct {
	Instance string `json:"instance"`
	Action   Action `json:"action"`
	// Cluster and Role are a cluster step's cluster and the instance's
	// role in it (Step.Cluster, Step.Role).
	Cluster         string  `json:"cluster,omitempty"`
	Role            string  `json:"role,omitempty"`
	Outcome         Outcome `json:"outcome"`
	DowntimeSeconds float64 `json:"downtime_seconds"`
	// WriteDowntimeSeconds, in a cluster rollout, is what writes through
	// the cluster endpoint lost while this step ran (WriteDowntime).
	WriteDowntimeSeconds *float64 `json:"write_downtime_seconds,omitempty"`
	// Before and After are the changed parameters' values on the server
	// before the restart and after it (name to value); for a cluster's
	// failover, on the old writer and on the new one.
	Before map[string]string `json:"before"`
	After  map[string]string `json:"after"`
	// Failover is the measured restart, its Verify the server afterwards;
	// Verify is the same report, kept out of the JSON to say it once.
	Failover *failover.Result `json:"failover"`
	Verify   *verify.Report   `json:"-"`
	// Error says why the member did not converge.
	Error string `json:"error,omitempty"`
}

// Result is a whole run: the plan and what happened to each member, in
// order. Members stops at the first that did not converge.
type Result struct {
	Plan    *Plan    `json:"-"`
	Members []Member `json:"members"`
	// Remaining are the instances of the planned steps left undone after a
	// stop (each once), and RemainingSteps those steps.
	Remaining      []string `json:"remaining"`
	RemainingSteps []Step   `json:"remaining_steps"`
	// WriteDowntimes are what writes through each cluster's endpoint met
	// while its steps ran, one per cluster rolled, in order; none for
	// instances. WriteDowntime is the one of a Target.Cluster rollout (the
	// first and only of WriteDowntimes); nil for other targets.
	WriteDowntimes []*WriteDowntime `json:"write_downtimes,omitempty"`
	WriteDowntime  *WriteDowntime   `json:"write_downtime,omitempty"`
	// Converged is true when every planned step converged.
	Converged bool `json:"converged"`
}

// StopError says why Execute stopped before the end of the plan: a member
// that failed verification or breached the budget (a finding), or one
// whose restart failed.
type StopError struct {
	Instance string
	Outcome  Outcome
	Err      error
}

func (e *StopError) Error() string {
	return fmt.Sprintf("stopped at %s (%s): %v", e.Instance, e.Outcome, e.Err)
}

func (e *StopError) Unwrap() error { return e.Err }

// Finding reports whether the stop is a finding (verification, budget),
// as opposed to a failure to run the restart.
func (e *StopError) Finding() bool {
	return e.Outcome == OutcomeVerifyFailed || e.Outcome == OutcomeBudgetBreached
}

// Execute runs the plan's steps in order: for each, failover.Run with a
// probe on the member's endpoint, MaxDowntime and a verification that
// first waits for in-sync, then checks every value the group sets. It
// stops at the first member that does not converge and leaves the rest
// untouched; the error is then a *StopError (or ctx's, for Ctrl-C between
// members). The Result is complete either way.
//
// A cluster's rollout is also watched as a whole through the cluster
// endpoint (Result.WriteDowntimes); nothing of it starts unless a write
// through it succeeds first. A plan of several clusters (a DB cluster
// parameter group's) rolls them one after the other, each watched while
// its own steps run.
func Execute(ctx context.Context, api cloud.RDS, awsCfg aws.Config, plan *Plan, opts Options) (*Result, error) {
	opts.defaults()
	res := &Result{Plan: plan, Members: []Member{}, Remaining: []string{}, RemainingSteps: []Step{}}
	// One writing probe per cluster, through its endpoint, for the run of
	// steps that roll it; memberOf[i] is member i's, and windows[i] its
	// step's time.
	var watches, memberOf []*writeWatch
	var windows []stepWindow
	var writes *writeWatch
	defer func() {
		for _, w := range watches {
			res.WriteDowntimes = append(res.WriteDowntimes, w.close())
		}
		for i, w := range memberOf {
			if w != nil {
				res.Members[i].WriteDowntimeSeconds = ptr(secondsIn(w.close().Outages, windows[i].start, windows[i].end))
			}
		}
		if plan.Target.Cluster != "" && len(res.WriteDowntimes) > 0 {
			res.WriteDowntime = res.WriteDowntimes[0]
		}
	}()
	clusters := 0
	for i, step := range plan.Steps {
		if i == 0 || step.Cluster != plan.Steps[i-1].Cluster {
			clusters++
		}
	}
	nth := 0
	for i, step := range plan.Steps {
		if err := ctx.Err(); err != nil {
			res.Remaining, res.RemainingSteps = remaining(plan, i)
			return res, err
		}
		if writes != nil && step.Cluster != writes.cluster {
			writes.close()
			writes = nil
		}
		if step.Cluster != "" && writes == nil {
			if nth++; clusters > 1 {
				opts.Progress("cluster %s (%d of %d)", step.Cluster, nth, clusters)
			}
			w, err := watchWrites(ctx, api, awsCfg, step.Cluster, opts)
			if err != nil {
				res.Remaining, res.RemainingSteps = remaining(plan, i)
				return res, err
			}
			writes = w
			watches = append(watches, w)
		}
		opts.Progress("[%d/%d] %s %s", i+1, len(plan.Steps), step.Action, step.Instance)
		start := time.Now()
		m, err := runStep(ctx, api, awsCfg, step, opts)
		win := stepWindow{name: string(step.Action) + " " + step.Instance, start: start, end: time.Now()}
		if writes != nil {
			writes.steps = append(writes.steps, win)
		}
		res.Members = append(res.Members, m)
		memberOf, windows = append(memberOf, writes), append(windows, win)
		if err != nil {
			res.Remaining, res.RemainingSteps = remaining(plan, i+1)
			return res, &StopError{Instance: step.Instance, Outcome: m.Outcome, Err: err}
		}
	}
	res.Converged = true
	return res, nil
}

// remaining are the steps from index from on, and their instances, each
// once.
func remaining(plan *Plan, from int) ([]string, []Step) {
	ids := []string{}
	for _, s := range plan.Steps[from:] {
		if !contains(ids, s.Instance) {
			ids = append(ids, s.Instance)
		}
	}
	return ids, append([]Step{}, plan.Steps[from:]...)
}

func runStep(ctx context.Context, api cloud.RDS, awsCfg aws.Config, step Step, opts Options) (Member, error) {
	m := Member{Instance: step.Instance, Action: step.Action, Cluster: step.Cluster, Role: step.Role, Before: map[string]string{}, After: map[string]string{}}
	for _, c := range step.Changes {
		m.Before[c.Name] = c.From
	}
	if step.Action == ActionFailover && step.Cluster != "" {
		fr, err := runClusterFailover(ctx, api, awsCfg, step, opts)
		return conclude(m, step, fr, err, opts)
	}
	in, _, err := failover.Preflight(ctx, api, step.Instance, step.Action == ActionFailover)
	if err != nil {
		return conclude(m, step, nil, err, opts)
	}
	probe, err := memberProbe(ctx, awsCfg, in, opts)
	if err != nil {
		return conclude(m, step, nil, err, opts)
	}
	// A cluster member's own endpoint is read-only when it is a reader;
	// the rollout's writes are watched through the cluster endpoint.
	probe.Write = opts.ProbeWrite && step.Cluster == ""
	fr, runErr := failover.Run(ctx, api, failover.Options{
		Instance: step.Instance, Failover: step.Action == ActionFailover, Probe: probe,
		Timeout: opts.Timeout, MaxDowntime: opts.MaxDowntime, Progress: opts.Progress, Warn: opts.Warn,
		Verify: func(ctx context.Context) (*verify.Report, error) {
			return verifyMember(ctx, api, awsCfg, step, step.Instance, opts)
		},
	})
	return conclude(m, step, fr, runErr, opts)
}

// memberProbe is a probe of in's own endpoint, logged in as verify logs
// in, with opts' interval.
func memberProbe(ctx context.Context, awsCfg aws.Config, in types.DBInstance, opts Options) (*failover.Probe, error) {
	conn, err := opts.Verify.Login.Resolve(ctx, awsCfg, in, opts.Verify.Warnf)
	if err != nil {
		return nil, err
	}
	probe, err := failover.NewProbe(conn.Config)
	if err != nil {
		return nil, err
	}
	if opts.ProbeInterval > 0 {
		probe.Interval = opts.ProbeInterval
	}
	return probe, nil
}

// verifyMember waits for instance id to be in-sync, then verifies its
// server. In-sync first: verified while RDS still says pending-reboot, an
// unapplied value would pass as "pending" instead of drift. A cluster
// member is in-sync when its cluster group is too.
func verifyMember(ctx context.Context, api cloud.RDS, awsCfg aws.Config, step Step, id string, opts Options) (*verify.Report, error) {
	var err error
	if step.Cluster != "" {
		err = cloud.WaitClusterMemberInSync(ctx, api, step.Cluster, id, opts.Timeout, nil, fastClusterPoll)
	} else {
		err = cloud.WaitInstanceInSync(ctx, api, id, opts.Timeout, fastPoll)
	}
	if err != nil {
		return nil, fmt.Errorf("%s is not in-sync after the %s: %w", id, step.Action, err)
	}
	return verify.Instance(ctx, api, awsCfg, id, opts.Verify)
}

// conclude fills m from the run's result and decides the member's
// outcome: the error is non-nil unless it converged.
func conclude(m Member, step Step, fr *failover.Result, runErr error, opts Options) (Member, error) {
	fail := func(o Outcome, err error) (Member, error) {
		m.Outcome, m.Error = o, err.Error()
		return m, err
	}
	if fr == nil {
		return fail(OutcomeFailed, runErr)
	}
	m.Failover, m.Verify = fr, fr.Verify
	m.DowntimeSeconds = fr.DowntimeSeconds
	if fr.Verify != nil {
		for _, c := range step.Changes {
			for _, r := range fr.Verify.Parameters {
				if r.Name == c.Name {
					m.After[c.Name] = r.Actual
				}
			}
		}
	}
	switch {
	case fr.Interrupted || errors.Is(runErr, context.Canceled):
		return fail(OutcomeInterrupted, fmt.Errorf("interrupted during the %s: %w", step.Action, orCanceled(runErr)))
	case runErr != nil:
		return fail(OutcomeFailed, runErr)
	case fr.MaxDowntimeExceeded:
		return fail(OutcomeBudgetBreached, fmt.Errorf("downtime %.3fs exceeded the budget of %s", fr.DowntimeSeconds, opts.MaxDowntime))
	case fr.VerifyError != "":
		return fail(OutcomeVerifyFailed, errors.New("verification failed: "+fr.VerifyError))
	}
	if bad := notConverged(fr.Verify); len(bad) > 0 {
		return fail(OutcomeVerifyFailed, fmt.Errorf("the server does not run what the group says: %s", joinResults(bad)))
	}
	m.Outcome = OutcomeConverged
	opts.Progress("%s converged: in-sync, %d %s verified, downtime %.3fs", fr.Instance, len(fr.Verify.Parameters),
		pluralValue(len(fr.Verify.Parameters)), fr.DowntimeSeconds)
	return m, nil
}

func orCanceled(err error) error {
	if err == nil {
		return context.Canceled
	}
	return err
}

func pluralValue(n int) string {
	if n == 1 {
		return "value"
	}
	return "values"
}

// notConverged are the results that say the restart did not bring the
// server to its group: drift, and anything still pending a reboot.
func notConverged(rep *verify.Report) []verify.Result {
	var out []verify.Result
	for _, r := range rep.Parameters {
		if r.Status == verify.StatusDrift || r.Status == verify.StatusPendingReboot ||
			r.Source == "expect" && (r.Status == verify.StatusNotAVariable || r.Status == verify.StatusUnresolved) {
			out = append(out, r)
		}
	}
	return out
}

func joinResults(rs []verify.Result) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s (expected %s, server runs %s, %s)", r.Name, r.Expected, r.Actual, r.Status)
	}
	return s
}

// fastPoll polls quickly at first: right after a restart the status is
// usually already in-sync.
func fastPoll(o *rds.DBInstanceAvailableWaiterOptions) {
	o.MinDelay, o.MaxDelay = 100*time.Millisecond, 5*time.Second
}

func fastClusterPoll(o *rds.DBClusterAvailableWaiterOptions) {
	o.MinDelay, o.MaxDelay = 100*time.Millisecond, 5*time.Second
}

// Report is the whole of `params converge -o json`: the plan, and what
// happened to each member (empty for a dry run or a converged target).
type Report struct {
	Target string `json:"target"`
	// TargetSpec is the plan's Target, resolved.
	TargetSpec     Target   `json:"-"`
	Strategy       Strategy `json:"strategy"`
	DryRun         bool     `json:"dry_run"`
	Plan           []Step   `json:"plan"`
	InSync         []string `json:"in_sync"`
	Members        []Member `json:"members"`
	Remaining      []string `json:"remaining"`
	RemainingSteps []Step   `json:"remaining_steps"`
	// WriteDowntimes and WriteDowntime are a cluster rollout's, as in
	// Result.
	WriteDowntimes []*WriteDowntime `json:"write_downtimes,omitempty"`
	WriteDowntime  *WriteDowntime   `json:"write_downtime,omitempty"`
	// Converged is true when nothing is left pending-reboot: the plan was
	// empty, or every step converged.
	Converged bool `json:"converged"`
}

// NewReport combines a plan with its result; res is nil for a dry run or
// when nothing was executed.
func NewReport(plan *Plan, res *Result, dryRun bool) Report {
	r := Report{Target: plan.Target.String(), TargetSpec: plan.Target, Strategy: plan.Strategy, DryRun: dryRun, Plan: plan.Steps,
		InSync: plan.InSync, Members: []Member{}, Remaining: []string{}, RemainingSteps: []Step{}, Converged: len(plan.Steps) == 0}
	if res != nil {
		r.Members, r.Remaining, r.RemainingSteps, r.Converged = res.Members, res.Remaining, res.RemainingSteps, res.Converged
		r.WriteDowntime, r.WriteDowntimes = res.WriteDowntime, res.WriteDowntimes
	} else if !r.Converged {
		r.Remaining, r.RemainingSteps = remaining(plan, 0)
	}
	return r
}
