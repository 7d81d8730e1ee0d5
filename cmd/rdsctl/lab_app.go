package main

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/examples/app/sampleapp"
	"github.com/rdsctl/rdsctl/verify"
)

// LabAppOptions are the inputs of `rdsctl lab app`.
type LabAppOptions struct {
	CommonOptions
	Instance string
	PIDFile  string
	App      sampleapp.Config
}

// NewCmdLabApp builds `rdsctl lab app`: the sample application of
// examples/app, against a DB instance found through the RDS API, so a game
// day has an application to watch without a Go toolchain.
func NewCmdLabApp(f *Factory, runF func(context.Context, *LabAppOptions) error) *cobra.Command {
	opts := &LabAppOptions{}
	cmd := &cobra.Command{
		Use:   "app INSTANCE [--listen ADDR] [pool flags]",
		Short: "Serve the sample application for game days against a DB instance",
		Long: `Serve the sample application (examples/app) in the foreground: an HTTP
service whose GET /health runs SELECT 1 on INSTANCE through a database/sql pool.
It answers 200, 503 when the query fails, and 504 when --health-timeout fires.

The pool's settings are flags; a zero duration means no timeout, as many
applications ship. It logs in as the instance's master user with the password
in $RDSCTL_DB_PASSWORD. SIGHUP replaces the pool, as restarting the process
would (a game day's restart hook: kill -HUP $(cat PIDFILE)). Ctrl-C stops it.`,
		Example: `  rdsctl lab app staging-db --listen 127.0.0.1:18080 --dial-timeout 300ms \
      --read-timeout 500ms --write-timeout 500ms --health-timeout 400ms &
  rdsctl gameday run drill.yaml --yes`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cli.Usagef("want one INSTANCE, got %d argument(s)", len(args))
			}
			return nil
		},
	}
	parse := func(args []string) error {
		opts.Instance = args[0]
		if opts.App.MaxOpen < 1 {
			return cli.Usagef("invalid --max-open-conns %d: want at least 1", opts.App.MaxOpen)
		}
		return nil
	}
	newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, labAppRun)
	fl := cmd.Flags()
	fl.StringVar(&opts.App.Listen, "listen", "127.0.0.1:8080", "serve HTTP on `ADDR`")
	fl.StringVar(&opts.PIDFile, "pid-file", "", "write the process id to `FILE`, for a restart hook's kill -HUP")
	sampleapp.PoolFlags(fl, &opts.App)
	return cmd
}

func labAppRun(ctx context.Context, opts *LabAppOptions) error {
	ios := opts.IO
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	in, err := cloud.FindInstance(ctx, api, opts.Instance)
	if err != nil {
		return err
	}
	if in.Endpoint == nil {
		return fmt.Errorf("%s has no endpoint yet (status %s)", opts.Instance, aws.ToString(in.DBInstanceStatus))
	}
	c := opts.App
	c.Addr = net.JoinHostPort(aws.ToString(in.Endpoint.Address), strconv.Itoa(int(aws.ToInt32(in.Endpoint.Port))))
	c.User, c.Password = aws.ToString(in.MasterUsername), opts.Getenv(verify.EnvPassword)
	app, err := sampleapp.New(c)
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return cli.Usage(fmt.Errorf("--listen %s: %w", c.Listen, err))
	}
	if opts.PIDFile != "" {
		remove, err := sampleapp.WritePIDFile(opts.PIDFile)
		if err != nil {
			ln.Close()
			return err
		}
		defer remove()
	}
	defer app.RestartOnHangup(ios.Infof)()
	ios.Infof("sample app: http://%s/health -> %s (%s)", ln.Addr(), opts.Instance, c.Addr)
	return app.Serve(ctx, ln)
}
