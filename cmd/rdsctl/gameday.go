package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/failover"
	"github.com/rdsctl/rdsctl/failover/gameday"
	"github.com/rdsctl/rdsctl/verify"
)

// GamedayOptions are the inputs of `rdsctl gameday run`.
type GamedayOptions struct {
	CommonOptions

	File           string
	ReportDir      string
	AllowProtected bool
	DB             dbConnFlags
}

// NewCmdGameday builds `rdsctl gameday run|validate`.
func NewCmdGameday(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gameday",
		Short: "Run scripted drills that measure the database and the application, with rollback and a report",
	}
	cmd.AddCommand(newCmdGamedayRun(f), newCmdGamedayValidate(f))
	return cmd
}

func newCmdGamedayValidate(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a scenario file without running it",
		Long: `Check a game-day scenario file: unknown keys, steps and probe kinds, bad
durations and missing fields are reported with file, line and column.

Exit codes: 0 valid; 2 invalid.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := gameday.ReadFile(cmd.Context(), args[0])
			if err != nil {
				return cli.Usage(err)
			}
			fmt.Fprintf(f.IOStreams.Out, "%s: valid: target %s, %d probe(s) besides the database, %d step(s), rollback %t\n",
				filepath.Base(args[0]), sc.Target.Name(), len(sc.Probes), len(sc.Steps), sc.Rollback)
			return nil
		},
	}
}

func newCmdGamedayRun(f *Factory) *cobra.Command {
	opts := &GamedayOptions{}
	cmd := &cobra.Command{
		Use:   "run FILE [--report DIR] [--yes] [--allow-protected]",
		Short: "Run a game-day scenario: change, fail over, confirm, assert, roll back",
		Long: `Run a game-day scenario file against its target instance.

A database probe (a fresh connection every 100ms) and the scenario's own
probes (http, tcp, command) run throughout. Steps run in order; a failed
assertion is recorded and the drill goes on, any other failed step stops
it. With rollback: true every parameter the scenario changed is restored,
in the group and on the server (verified), also after a failed step,
Ctrl-C or SIGTERM.

It asks on a terminal and needs --yes off one. It refuses a target tagged
rdsctl:protected=true unless --allow-protected, and a target the database
probe cannot reach or log in to within 10s, before any change.

Exit codes: 0 every step and assertion passed; 3 a step or assertion
failed (after rollback); 1 runtime error (an unreachable target, a failed
rollback, an interrupted drill); 2 invalid scenario, protected target, or
a "no" at the prompt.`,
		Example: `  rdsctl gameday validate drill.yaml
  rdsctl gameday run drill.yaml --report out/ --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.CommonOptions = f.common()
			opts.File = args[0]
			if err := opts.DB.validate(); err != nil {
				return err
			}
			return gamedayRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ReportDir, "report", "", "write report.json, report.md and report.html into `DIR`")
	cmd.Flags().BoolVar(&opts.AllowProtected, "allow-protected", false, "drill a target tagged "+gameday.ProtectedTag+"=true")
	opts.DB.register(cmd)
	return cmd
}

func gamedayRun(ctx context.Context, opts *GamedayOptions) error {
	ios := opts.IO
	sc, err := gameday.ReadFile(ctx, opts.File)
	if err != nil {
		return cli.Usage(err)
	}
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	prog := newGamedayProgress(ios.ErrOut, ios.IsStderrTTY)
	defer prog.close()
	awsCfg, err := opts.AWSConfig(ctx)
	if err != nil {
		return err
	}
	login := runtimeVerifyOptions(verify.Options{Login: opts.DB.login()}, opts.CommonOptions).Login
	newDriver := gameday.NewRDSDriver
	if sc.Target.Cluster != "" {
		newDriver = gameday.NewClusterDriver
	}
	drv, err := newDriver(ctx, api, awsCfg, sc.Target.Name(), login, prog.warnf, prog.logf)
	if err != nil {
		return usageIfConfig(err)
	}
	rep, runErr := gameday.Run(ctx, sc, gameday.Options{
		Driver:         drv,
		AllowProtected: opts.AllowProtected,
		Confirm: func(t gameday.TargetInfo) error {
			what := fmt.Sprintf("run game day %q on %s (%d steps", sc.Name, t.ID, len(sc.Steps))
			if sc.Rollback {
				what += ", rolled back after"
			}
			return ios.Confirm(what + ")")
		},
		Logf:    prog.logf,
		Observe: prog.observe,
	})
	prog.close()
	started := len(rep.Steps) > 0
	if opts.ReportDir != "" && started {
		if err := gameday.WriteDir(opts.ReportDir, rep); err != nil {
			return errors.Join(runErr, err)
		}
		ios.Infof("report: %s", filepath.Join(opts.ReportDir, "report.html"))
	}
	if started {
		if err := ios.Print(opts.Format, rep, func() error { return printGamedayReport(ios, rep) }); err != nil {
			return err
		}
	}
	switch {
	case runErr == nil:
		return nil
	case errors.Is(runErr, gameday.ErrProtected), errors.Is(runErr, gameday.ErrInvalid), errors.Is(runErr, cli.ErrCanceled):
		return cli.Usage(runErr)
	case rep.Interrupted:
		return fmt.Errorf("interrupted: %s", gamedayInterrupted(rep))
	case errors.Is(runErr, gameday.ErrRollback):
		return runErr
	case errors.Is(runErr, gameday.ErrFailed):
		return cli.Findings(failedSteps(rep), "%v", runErr)
	}
	return runErr
}

