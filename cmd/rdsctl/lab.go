package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/proc"
	"github.com/rdsctl/rdsctl/cloud/lab/proxy"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

const (
	// defaultLabPort is fixed so that `eval "$(rdsctl lab env)"` keeps
	// working across lab restarts.
	defaultLabPort = 4599
	// defaultFailoverDelay keeps a lab failover short enough for a demo and
	// long enough for a downtime probe to see the outage.
	defaultFailoverDelay = 2 * time.Second
	// labStartTimeout bounds `lab up --detach`: a resumed lab may restart
	// one mariadbd per instance before it answers.
	labStartTimeout = 2 * time.Minute
	// labStopTimeout bounds `lab down` and a foreground lab's shutdown:
	// each engine gets a clean shutdown.
	labStopTimeout = time.Minute
	// labControlTimeout bounds one call to the lab's control API.
	labControlTimeout = 10 * time.Second
)

// NewCmdLab builds `rdsctl lab`, the local RDS that tests, demos and new
// users run rdsctl against.
func NewCmdLab(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Run a local RDS (the lab) to try rdsctl against",
		Long: `The lab is a local Amazon RDS: the RDS Query API on 127.0.0.1, with DB instances
backed by real mariadbd processes, persisted in a directory.

The directory defaults to $RDSCTL_LAB_DIR, else $XDG_STATE_HOME/rdsctl/lab,
else ~/.local/state/rdsctl/lab.`,
		Example: `  rdsctl lab up --detach
  eval "$(rdsctl lab env)"
  aws rds describe-db-parameter-groups
  rdsctl lab down`,
	}
	cmd.AddCommand(
		NewCmdLabUp(f, nil),
		NewCmdLabDown(f, nil),
		NewCmdLabStatus(f, nil),
		NewCmdLabEnv(f, nil),
		NewCmdLabMaintenance(f, nil),
		NewCmdLabInstance(f),
		NewCmdLabCluster(f),
	)
	return cmd
}

// defaultLabDir is where the lab lives when --dir is not given.
func defaultLabDir(getenv func(string) string) (string, error) {
	if d := getenv("RDSCTL_LAB_DIR"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "rdsctl", "lab"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the lab directory: set --dir or RDSCTL_LAB_DIR: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "state", "rdsctl", "lab"), nil
}

// templateDir is where labs keep the MariaDB template datadir their
// instances are cloned from. It is shared by every lab of the user (it is
// safe to build from several processes at once), so only the first lab on
// a machine pays for mariadb-install-db.
func templateDir(getenv func(string) string) string {
	if d := getenv("RDSCTL_TEMPLATE_DIR"); d != "" {
		return d
	}
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "rdsctl", "mariadb-template")
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".cache", "rdsctl", "mariadb-template")
	}
	return "" // the lab's own dir
}

// resolveLabDir turns --dir (or its default) into an absolute path, so
// that the detached lab, lab.json and the messages all name the same dir.
func resolveLabDir(dir string, getenv func(string) string) (string, error) {
	if dir == "" {
		d, err := defaultLabDir(getenv)
		if err != nil {
			return "", err
		}
		dir = d
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("lab directory %s: %w", dir, err)
	}
	return abs, nil
}

// LabUpOptions are the inputs of `rdsctl lab up`.
type LabUpOptions struct {
	CommonOptions
	Executable    func() (string, error)
	Dir           string
	Port          int
	Detach        bool
	FailoverDelay time.Duration
	FailoverMode  string
	Region        string
	NoEngine      bool
	// Injected faults (see lab.Fault): the fraction of API calls answered
	// with each of AWS's transient errors, a latency added to every call,
	// the one action they are limited to, and the seed of their draws.
	Throttle         float64
	InternalFailures float64
	Unavailable      float64
	Latency          time.Duration
	FaultAction      string
	FaultSeed        uint64
}

// faults turns the fault flags into the lab's faults: one for each error
// with a rate, each drawing from its own seed, and one for the latency.
func (o *LabUpOptions) faults() []lab.Fault {
	var out []lab.Fault
	for i, e := range []struct {
		code string
		rate float64
	}{{"Throttling", o.Throttle}, {"InternalFailure", o.InternalFailures}, {"ServiceUnavailable", o.Unavailable}} {
		if e.rate != 0 {
			out = append(out, lab.Fault{Action: o.FaultAction, Code: e.code, Rate: e.rate, Seed: o.FaultSeed + uint64(i)})
		}
	}
	if o.Latency != 0 {
		out = append(out, lab.Fault{Action: o.FaultAction, Latency: o.Latency, Rate: 1})
	}
	return out
}

// NewCmdLabUp builds `rdsctl lab up`; runF replaces labUpRun in tests.
func NewCmdLabUp(f *Factory, runF func(context.Context, *LabUpOptions) error) *cobra.Command {
	opts := &LabUpOptions{}
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the lab (in the foreground, or in the background with --detach)",
		Long: `Start the lab. In the foreground it serves until Ctrl-C, SIGTERM or
'rdsctl lab down'. With --detach it starts in the background (output in
<dir>/lab.log), prints the endpoint once the API answers, and returns.

State persists in the directory: a second 'lab up' on the same directory
resumes where the last one stopped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.CommonOptions, opts.Executable = f.common(), f.Executable
			opts.Region = f.Global.Region
			if opts.Port < 0 || opts.Port > 65535 {
				return cli.Usagef("invalid --port %d: want 0-65535 (0 picks a free port)", opts.Port)
			}
			if opts.FailoverDelay < 0 {
				return cli.Usagef("invalid --failover-delay %s: must not be negative", opts.FailoverDelay)
			}
			// Every enum flag takes any case.
			opts.FailoverMode = strings.ToLower(strings.TrimSpace(opts.FailoverMode))
			if _, err := proxy.ParseMode(opts.FailoverMode); err != nil {
				return cli.Usagef("invalid --failover-mode: %v", err)
			}
			for flag, rate := range map[string]float64{"--throttle": opts.Throttle, "--internal-failures": opts.InternalFailures, "--unavailable": opts.Unavailable} {
				if math.IsNaN(rate) || rate < 0 || rate > 1 {
					return cli.Usagef("invalid %s %v: want a fraction of calls from 0 to 1", flag, rate)
				}
			}
			if opts.FaultAction != "" && len(opts.faults()) == 0 {
				return cli.Usagef("--fault-action needs --throttle, --internal-failures, --unavailable or --latency")
			}
			for _, ft := range opts.faults() {
				if err := ft.Validate(); err != nil {
					return cli.Usagef("invalid fault flags: %v", err)
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return labUpRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Dir, "dir", "", "lab state directory (default $RDSCTL_LAB_DIR, $XDG_STATE_HOME/rdsctl/lab or ~/.local/state/rdsctl/lab)")
	fl.IntVar(&opts.Port, "port", defaultLabPort, "API port on 127.0.0.1; 0 picks a free one")
	fl.BoolVar(&opts.Detach, "detach", false, "run in the background and return once the API answers")
	fl.DurationVar(&opts.FailoverDelay, "failover-delay", defaultFailoverDelay, "how long a Multi-AZ failover keeps the endpoint down (Go duration, e.g. 2s)")
	fl.StringVar(&opts.FailoverMode, "failover-mode", string(proxy.Refuse), "what clients meet while a failover keeps the endpoint down: refuse (connection refused) or blackhole (connections hang)")
	_ = cmd.RegisterFlagCompletionFunc("failover-mode", cobra.FixedCompletions([]string{string(proxy.Refuse), string(proxy.Blackhole)}, cobra.ShellCompDirectiveNoFileComp))
	fl.BoolVar(&opts.NoEngine, "no-engine", false, "control plane only: parameter groups and events, no DB instances (no mariadbd needed)")
	fl.Float64Var(&opts.Throttle, "throttle", 0, "answer this fraction of API calls (0-1) with AWS's Throttling error (400, Rate exceeded)")
	fl.Float64Var(&opts.InternalFailures, "internal-failures", 0, "answer this fraction of API calls (0-1) with InternalFailure (500)")
	fl.Float64Var(&opts.Unavailable, "unavailable", 0, "answer this fraction of API calls (0-1) with ServiceUnavailable (503)")
	fl.DurationVar(&opts.Latency, "latency", 0, "add this latency to every API call (Go duration, e.g. 200ms)")
	fl.StringVar(&opts.FaultAction, "fault-action", "", "limit the faults above to one API action, e.g. ModifyDBParameterGroup")
	fl.Uint64Var(&opts.FaultSeed, "fault-seed", 0, "seed of the fault draws: the same seed faults the same calls of the same sequence")
	_ = cmd.MarkFlagDirname("dir")
	return cmd
}

func labUpRun(ctx context.Context, opts *LabUpOptions) error {
	dir, err := resolveLabDir(opts.Dir, opts.Getenv)
	if err != nil {
		return err
	}
	if opts.Detach {
		return labUpDetached(ctx, opts, dir)
	}
	return labUpForeground(ctx, opts, dir)
}

// labUpForeground serves until the context is canceled (SIGINT/SIGTERM)
// or the lab is asked to stop (`rdsctl lab down`), then stops it cleanly.
func labUpForeground(ctx context.Context, opts *LabUpOptions, dir string) error {
	ios := opts.IO
	l, err := lab.New(lab.Options{
		Dir:           dir,
		Addr:          fmt.Sprintf("127.0.0.1:%d", opts.Port),
		Region:        opts.Region,
		FailoverDelay: opts.FailoverDelay,
		FailoverMode:  proxy.Mode(opts.FailoverMode),
		NoEngine:      opts.NoEngine,
		Faults:        opts.faults(),
		TemplateDir:   templateDir(opts.Getenv),
		Logf:          func(format string, args ...any) { ios.Infof(format, args...) },
	})
	if err != nil {
		return fmt.Errorf("starting lab: %w", err)
	}
	if err := l.Start(ctx); err != nil {
		closeCtx, cancel := context.WithTimeout(context.Background(), labStopTimeout)
		defer cancel()
		if errors.Is(err, syscall.EADDRINUSE) {
			err = fmt.Errorf("%w (is another lab running? --port 0 picks a free port)", err)
		}
		return errors.Join(fmt.Errorf("starting lab: %w", err), l.Close(closeCtx))
	}
	ios.Successf("lab serving at %s (state in %s, pid %d)", l.Endpoint(), dir, os.Getpid())
	ios.Infof("  %s", envHint(dir, opts.Getenv))
	ios.Infof("  stop it with Ctrl-C or %s", labCommandLine("down", dir, opts.Getenv))

	select {
	case <-ctx.Done():
		ios.Infof("stopping lab...")
	case <-l.Done():
	}
	closeCtx, cancel := context.WithTimeout(context.Background(), labStopTimeout)
	defer cancel()
	if err := l.Close(closeCtx); err != nil {
		return fmt.Errorf("stopping lab: %w", err)
	}
	ios.Successf("lab stopped")
	return nil
}

// envHint is the line to paste to point the AWS SDKs and CLI at this lab.
func envHint(dir string, getenv func(string) string) string {
	return fmt.Sprintf(`eval "$(%s)"`, labCommandLine("env", dir, getenv))
}

// labCommandLine spells `rdsctl lab VERB`, with --dir only when dir is not
// the default, so that hints stay short and copy-pasteable.
func labCommandLine(verb, dir string, getenv func(string) string) string {
	line := "rdsctl lab " + verb
	if def, err := resolveLabDir("", getenv); err != nil || def != dir {
		line += " --dir " + shellWord(dir)
	}
	return line
}

// LabDirOptions are the inputs of `lab down`, `lab status` and `lab env`.
type LabDirOptions struct {
	CommonOptions
	Dir string
}

func newLabDirCmd(f *Factory, use, short string, runF, defaultRun func(context.Context, *LabDirOptions) error) *cobra.Command {
	opts := &LabDirOptions{}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
	}
	newCmd(f, cmd, opts, &opts.CommonOptions, nil, runF, defaultRun)
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "lab state directory (default $RDSCTL_LAB_DIR, $XDG_STATE_HOME/rdsctl/lab or ~/.local/state/rdsctl/lab)")
	_ = cmd.MarkFlagDirname("dir")
	return cmd
}

// NewCmdLabDown builds `rdsctl lab down`.
func NewCmdLabDown(f *Factory, runF func(context.Context, *LabDirOptions) error) *cobra.Command {
	return newLabDirCmd(f, "down", "Stop the lab and wait until it has exited", runF, labDownRun)
}

// NewCmdLabStatus builds `rdsctl lab status`.
func NewCmdLabStatus(f *Factory, runF func(context.Context, *LabDirOptions) error) *cobra.Command {
	return newLabDirCmd(f, "status", "Show the running lab: endpoint, instances and recorded outages", runF, labStatusRun)
}

// NewCmdLabEnv builds `rdsctl lab env`.
func NewCmdLabEnv(f *Factory, runF func(context.Context, *LabDirOptions) error) *cobra.Command {
	cmd := newLabDirCmd(f, "env", "Print shell exports that point the AWS SDKs and CLI at the lab", runF, labEnvRun)
	cmd.Example = `  eval "$(rdsctl lab env)"`
	return cmd
}

// runningLab resolves --dir and finds the lab serving from it.
func (o *LabDirOptions) runningLab() (string, lab.RunInfo, error) {
	dir, err := resolveLabDir(o.Dir, o.Getenv)
	if err != nil {
		return "", lab.RunInfo{}, err
	}
	ri, err := runningLab(dir)
	return dir, ri, err
}

// runningLab finds the lab serving from dir, or says clearly that none is.
func runningLab(dir string) (lab.RunInfo, error) {
	ri, err := lab.ReadRunInfo(dir)
	if errors.Is(err, lab.ErrNotRunning) {
		return ri, fmt.Errorf("no lab is running in %s (start one with 'rdsctl lab up')", dir)
	}
	if err != nil {
		return ri, err
	}
	if !proc.Alive(ri.PID) {
		return ri, fmt.Errorf("no lab is running in %s (pid %d in lab.json has exited; start one with 'rdsctl lab up')", dir, ri.PID)
	}
	return ri, nil
}

func labDownRun(ctx context.Context, opts *LabDirOptions) error {
	dir, ri, err := opts.runningLab()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, labStopTimeout)
	defer cancel()
	if err := stopLab(ctx, ri); err != nil {
		return fmt.Errorf("stopping lab in %s: %w", dir, err)
	}
	opts.IO.Successf("lab stopped (pid %d, %s)", ri.PID, dir)
	return nil
}

// stopLab asks the lab to shut down and waits until its process is gone,
// so that a `lab up` right after never finds the dir still locked.
func stopLab(ctx context.Context, ri lab.RunInfo) error {
	cctx, cancel := context.WithTimeout(ctx, labControlTimeout)
	err := lab.Shutdown(cctx, ri.Endpoint)
	cancel()
	if err != nil && proc.Alive(ri.PID) {
		return err
	}
	if err := waitProcessExit(ctx, ri.PID); err != nil {
		return fmt.Errorf("waiting for pid %d to exit: %w", ri.PID, err)
	}
	return nil
}

func labStatusRun(ctx context.Context, opts *LabDirOptions) error {
	dir, ri, err := opts.runningLab()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, labControlTimeout)
	defer cancel()
	st, err := lab.FetchStatus(ctx, ri.Endpoint)
	if err != nil {
		return fmt.Errorf("lab in %s (pid %d) is not answering at %s: %w", dir, ri.PID, ri.Endpoint, err)
	}
	if st.Instances == nil {
		st.Instances = []lab.InstanceStatus{}
	}
	if st.Outages == nil {
		st.Outages = []lab.Outage{}
	}
	return opts.IO.Print(opts.Format, st, func() error { return printLabStatus(opts.IO, st) })
}

func printLabStatus(ios *ui.IOStreams, st lab.Status) error {
	fields := []ui.Field{
		ui.F("pid", st.PID),
		ui.F("endpoint", st.Endpoint),
		ui.F("dir", st.Dir),
		ui.F("region", st.Region),
	}
	if st.Account != "" {
		fields = append(fields, ui.F("account", st.Account))
	}
	if !st.StartedAt.IsZero() {
		fields = append(fields, ui.F("started_at", st.StartedAt.Format(time.RFC3339)))
	}
	if !ios.IsStdoutTTY {
		// Piped: one greppable line per instance and outage instead of
		// header-less tables that could not be told apart.
		for _, in := range st.Instances {
			fields = append(fields, ui.F("instance", strings.Join([]string{in.ID, in.Status, fmt.Sprint(in.EnginePID), fmt.Sprint(in.Port), in.Region, in.Account}, "\t")))
		}
		for _, c := range st.Clusters {
			fields = append(fields, ui.F("cluster", strings.Join([]string{c.ID, c.Status, orDash(c.Writer), orDash(strings.Join(c.Readers, ",")), orDash(c.WriterEndpoint), orDash(c.ReaderEndpoint), c.Region, c.Account}, "\t")))
		}
		for _, o := range st.Outages {
			fields = append(fields, ui.F("outage", strings.Join([]string{outageTarget(o), outageCause(o), fmtTime(o.CutAt), fmtTime(o.RestoredAt), o.Region, o.Account}, "\t")))
		}
		return ios.PrintFields(fields...)
	}
	if err := ios.PrintFields(fields...); err != nil {
		return err
	}
	cs := ios.ColorScheme()
	if err := ios.Heading("Instances"); err != nil {
		return err
	}
	if len(st.Instances) == 0 {
		fmt.Fprintln(ios.Out, cs.Gray("no DB instances"))
	} else {
		t := ios.NewTable("ID", "STATUS", "ENGINE PID", "PORT", "REGION", "ACCOUNT")
		for _, in := range st.Instances {
			status := in.Status
			if status == "available" {
				status = cs.Green(status)
			} else {
				status = cs.Yellow(status)
			}
			t.AddRow(in.ID, status, fmt.Sprint(in.EnginePID), fmt.Sprint(in.Port), in.Region, in.Account)
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if len(st.Clusters) > 0 {
		if err := ios.Heading("Clusters"); err != nil {
			return err
		}
		t := ios.NewTable("ID", "STATUS", "WRITER", "READERS", "WRITER ENDPOINT", "READER ENDPOINT", "REGION", "ACCOUNT")
		for _, c := range st.Clusters {
			t.AddRow(c.ID, c.Status, orDash(c.Writer), orDash(strings.Join(c.Readers, ",")), orDash(c.WriterEndpoint), orDash(c.ReaderEndpoint), c.Region, c.Account)
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	if err := ios.Heading("Outages"); err != nil {
		return err
	}
	if len(st.Outages) == 0 {
		_, err := fmt.Fprintln(ios.Out, cs.Gray("none recorded"))
		return err
	}
	t := ios.NewTable("INSTANCE", "CAUSE", "CUT AT", "RESTORED AT", "DOWNTIME", "REGION", "ACCOUNT")
	for _, o := range st.Outages {
		down := "ongoing"
		if !o.RestoredAt.IsZero() {
			down = o.RestoredAt.Sub(o.CutAt).Round(time.Millisecond).String()
		}
		t.AddRow(outageTarget(o), outageCause(o), fmtTime(o.CutAt), fmtTime(o.RestoredAt), down, o.Region, o.Account)
	}
	return t.Render()
}

// outageTarget names what an outage cut: an instance endpoint, or an
// Aurora cluster's endpoint ("cluster C").
func outageTarget(o lab.Outage) string {
	if o.Cluster != "" {
		return "cluster " + o.Cluster
	}
	return o.Instance
}

// outageCause is the cause, with the writers a cluster failover moved
// between ("failover w1->r1").
func outageCause(o lab.Outage) string {
	if o.Cluster != "" && o.OldWriter != "" {
		return o.Cause + " " + o.OldWriter + "->" + o.NewWriter
	}
	return o.Cause
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339Nano)
}

// labCredentials are dummy keys: the lab does not check signatures, but
// the SDKs refuse to send an unsigned request.
const labCredentials = "rdsctl-lab"

func labEnvRun(_ context.Context, opts *LabDirOptions) error {
	dir, ri, err := opts.runningLab()
	if err != nil {
		return err
	}
	region := ri.Region
	if region == "" {
		region = "us-east-1"
	}
	vars := [][2]string{
		{"AWS_ENDPOINT_URL_RDS", ri.Endpoint},
		// The lab's STS (AssumeRole, GetCallerIdentity) is on the same
		// endpoint: a role ARN's account is its own namespace.
		{"AWS_ENDPOINT_URL_STS", ri.Endpoint},
		{"AWS_REGION", region},
		// The AWS CLI v1 (botocore) reads AWS_DEFAULT_REGION, not AWS_REGION.
		{"AWS_DEFAULT_REGION", region},
		{"AWS_ACCESS_KEY_ID", labCredentials},
		{"AWS_SECRET_ACCESS_KEY", labCredentials},
		// The lab's master password, which lab instance create, the
		// demo and rdsctl verify use: a fixed lab value, not a secret.
		{"RDSCTL_DB_PASSWORD", labDBPassword},
	}
	if opts.Format != ui.FormatTable && opts.Format != "" {
		m := make(map[string]string, len(vars))
		for _, kv := range vars {
			m[kv[0]] = kv[1]
		}
		return opts.IO.Print(opts.Format, m, nil)
	}
	var b strings.Builder
	for _, kv := range vars {
		fmt.Fprintf(&b, "export %s=%s\n", kv[0], shellQuote(kv[1]))
	}
	fmt.Fprintf(&b, "# rdsctl lab in %s (pid %d)\n", dir, ri.PID)
	_, err = fmt.Fprint(opts.IO.Out, b.String())
	return err
}

// shellQuote single-quotes s for POSIX shells, so that eval never expands
// anything in a value (a dir with spaces, a $ in a path).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellWord is shellQuote for hints meant to be read: plainly safe words
// stay bare.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return shellQuote(s)
}

// LabMaintenanceOptions are the inputs of `lab maintenance`.
type LabMaintenanceOptions struct {
	LabDirOptions
	Instance string
}

// NewCmdLabMaintenance builds `rdsctl lab maintenance INSTANCE`, which
// opens an instance's maintenance window now: the class and Multi-AZ
// changes made without --apply-immediately start to apply, as they would
// in the weekly window on AWS.
func NewCmdLabMaintenance(f *Factory, runF func(context.Context, *LabMaintenanceOptions) error) *cobra.Command {
	opts := &LabMaintenanceOptions{}
	cmd := &cobra.Command{
		Use:   "maintenance INSTANCE",
		Short: "Open an instance's maintenance window now: its pending modifications apply",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IO, opts.Getenv, opts.Format = f.IOStreams, f.Getenv, f.Format()
			opts.Instance = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return labMaintenanceRun(cmd.Context(), opts)
		},
		Example: `  aws rds modify-db-instance --db-instance-identifier app --multi-az
  rdsctl lab maintenance app`,
	}
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "lab state directory (default $RDSCTL_LAB_DIR, $XDG_STATE_HOME/rdsctl/lab or ~/.local/state/rdsctl/lab)")
	_ = cmd.MarkFlagDirname("dir")
	return cmd
}

func labMaintenanceRun(_ context.Context, opts *LabMaintenanceOptions) error {
	_, ri, err := opts.runningLab()
	if err != nil {
		return err
	}
	res, err := lab.OpenMaintenance(ri.Endpoint, opts.Instance)
	if err != nil {
		return fmt.Errorf("opening the maintenance window of %s: %w", opts.Instance, err)
	}
	return opts.IO.Print(opts.Format, res, func() error {
		if len(res.Applied) == 0 {
			opts.IO.Successf("%s has no pending modifications", res.Instance)
			return nil
		}
		for _, a := range res.Applied {
			if _, err := fmt.Fprintln(opts.IO.Out, a); err != nil {
				return err
			}
		}
		opts.IO.Successf("%s: maintenance window open; the changes above are applying", res.Instance)
		return nil
	})
}
