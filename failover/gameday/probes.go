package gameday

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/rdsctl/rdsctl/failover"
)

// Application probe classes, beside failover.Classes for the database.
// 502, 503 and 504 are kept apart: a load balancer with no healthy target
// (502/503) and one whose target hangs (504) are different incidents, and
// telling them apart wrongly is how an outage alert misfires.
const (
	Class502    = "502"
	Class503    = "503"
	Class504    = "504"
	Class5xx    = "5xx"    // any other 5xx
	ClassStatus = "status" // an unexpected non-5xx status
	ClassReset  = "reset"  // the connection was reset or closed mid-request
	ClassExit   = "exit"   // a command probe exited non-zero
)

// AllClasses lists every class a probe result can have, database and
// application, in a fixed order for reports and colours.
func AllClasses() []string {
	return append(slices.Clone(failover.Classes), Class502, Class503, Class504, Class5xx, ClassStatus, ClassReset, ClassExit)
}

func knownClass(c string) bool { return slices.Contains(AllClasses(), c) }

// maxKept bounds each application probe's memory, as failover.Probe does.
const maxKept = failover.DefaultMaxKept

// appProbe runs one application probe on its schedule, one attempt at a
// time, and keeps the observations in failover's shape so the database and
// the application are summarised by the same code.
type appProbe struct {
	spec    ProbeSpec
	attempt func(ctx context.Context) (class, detail string)
	observe func(failover.Observation)

	mu   sync.Mutex
	kept []failover.Observation
}

func newAppProbe(spec ProbeSpec) *appProbe {
	p := &appProbe{spec: spec}
	switch spec.Kind {
	case KindHTTP:
		p.attempt = httpAttempt(spec)
	case KindTCP:
		p.attempt = tcpAttempt(spec)
	case KindCommand:
		p.attempt = commandAttempt(spec)
	}
	return p
}

// Observations returns a copy of what the probe saw, oldest first.
func (p *appProbe) Observations() []failover.Observation {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.kept)
}

// Run probes until ctx ends. Ticks missed by a slow attempt are skipped,
// not queued, as in failover.Probe.
func (p *appProbe) Run(ctx context.Context) {
	next := time.Now()
	for {
		start := time.Now()
		actx, cancel := context.WithTimeout(ctx, p.spec.Timeout)
		class, detail := p.attempt(actx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		o := failover.Observation{At: start, Latency: time.Since(start), OK: class == "", Class: class, Err: detail}
		p.mu.Lock()
		if len(p.kept) >= maxKept {
			p.kept = append(p.kept[:0], p.kept[maxKept/4:]...)
		}
		p.kept = append(p.kept, o)
		p.mu.Unlock()
		if p.observe != nil {
			p.observe(o)
		}
		next = next.Add(p.spec.Interval)
		now := time.Now()
		if !next.After(now) {
			next = next.Add((now.Sub(next)/p.spec.Interval + 1) * p.spec.Interval)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next.Sub(now)):
		}
	}
}

// httpAttempt GETs the URL on a fresh connection, as a new user would.
func httpAttempt(spec ProbeSpec) func(context.Context) (string, string) {
	client := &http.Client{
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil,
			DialContext: (&net.Dialer{Timeout: spec.Timeout}).DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return func(ctx context.Context) (string, string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, spec.URL, nil)
		if err != nil {
			return failover.ClassOther, err.Error()
		}
		resp, err := client.Do(req)
		if err != nil {
			return ClassifyNet(ctx, err), err.Error()
		}
		_, rerr := io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		return ClassifyStatus(resp.StatusCode, spec.ExpectStatus, rerr, ctx)
	}
}

// ClassifyStatus names the class of an HTTP answer: "" (ok) for the
// expected status, 502/503/504 by code, 5xx for the other server errors,
// status for anything else unexpected. A body cut short is a reset or a
// timeout, whatever the status said.
func ClassifyStatus(code, want int, bodyErr error, ctx context.Context) (string, string) {
	if bodyErr != nil {
		return ClassifyNet(ctx, bodyErr), bodyErr.Error()
	}
	detail := "HTTP " + strconv.Itoa(code)
	switch {
	case code == want:
		return "", ""
	case code == 502:
		return Class502, detail
	case code == 503:
		return Class503, detail
	case code == 504:
		return Class504, detail
	case code >= 500 && code <= 599:
		return Class5xx, detail
	}
	return ClassStatus, fmt.Sprintf("%s (want %d)", detail, want)
}

// ClassifyNet names a transport failure: refused, reset, timeout or other.
func ClassifyNet(ctx context.Context, err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return failover.ClassRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassReset
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout(),
		ctx != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return failover.ClassTimeout
	}
	return failover.ClassOther
}