func gamedayInterrupted(rep *gameday.Report) string {
	if rep.Rollback == nil {
		return "no rollback was needed"
	}
	if rep.Rollback.Passed {
		return fmt.Sprintf("rolled back %d parameter(s), verified on the server", len(rep.Rollback.Restored))
	}
	return "rollback incomplete: " + strings.Join(rep.Rollback.Errors, "; ")
}

func failedSteps(rep *gameday.Report) int {
	n := 0
	for _, s := range rep.Steps {
		if !s.Passed {
			n++
		}
	}
	return n
}

// printGamedayReport is the human summary on stdout: the sentence, the
// steps and the probes.
func printGamedayReport(ios *ui.IOStreams, rep *gameday.Report) error {
	verdict := "passed"
	if !rep.Passed {
		verdict = "failed"
	}
	fmt.Fprintf(ios.Out, "%s: %s\n%s\n\n", rep.Name, verdict, rep.Sentence)
	t := ios.NewTable("#", "STEP", "RESULT", "TOOK", "DETAIL")
	for _, s := range rep.Steps {
		res := "passed"
		if !s.Passed {
			res = "FAILED"
		}
		t.AddRow(fmt.Sprint(s.Index), s.Name, res, s.EndedAt.Sub(s.StartedAt).Round(time.Millisecond).String(), s.Detail)
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintln(ios.Out)
	pt := ios.NewTable("PROBE", "DOWNTIME", "RECOVERED", "AFTER_DATABASE", "MAX_CONSECUTIVE", "CLASSES")
	for _, p := range rep.Probes {
		after := "-"
		switch {
		case p.Name == gameday.DatabaseProbe:
		case p.RecoveredAfterDatabaseSeconds != nil:
			after = fmt.Sprintf("%.3fs", *p.RecoveredAfterDatabaseSeconds)
		case p.RecoveredAfterHook != "":
			after = "needed " + p.RecoveredAfterHook
		default:
			after = "never"
		}
		var cls []string
		for c, n := range p.Classes {
			cls = append(cls, fmt.Sprintf("%s×%d", c, n))
		}
		sort.Strings(cls)
		pt.AddRow(p.Name, fmt.Sprintf("%.3fs", p.DowntimeSeconds), fmt.Sprint(p.Recovered), after, fmt.Sprint(p.MaxConsecutiveFailures), strings.Join(cls, " "))
	}
	if err := pt.Render(); err != nil {
		return err
	}
	if rb := rep.Rollback; rb != nil && len(rb.Restored)+len(rb.Errors) > 0 {
		fmt.Fprintf(ios.Out, "\nrollback: %s\n", map[bool]string{true: "passed", false: "FAILED"}[rb.Passed])
		for _, it := range rb.Restored {
			to := it.Value
			if it.Default {
				to = "(default)"
			}
			fmt.Fprintf(ios.Out, "  %s %s -> %s; server %s verified=%t\n", it.Group, it.Name, to, it.ServerValue, it.ServerVerified)
		}
		for _, e := range rb.Errors {
			fmt.Fprintf(ios.Out, "  error: %s\n", e)
		}
	}
	return nil
}

// gamedayProgress shows the drill on stderr: on a terminal, step lines
// above one live status line with each probe's state; piped, one
// timestamped line per step and per probe state change.
type gamedayProgress struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	order  []string
	state  map[string]string
	count  map[string]int
	drawn  bool
	closed bool
	last   time.Time
}

func newGamedayProgress(w io.Writer, tty bool) *gamedayProgress {
	return &gamedayProgress{w: w, tty: tty, state: map[string]string{}, count: map[string]int{}}
}

func (p *gamedayProgress) line(msg string) {
	if p.tty {
		if p.drawn {
			fmt.Fprint(p.w, "\r\033[K")
		}
		fmt.Fprintln(p.w, msg)
		p.draw()
		return
	}
	fmt.Fprintf(p.w, "%s %s\n", time.Now().UTC().Format("15:04:05.000"), msg)
}

func (p *gamedayProgress) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		fmt.Fprintf(p.w, "%s %s\n", time.Now().UTC().Format("15:04:05.000"), fmt.Sprintf(format, args...))
		return
	}
	p.line(fmt.Sprintf(format, args...))
}

func (p *gamedayProgress) warnf(format string, args ...any) { p.logf("! "+format, args...) }

func (p *gamedayProgress) observe(probe string, o failover.Observation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	st := "ok"
	if !o.OK {
		st = o.Class
	}
	prev, seen := p.state[probe]
	if !seen {
		p.order = append(p.order, probe)
	}
	if prev == st {
		p.count[probe]++
	} else {
		p.state[probe], p.count[probe] = st, 1
		if !p.tty && seen {
			p.line(fmt.Sprintf("probe %s: %s -> %s", probe, prev, st))
		}
	}
	if p.tty && time.Since(p.last) > 100*time.Millisecond {
		p.draw()
	}
}

// draw rewrites the status line; the caller holds mu.
func (p *gamedayProgress) draw() {
	if !p.tty || p.closed || len(p.order) == 0 {
		return
	}
	var parts []string
	for _, n := range p.order {
		parts = append(parts, fmt.Sprintf("%s %s×%d", n, p.state[n], p.count[n]))
	}
	fmt.Fprintf(p.w, "\r\033[K  %s", strings.Join(parts, " │ "))
	p.drawn, p.last = true, time.Now()
}

func (p *gamedayProgress) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn && !p.closed {
		fmt.Fprint(p.w, "\r\033[K")
	}
	p.closed = true
}
