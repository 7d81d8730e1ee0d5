package converge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

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
// reports it, the values before and after, and the verification
// afterwards as `verify -o json` reports it.
type Member struct {
	Instance        string  `json:"instance"`
	Action          Action  `json:"action"`
	Outcome         Outcome `json:"outcome"`
	DowntimeSeconds float64 `json:"downtime_seconds"`
	// Before and After are the changed parameters' values on the server
	// before the restart and after it (name to value).
	Before map[string]string `json:"before"`
	After  map[string]string `json:"after"`
	// Failover is the measured restart; Verify the server afterwards.
	Failover *failover.Result `json:"failover"`
	Verify   *verify.Report   `json:"verify"`
	// Error says why the member did not converge.
	Error string `json:"error,omitempty"`
}

// Result is a whole run: the plan and what happened to each member, in
// order. Members stops at the first that did not converge.
type Result struct {
	Plan    *Plan    `json:"-"`
	Members []Member `json:"members"`
	// Remaining are the planned members left untouched after a stop.
	Remaining []string `json:"remaining"`
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
func Execute(ctx context.Context, api cloud.RDS, awsCfg aws.Config, plan *Plan, opts Options) (*Result, error) {
	opts.defaults()
	res := &Result{Plan: plan, Members: []Member{}, Remaining: []string{}}
	for i, step := range plan.Steps {
		if err := ctx.Err(); err != nil {
			res.Remaining = remaining(plan, i)
			return res, err
		}
		opts.Progress("[%d/%d] %s %s", i+1, len(plan.Steps), step.Action, step.Instance)
		m, err := runStep(ctx, api, awsCfg, step, opts)
		res.Members = append(res.Members, m)
		if err != nil {
			res.Remaining = remaining(plan, i+1)
			return res, &StopError{Instance: step.Instance, Outcome: m.Outcome, Err: err}
		}
	}
	res.Converged = true
	return res, nil
}

func remaining(plan *Plan, from int) []string {
	out := []string{}
	for _, s := range plan.Steps[from:] {
		out = append(out, s.Instance)
	}
	return out
}

func runStep(ctx context.Context, api cloud.RDS, awsCfg aws.Config, step Step, opts Options) (Member, error) {
	m := Member{Instance: step.Instance, Action: step.Action, Before: map[string]string{}, After: map[string]string{}}
	for _, c := range step.Changes {
		m.Before[c.Name] = c.From
	}
	fail := func(o Outcome, err error) (Member, error) {
		m.Outcome, m.Error = o, err.Error()
		return m, err
	}
	in, _, err := failover.Preflight(ctx, api, step.Instance, step.Action == ActionFailover)
	if err != nil {
		return fail(OutcomeFailed, err)
	}
	vo := opts.Verify
	conn, err := vo.Login.Resolve(ctx, awsCfg, in, vo.Warnf)
	if err != nil {
		return fail(OutcomeFailed, err)
	}
	probe, err := failover.NewProbe(conn.Config)
	if err != nil {
		return fail(OutcomeFailed, err)
	}
	if opts.ProbeInterval > 0 {
		probe.Interval = opts.ProbeInterval
	}
	probe.Write = opts.ProbeWrite
	var syncErr error
	fr, runErr := failover.Run(ctx, api, failover.Options{
		Instance: step.Instance, Failover: step.Action == ActionFailover, Probe: probe,
		Timeout: opts.Timeout, MaxDowntime: opts.MaxDowntime, Progress: opts.Progress, Warn: opts.Warn,
		Verify: func(ctx context.Context) (*verify.Report, error) {
			// In-sync first: verified while RDS still says pending-reboot,
			// an unapplied value would pass as "pending" instead of drift.
			syncErr = cloud.WaitInstanceInSync(ctx, api, step.Instance, opts.Timeout, fastPoll)
			if syncErr != nil {
				return nil, fmt.Errorf("%s is not in-sync after the %s: %w", step.Instance, step.Action, syncErr)
			}
			return verify.Instance(ctx, api, awsCfg, step.Instance, vo)
		},
	})
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
	opts.Progress("%s converged: in-sync, %d %s verified, downtime %.3fs", step.Instance, len(fr.Verify.Parameters),
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

// Report is the whole of `params converge -o json`: the plan, and what
// happened to each member (empty for a dry run or a converged target).
type Report struct {
	Target    string   `json:"target"`
	Strategy  Strategy `json:"strategy"`
	DryRun    bool     `json:"dry_run"`
	Plan      []Step   `json:"plan"`
	InSync    []string `json:"in_sync"`
	Members   []Member `json:"members"`
	Remaining []string `json:"remaining"`
	// Converged is true when nothing is left pending-reboot: the plan was
	// empty, or every step converged.
	Converged bool `json:"converged"`
}

// NewReport combines a plan with its result; res is nil for a dry run or
// when nothing was executed.
func NewReport(plan *Plan, res *Result, dryRun bool) Report {
	r := Report{Target: plan.Target.String(), Strategy: plan.Strategy, DryRun: dryRun, Plan: plan.Steps,
		InSync: plan.InSync, Members: []Member{}, Remaining: []string{}, Converged: len(plan.Steps) == 0}
	if res != nil {
		r.Members, r.Remaining, r.Converged = res.Members, res.Remaining, res.Converged
	} else if !r.Converged {
		r.Remaining = remaining(plan, 0)
	}
	return r
}