func tcpAttempt(spec ProbeSpec) func(context.Context) (string, string) {
	return func(ctx context.Context) (string, string) {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", spec.Address)
		if err != nil {
			return ClassifyNet(ctx, err), err.Error()
		}
		c.Close()
		return "", ""
	}
}

// commandAttempt runs the command with sh -c in its own process group, so
// a timeout kills whatever it started, not only the shell.
func commandAttempt(spec ProbeSpec) func(context.Context) (string, string) {
	return func(ctx context.Context) (string, string) {
		out, err := runShell(ctx, spec.Run)
		switch {
		case err == nil:
			return "", ""
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return failover.ClassTimeout, "timed out after " + spec.Timeout.String()
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ClassExit, fmt.Sprintf("exit status %d: %s", ee.ExitCode(), tail(out, 200))
		}
		return failover.ClassOther, err.Error()
	}
}

// runShell runs cmd with sh -c until it exits or ctx ends, and returns its
// combined output (bounded).
func runShell(ctx context.Context, cmd string) ([]byte, error) {
	c := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = 2 * time.Second
	var buf limitedBuffer
	c.Stdout, c.Stderr = &buf, &buf
	err := c.Run()
	return buf.b, err
}

// limitedBuffer keeps the last 64 KiB written to it.
type limitedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	if len(l.b) > 64<<10 {
		l.b = l.b[len(l.b)-64<<10:]
	}
	return len(p), nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// Figures are what one probe saw over the drill: the report's probes[].
type Figures struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Attempts and Failures count every attempt of the drill.
	Attempts int `json:"attempts"`
	Failures int `json:"failures"`
	// DowntimeSeconds runs from the first failure to the recovery (see
	// failover.Summarize); when the probe never recovered, to its last
	// attempt: a lower bound.
	DowntimeSeconds float64    `json:"downtime_seconds"`
	FirstFailureAt  *time.Time `json:"first_failure_at"`
	RecoveredAt     *time.Time `json:"recovered_at"`
	Recovered       bool       `json:"recovered"`
	// RecoveredAfterDatabaseSeconds is how long after the database this
	// probe was back; null when it never recovered by itself (including
	// when it came back only after a run step — a restart hook — started
	// once the database was back).
	RecoveredAfterDatabaseSeconds *float64 `json:"recovered_after_database_seconds"`
	// RecoveredAfterHook names the run step the probe needed, if any.
	RecoveredAfterHook string `json:"recovered_after_hook,omitempty"`
	// RecoveryBudgetSeconds is the tightest recovered_within the scenario
	// asserts on this probe, if any: the budget the sentence names.
	RecoveryBudgetSeconds  *float64       `json:"recovery_budget_seconds,omitempty"`
	MaxConsecutiveFailures int            `json:"max_consecutive_failures"`
	Classes                map[string]int `json:"classes"`
}

// hook is a run step as the figures see it: when it started.
type hook struct {
	At   time.Time
	Name string
}

// computeFigures summarises obs. db is the database's figures (nil when
// computing the database's own); hooks are the drill's run steps.
func computeFigures(name, kind string, obs []failover.Observation, db *Figures, hooks []hook) Figures {
	s := failover.Summarize(obs, time.Time{})
	f := Figures{Name: name, Kind: kind, Attempts: len(obs), Failures: s.Failures, DowntimeSeconds: round3(s.DowntimeSeconds),
		FirstFailureAt: s.FirstFailureAt, RecoveredAt: s.RecoveredAt, Recovered: s.Recovered, Classes: map[string]int{}}
	run := 0
	for _, o := range obs {
		if o.OK {
			run = 0
			continue
		}
		run++
		f.MaxConsecutiveFailures = max(f.MaxConsecutiveFailures, run)
		f.Classes[o.Class]++
	}
	if db == nil || !f.Recovered {
		return f
	}
	if f.FirstFailureAt == nil {
		zero := 0.0
		f.RecoveredAfterDatabaseSeconds = &zero
		return f
	}
	base := f.FirstFailureAt
	if db.RecoveredAt != nil {
		base = db.RecoveredAt
	}
	for _, h := range hooks {
		// A hook started after the database was back and before the
		// probe was: the probe did not recover by itself.
		if h.At.After(*base) && h.At.Before(*f.RecoveredAt) {
			f.RecoveredAfterHook = h.Name
		}
	}
	if f.RecoveredAfterHook != "" {
		return f
	}
	d := round3(max(0, f.RecoveredAt.Sub(*base).Seconds()))
	f.RecoveredAfterDatabaseSeconds = &d
	return f
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }
