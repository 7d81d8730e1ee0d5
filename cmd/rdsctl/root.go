package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// commandGroups are the top-level commands, in help order. Adding a command
// group is one file (NewCmdX in x.go) plus one line here. It is a function,
// not a variable, because demo runs this very command tree.
func commandGroups() []func(*Factory) *cobra.Command {
	return []func(*Factory) *cobra.Command{
		NewCmdLab,
		NewCmdParams,
		func(f *Factory) *cobra.Command { return NewCmdStatus(f, nil) },
		func(f *Factory) *cobra.Command { return NewCmdWait(f, nil) },
		func(f *Factory) *cobra.Command { return NewCmdVerify(f, nil) },
		func(f *Factory) *cobra.Command { return NewCmdReboot(f, nil) },
		func(f *Factory) *cobra.Command { return NewCmdFailover(f, nil) },
		NewCmdPolicy,
		NewCmdGameday,
		func(f *Factory) *cobra.Command { return NewCmdVersion(f, nil) },
		func(f *Factory) *cobra.Command { return NewCmdDemo(f, nil) },
	}
}

func init() {
	// Run every ancestor's PersistentPreRunE, not only the nearest one, so
	// that a group's own hook can never skip the global flag checks.
	cobra.EnableTraverseRunHooks = true
}

// Main runs rdsctl with the process's arguments and streams and returns the
// exit code. SIGINT and SIGTERM cancel the command's context, so a command
// can stop cleanly (stop a lab, roll back a game day) instead of dying.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := newFactory(ui.System())
	f.tuneMemory = true
	return execute(ctx, f, os.Args[1:])
}

// run executes one command line. It is the one place where an error
// becomes an exit code and a message on stderr.
func run(ctx context.Context, args []string, ios *ui.IOStreams) int {
	f := newFactory(ios)
	return execute(ctx, f, args)
}

func execute(ctx context.Context, f *Factory, args []string) int {
	root := NewCmdRoot(f)
	entered := trackRun(root)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return cli.ExitOK
	}
	// Everything cobra rejects before a command's RunE starts (unknown
	// command or flag, wrong number of arguments, missing required flag,
	// invalid global flag) is a usage error: nothing has run yet.
	if !*entered {
		err = cli.Usage(err)
	}
	if cmd == nil {
		cmd = root
	}
	interrupted := ctx.Err() != nil && cli.IsInterrupted(err)
	printError(f.IOStreams, cmd, err, interrupted)
	code := cli.ExitCode(err)
	if code == cli.ExitFailure && credentialsHint(err) != "" {
		// No credentials is a setup mistake, found before anything
		// changed: usage, like a missing region.
		code = cli.ExitUsage
	}
	return code
}

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "rdsctl",
		Short: "Safe parameter groups, timed failovers and verification for Amazon RDS MySQL/MariaDB/Aurora",
		Long: `rdsctl edits RDS parameter groups safely, triggers and times failovers of
instances and Aurora clusters, confirms what the database server is actually
running, checks a fleet against a policy in CI, and runs game days that watch
the application too.

Exit codes: 0 success, 1 runtime failure, 2 usage or invalid input (nothing
changed), 3 findings (drift, policy violations, failed assertions).`,
		Version:       f.Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if f.tuneMemory {
				// Once, for the command the process runs (demo
				// runs others in-process).
				f.tuneMemory = false
				tuneMemory(cmd, f.Getenv)
			}
			return f.applyGlobals()
		},
	}
	root.SetIn(f.IOStreams.In)
	root.SetOut(f.IOStreams.Out)
	root.SetErr(f.IOStreams.ErrOut)
	root.SetVersionTemplate("rdsctl version {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return cli.Usage(err) })

	pf := root.PersistentFlags()
	g := &f.Global
	pf.StringVar(&g.Region, "region", "", "AWS region (default: AWS_REGION or the profile's region)")
	pf.StringVar(&g.Profile, "profile", "", "AWS shared config profile (default: AWS_PROFILE)")
	pf.StringVar(&g.EndpointURL, "endpoint-url", "", "RDS API endpoint, e.g. a lab's (default: AWS_ENDPOINT_URL_RDS)")
	pf.StringVarP(&g.Output, "output", "o", string(ui.FormatTable), "output format: "+strings.Join(ui.Formats, "|"))
	pf.BoolVar(&g.NoColor, "no-color", false, "disable colour (also NO_COLOR=1)")
	pf.BoolVarP(&g.Yes, "yes", "y", false, "do not ask before destructive actions (required off a terminal)")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(ui.Formats, cobra.ShellCompDirectiveNoFileComp))

	for _, newGroup := range commandGroups() {
		root.AddCommand(newGroup(f))
	}
	// cobra would add these lazily inside Execute; adding them now lets
	// makeGroupsStrict and trackRun see them.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	makeGroupsStrict(root)
	tightenArgs(root)
	addNameCompletion(root, f)
	return root
}

// makeGroupsStrict gives every command that only groups subcommands (lab,
// params...) a RunE: without one cobra prints help and exits 0 for
// `rdsctl lab bogus`, which would hide typos in scripts.
func makeGroupsStrict(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		makeGroupsStrict(c)
	}
	if cmd.HasParent() && !cmd.Runnable() && cmd.HasSubCommands() {
		cmd.Args = cobra.ArbitraryArgs
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return cli.Usagef("unknown command %q for %q", args[0], cmd.CommandPath())
		}
	}
}

// trackRun wraps every command's RunE so that execute can tell an error
// from a command's work from one cobra raised before the work started.
func trackRun(root *cobra.Command) *bool {
	entered := new(bool)
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		switch {
		case c.RunE != nil:
			runE := c.RunE
			c.RunE = func(cmd *cobra.Command, args []string) error {
				*entered = true
				return runE(cmd, args)
			}
		case c.Run != nil:
			run := c.Run
			c.Run = func(cmd *cobra.Command, args []string) {
				*entered = true
				run(cmd, args)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return entered
}

// printError prints err once, as "rdsctl: <message>", unless the command
// already showed it. Usage errors get a pointer to the command's help; a
// command stopped by SIGINT/SIGTERM is just "interrupted".
func printError(ios *ui.IOStreams, cmd *cobra.Command, err error, interrupted bool) {
	if cli.IsSilent(err) {
		return
	}
	msg := cli.Message(err)
	if interrupted && !strings.HasPrefix(msg, "interrupted") {
		// A command that says what it had done when stopped (failover:
		// "interrupted after failover was triggered at ...") keeps its
		// words; for the rest, the context's error says nothing useful.
		msg = "interrupted"
	}
	ios.ErrorLine(strings.TrimRight(msg, "\n"))
	if h := credentialsHint(err); h != "" {
		fmt.Fprintln(ios.ErrOut, h)
	}
	if cli.IsUsage(err) {
		fmt.Fprintf(ios.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
}
