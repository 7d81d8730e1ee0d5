package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// DemoOptions are the inputs of `rdsctl demo`.
type DemoOptions struct {
	CommonOptions
	// Execute runs an rdsctl command line through the same command tree
	// as the binary, in this process, and returns its exit code.
	Execute func(ctx context.Context, args []string) int
	// Background is Execute for a command that runs beside the next ones
	// (the sample application): its own Factory and streams, so that the
	// commands after it do not share its flags.
	Background func(ctx context.Context, args []string) int

	Dir           string
	Keep          bool
	FailoverDelay time.Duration
}

// The demo's names and secret. The password is the lab's, not a secret:
// the demo prints how to use it.
const (
	demoGroup    = "staging-params"
	demoInstance = "staging-db"
	demoUser     = "admin"
	demoPassword = labDBPassword
)

// NewCmdDemo builds `rdsctl demo`.
func NewCmdDemo(f *Factory, runF func(context.Context, *DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The whole story on a throw-away lab: parameters, the trap, a timed failover",
		Long: `Run the whole rdsctl story on a throw-away lab, with real MariaDB servers:

  1. create a parameter group and a Multi-AZ DB instance that uses it;
  2. lower wait_timeout with 'rdsctl params set' (applied immediately);
  3. show the interactive_timeout trap: the mysql client on a terminal still
     sees 28800, while 'rdsctl verify' confirms the global is 300;
  4. make a static change, which waits for a reboot (pending-reboot);
  5. 'rdsctl failover': force a Multi-AZ failover, measure the outage
     clients see, and verify that the new primary runs the group's values;
  6. 'rdsctl policy check', then a short 'rdsctl gameday run' against the
     sample application ('rdsctl lab app'), ending with the report's path.

Every step is a real rdsctl command, printed before it runs, so the demo is
also a tutorial. The lab is stopped and removed at the end unless --keep;
the game day's files and report stay in a new rdsctl-demo-drill-* directory
under $TMPDIR.`,
		Args: cobra.NoArgs,
	}
	parse := func([]string) error {
		opts.Execute = func(ctx context.Context, args []string) int { return execute(ctx, f, args) }
		opts.Background = func(ctx context.Context, args []string) int {
			ios := *f.IOStreams
			bf := newFactory(&ios)
			bf.Version, bf.Getenv, bf.Executable = f.Version, f.Getenv, f.Executable
			return execute(ctx, bf, args)
		}
		if opts.FailoverDelay < 0 {
			return cli.Usagef("invalid --failover-delay %s: must not be negative", opts.FailoverDelay)
		}
		return nil
	}
	newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, demoRun)
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "lab directory (default: a new temporary one)")
	cmd.Flags().BoolVar(&opts.Keep, "keep", false, "keep the lab's directory afterwards (resume it with rdsctl lab up --dir)")
	cmd.Flags().DurationVar(&opts.FailoverDelay, "failover-delay", defaultFailoverDelay, "how long the lab's failover keeps the endpoint down")
	return cmd
}

func demoRun(ctx context.Context, opts *DemoOptions) error {
	ios := opts.IO
	dir := opts.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "rdsctl-demo-")
		if err != nil {
			return fmt.Errorf("creating the demo's lab directory: %w", err)
		}
		dir = d
	}
	start := time.Now()
	ios.Progressf("starting a throw-away lab in %s (MariaDB %s)", dir, "from the OS package")
	l, err := lab.New(lab.Options{Dir: dir, FailoverDelay: opts.FailoverDelay, TemplateDir: templateDir(opts.Getenv)})
	if err != nil {
		return fmt.Errorf("starting the demo lab: %w", err)
	}
	cleanup := func() {
		cctx, cancel := context.WithTimeout(context.Background(), labStopTimeout)
		defer cancel()
		if err := l.Close(cctx); err != nil {
			ios.Warnf("stopping the demo lab: %v", err)
		}
		if !opts.Keep {
			os.RemoveAll(dir)
			return
		}
		ios.Infof("the lab's state is kept in %s; resume it with: rdsctl lab up --dir %s", dir, shellWord(dir))
	}
	defer cleanup()
	if err := l.Start(ctx); err != nil {
		return fmt.Errorf("starting the demo lab: %w", err)
	}
	// Point this process (and the commands it prints) at the lab, and at
	// nothing else: no profile, no real credentials.
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_RDS": l.Endpoint(), "AWS_REGION": l.Region(), "AWS_DEFAULT_REGION": l.Region(),
		"AWS_ACCESS_KEY_ID": labCredentials, "AWS_SECRET_ACCESS_KEY": labCredentials, "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true",
		"RDSCTL_DB_PASSWORD": demoPassword,
	} {
		os.Setenv(k, v)
	}
	d := &demo{ctx: ctx, opts: opts, ios: ios}

	d.chapter("1. A parameter group and a Multi-AZ instance that uses it")
	if err := d.run("params", "create", demoGroup, "--family", "mariadb10.11", "--description", "staging, tuned by rdsctl demo"); err != nil {
		return err
	}
	if err := d.createInstance(); err != nil {
		return err
	}
	if err := d.run("status", demoInstance); err != nil {
		return err
	}

	d.chapter("2. Lower wait_timeout: a dynamic parameter, applied immediately")
	if err := d.run("params", "set", demoGroup, "wait_timeout=300", "--yes"); err != nil {
		return err
	}
	if err := d.run("wait", demoInstance, "--for", "in-sync", "--timeout", "1m"); err != nil {
		return err
	}

	d.chapter("3. The interactive_timeout trap")
	d.say("An engineer checks with the mysql client on a terminal and sees 28800, not 300:")
	d.interactiveClient()
	d.say("The client announced itself as interactive, so the server started its session with")
	d.say("wait_timeout = interactive_timeout (28800). Applications never do. rdsctl verify reads")
	d.say("the globals over a non-interactive connection, and says so:")
	trap := []string{"verify", demoInstance}
	if !d.ios.IsStdoutTTY {
		// Piped, verify keeps stdout to parameter rows and puts the trap
		// on stderr; the story's stdout needs the trap, so ask for all.
		trap = append(trap, "-o", "yaml")
	}
	if err := d.run(trap...); err != nil {
		return err
	}

	d.chapter("4. A static parameter waits for a reboot")
	if err := d.run("params", "set", demoGroup, "innodb_log_buffer_size=33554432", "--yes"); err != nil {
		return err
	}
	if err := d.settle(); err != nil {
		return err
	}
	if err := d.run("verify", demoInstance); err != nil {
		return err
	}

	d.chapter("5. A timed Multi-AZ failover; the new primary is verified")
	if err := d.run("failover", demoInstance, "--yes", "--max-downtime", "60s"); err != nil {
		return err
	}

	d.chapter("6. A policy check, and a game day that watches the application too")
	if err := d.gameday(); err != nil {
		return err
	}

	d.chapter("Done")
	d.say(fmt.Sprintf("The whole story took %s on a lab at %s.", time.Since(start).Round(100*time.Millisecond), l.Endpoint()))
	d.say("Every step above is a command you can run against your own staging account.")
	return nil
}

// demo prints and runs the demo's steps in this process.
type demo struct {
	ctx  context.Context
	opts *DemoOptions
	ios  *ui.IOStreams
}

func (d *demo) chapter(title string) { d.ios.Heading(title) }

func (d *demo) say(line string) { fmt.Fprintln(d.ios.Out, line) }

// run prints a command line and runs it through the same command tree as
// the rdsctl binary, so the demo shows real output and real exit codes.
func (d *demo) run(args ...string) error {
	cs := d.ios.ColorScheme()
	fmt.Fprintln(d.ios.Out, cs.Bold("$ rdsctl "+shellJoin(args)))
	if code := d.opts.Execute(d.ctx, args); code != cli.ExitOK {
		return cli.Silent(fmt.Errorf("demo step failed (exit %d): rdsctl %s", code, shellJoin(args)))
	}
	return nil
}

// createInstance creates the demo's DB instance with the lab's own
// command, and shows the AWS CLI equivalent as a comment that also works
// when pasted: the AWS CLI v1 ignores AWS_ENDPOINT_URL_RDS, so it names
// the endpoint itself.
func (d *demo) createInstance() error {
	if err := d.run("lab", "instance", "create", demoInstance, "--group", demoGroup, "--multi-az"); err != nil {
		return err
	}
	cs := d.ios.ColorScheme()
	fmt.Fprintln(d.ios.Out, cs.Gray("# the same with the AWS CLI, then: rdsctl wait "+demoInstance+" --for available"))
	fmt.Fprintln(d.ios.Out, cs.Gray(`# aws --endpoint-url "$AWS_ENDPOINT_URL_RDS" rds create-db-instance --db-instance-identifier `+demoInstance+
		" --engine mariadb --db-instance-class db.t3.micro --allocated-storage 20 --multi-az --db-parameter-group-name "+demoGroup+
		" --master-username "+demoUser+` --master-user-password "$RDSCTL_DB_PASSWORD"`))
	return nil
}

// fastWaiter polls a lab's instance more often than the SDK's default.
var fastWaiter cloud.WaitOption = func(o *rds.DBInstanceAvailableWaiterOptions) {
	o.MinDelay, o.MaxDelay = 50*time.Millisecond, 250*time.Millisecond
}

// settle waits until the instance's parameter group is no longer applying,
// as an engineer would look at rdsctl status before checking.
func (d *demo) settle() error {
	cfg, err := d.opts.AWSConfig(d.ctx)
	if err != nil {
		return err
	}
	c := cloud.NewClient(cfg)
	deadline := time.Now().Add(30 * time.Second)
	for {
		in, err := cloud.FindInstance(d.ctx, c, demoInstance)
		if err != nil {
			return err
		}
		applying := false
		for _, g := range in.DBParameterGroups {
			applying = applying || aws.ToString(g.ParameterApplyStatus) == "applying"
		}
		if !applying {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("the parameter group was still applying after 30s")
		}
		select {
		case <-d.ctx.Done():
			return d.ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// interactiveClient runs the mariadb client on a pseudo-terminal (script
// from util-linux), as an engineer would, and shows what it reports. It is
// an illustration: without the client or script(1) it says so and goes on.
func (d *demo) interactiveClient() {
	client, err := exec.LookPath("mariadb")
	if err != nil {
		client, err = exec.LookPath("mysql")
	}
	script, serr := exec.LookPath("script")
	if err != nil || serr != nil {
		d.say("  (skipped: needs the mariadb client and script(1) to run it on a terminal)")
		return
	}
	cfg, err := d.opts.AWSConfig(d.ctx)
	if err != nil {
		return
	}
	in, err := cloud.FindInstance(d.ctx, cloud.NewClient(cfg), demoInstance)
	if err != nil || in.Endpoint == nil {
		return
	}
	line := fmt.Sprintf("%s --no-defaults --skip-auto-rehash --protocol=TCP -h%s -P%d -u%s", client,
		aws.ToString(in.Endpoint.Address), aws.ToInt32(in.Endpoint.Port), demoUser)
	d.say("(the password is in RDSCTL_DB_PASSWORD, where rdsctl verify reads it too)")
	fmt.Fprintln(d.ios.Out, d.ios.ColorScheme().Bold("$ "+mysqlCommand(aws.ToString(in.Endpoint.Address), aws.ToInt32(in.Endpoint.Port), demoUser)))
	fmt.Fprintln(d.ios.Out, "mysql> SHOW VARIABLES LIKE 'wait_timeout';")
	ctx, cancel := context.WithTimeout(d.ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-qec", line, os.DevNull)
	cmd.Env = append(os.Environ(), "MYSQL_PWD="+demoPassword, "TERM=dumb", "MYSQL_HISTFILE="+os.DevNull)
	cmd.Stdin = strings.NewReader("SHOW VARIABLES LIKE 'wait_timeout';\nquit\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		d.say("  (the interactive client failed: " + err.Error() + ")")
		return
	}
	// Show the client's table, not its banner.
	for _, l := range strings.Split(out.String(), "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, "| ") {
			fmt.Fprintln(d.ios.Out, l)
		}
	}
}

// shellJoin quotes args for display.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellWord(a)
	}
	return strings.Join(out, " ")
}
