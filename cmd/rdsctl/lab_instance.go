package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
)

// labDBPassword is the lab's master password: `lab env` exports it as
// RDSCTL_DB_PASSWORD and the demo's instances use it. It is a fixed,
// documented value of a local throw-away lab, not a secret.
const labDBPassword = "demo-Pa55word"

// labInstanceTimeout bounds `lab instance create`'s wait: a lab instance
// is available in seconds, unless the machine is very busy.
const labInstanceTimeout = 5 * time.Minute

// NewCmdLabInstance builds `rdsctl lab instance`, the lab's own way to
// make the DB instance every rdsctl flow needs.
func NewCmdLabInstance(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "instance",
		Short: "Make DB instances on the lab",
	}
	cmd.AddCommand(NewCmdLabInstanceCreate(f, nil))
	return cmd
}

// LabInstanceCreateOptions are the inputs of `rdsctl lab instance create`.
type LabInstanceCreateOptions struct {
	IO     *ui.IOStreams
	Getenv func(string) string
	Format ui.Format
	// Endpoint is --endpoint-url; "" means AWS_ENDPOINT_URL_RDS, then
	// AWS_ENDPOINT_URL, then the lab running in Dir.
	Endpoint string
	Dir      string
	Spec     cloud.InstanceSpec
	Timeout  time.Duration
}

// NewCmdLabInstanceCreate builds `rdsctl lab instance create`; runF
// replaces labInstanceCreateRun in tests.
func NewCmdLabInstanceCreate(f *Factory, runF func(context.Context, *LabInstanceCreateOptions) error) *cobra.Command {
	opts := &LabInstanceCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create NAME [--group G] [--multi-az] [--class C] [--engine E]",
		Short: "Create a DB instance on the lab and wait until it is available",
		Long: `Create a DB instance on the lab, wait until it is available (at most --timeout),
and print its endpoint and how to log in.

The master user is admin; its password is read from RDSCTL_DB_PASSWORD, which
'eval "$(rdsctl lab env)"' sets to the lab's password, and which rdsctl verify
reads too. The instance is made on the lab the environment points at
(AWS_ENDPOINT_URL_RDS, as 'lab env' sets it), else on the lab running in --dir;
an endpoint that is not an rdsctl lab is refused: on AWS, use your
infrastructure code or 'aws rds create-db-instance'.`,
		Example: `  eval "$(rdsctl lab env)"
  rdsctl params create staging --family mariadb10.11
  rdsctl lab instance create staging-db --group staging --multi-az
  rdsctl status`,
		Args: oneName("the DB instance identifier to create"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IO, opts.Getenv, opts.Format = f.IOStreams, f.Getenv, f.Format()
			opts.Endpoint = f.Global.EndpointURL
			id, err := instanceArg(args[0])
			if err != nil {
				return err
			}
			if id[0] < 'a' || id[0] > 'z' || strings.HasSuffix(id, "-") || strings.Contains(id, "--") {
				return cli.Usagef("invalid DB instance identifier %q: it must begin with a letter and not end with a hyphen or contain two consecutive hyphens", args[0])
			}
			opts.Spec.ID = id
			if opts.Spec.Group != "" {
				if opts.Spec.Group, err = groupArg(opts.Spec.Group); err != nil {
					return err
				}
			}
			opts.Spec.Engine = strings.ToLower(strings.TrimSpace(opts.Spec.Engine))
			if opts.Spec.Engine != "mariadb" && opts.Spec.Engine != "mysql" {
				return cli.Usagef("invalid --engine %q: want mariadb or mysql", opts.Spec.Engine)
			}
			opts.Spec.Class = strings.ToLower(strings.TrimSpace(opts.Spec.Class))
			if !strings.HasPrefix(opts.Spec.Class, "db.") {
				return cli.Usagef("invalid --class %q: want a DB instance class such as db.t3.micro", opts.Spec.Class)
			}
			if opts.Timeout <= 0 {
				return cli.Usagef("invalid --timeout %s: must be positive", opts.Timeout)
			}
			opts.Spec.MasterPassword = opts.Getenv("RDSCTL_DB_PASSWORD")
			if opts.Spec.MasterPassword == "" {
				return cli.Usagef(`no master password: set RDSCTL_DB_PASSWORD (eval "$(rdsctl lab env)" sets it to the lab's)`)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return labInstanceCreateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Spec.Group, "group", "", "DB parameter group to attach (default: the engine's default group)")
	fl.BoolVar(&opts.Spec.MultiAZ, "multi-az", false, "a Multi-AZ instance, with a standby to fail over to")
	fl.StringVar(&opts.Spec.Class, "class", "db.t3.micro", "DB instance class")
	fl.StringVar(&opts.Spec.Engine, "engine", "mariadb", "engine: mariadb or mysql (the lab runs MariaDB for both)")
	fl.StringVar(&opts.Spec.MasterUser, "master-username", "admin", "master user name")
	fl.DurationVar(&opts.Timeout, "timeout", labInstanceTimeout, "give up waiting for available after this long")
	fl.StringVar(&opts.Dir, "dir", "", "lab state directory, when the environment does not point at a lab")
	_ = cmd.MarkFlagDirname("dir")
	_ = cmd.RegisterFlagCompletionFunc("engine", cobra.FixedCompletions([]string{"mariadb", "mysql"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// oneName is the Args of a command that takes exactly one NAME, which is
// what.
func oneName(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return cli.Usagef("missing NAME: %s", what)
		case len(args) > 1:
			return cli.Usagef("too many arguments: want one NAME, got %d", len(args))
		}
		return nil
	}
}

// labEndpoint is the lab the command talks to, and what it says of
// itself: the endpoint the environment names (it must be a lab), else
// the one running in opts.Dir.
func (o *LabInstanceCreateOptions) labEndpoint(ctx context.Context) (lab.Status, error) {
	endpoint := o.Endpoint
	for _, k := range []string{"AWS_ENDPOINT_URL_RDS", "AWS_ENDPOINT_URL"} {
		if endpoint == "" {
			endpoint = o.Getenv(k)
		}
	}
	if endpoint == "" {
		dir, err := resolveLabDir(o.Dir, o.Getenv)
		if err != nil {
			return lab.Status{}, err
		}
		ri, err := runningLab(dir)
		if err != nil {
			return lab.Status{}, err
		}
		endpoint = ri.Endpoint
	}
	cctx, cancel := context.WithTimeout(ctx, labControlTimeout)
	defer cancel()
	st, err := lab.FetchStatus(cctx, endpoint)
	if err != nil {
		return st, fmt.Errorf("%s is not an rdsctl lab (%v): lab instance create makes instances on a lab only; start one with 'rdsctl lab up --detach' and run 'eval \"$(rdsctl lab env)\"'", endpoint, err)
	}
	if st.Endpoint == "" {
		st.Endpoint = endpoint
	}
	if st.Region == "" {
		st.Region = "us-east-1"
	}
	return st, nil
}

// labInstance is what `lab instance create` prints: where the instance
// is and how to log in, never the password itself.
type labInstance struct {
	Instance       string `json:"instance"`
	Status         string `json:"status"`
	Endpoint       string `json:"endpoint"`
	Host           string `json:"host"`
	Port           int32  `json:"port"`
	Engine         string `json:"engine"`
	InstanceClass  string `json:"instance_class"`
	MultiAZ        bool   `json:"multi_az"`
	ParameterGroup string `json:"parameter_group"`
	MasterUsername string `json:"master_username"`
	// PasswordFrom names where the password is, so that a script or a
	// person can find it without it being printed.
	PasswordFrom string `json:"password_from"`
	Connect      string `json:"connect"`
}

func labInstanceCreateRun(ctx context.Context, opts *LabInstanceCreateOptions) error {
	ios := opts.IO
	st, err := opts.labEndpoint(ctx)
	if err != nil {
		return err
	}
	c := cloud.NewClient(aws.Config{Region: st.Region,
		Credentials: credentials.NewStaticCredentialsProvider(labCredentials, labCredentials, "")},
		func(o *rds.Options) { o.BaseEndpoint = aws.String(st.Endpoint) })
	if _, err := cloud.CreateInstance(ctx, c, opts.Spec); err != nil {
		return err
	}
	ios.Progressf("creating %s; waiting until it is available (at most %s)", opts.Spec.ID, opts.Timeout)
	stopElapsed := ios.StartElapsed("creating " + opts.Spec.ID)
	err = cloud.WaitInstanceAvailable(ctx, c, opts.Spec.ID, opts.Timeout, fastWaiter)
	stopElapsed()
	if err != nil {
		return err
	}
	in, err := cloud.FindInstance(ctx, c, opts.Spec.ID)
	if err != nil {
		return err
	}
	rep := labInstance{
		Instance:       aws.ToString(in.DBInstanceIdentifier),
		Status:         aws.ToString(in.DBInstanceStatus),
		Endpoint:       endpointOf(in),
		Engine:         strings.TrimSpace(aws.ToString(in.Engine) + " " + aws.ToString(in.EngineVersion)),
		InstanceClass:  aws.ToString(in.DBInstanceClass),
		MultiAZ:        aws.ToBool(in.MultiAZ),
		MasterUsername: aws.ToString(in.MasterUsername),
		PasswordFrom:   "RDSCTL_DB_PASSWORD",
	}
	if rep.MasterUsername == "" {
		rep.MasterUsername = opts.Spec.MasterUser
	}
	if in.Endpoint != nil {
		rep.Host, rep.Port = aws.ToString(in.Endpoint.Address), aws.ToInt32(in.Endpoint.Port)
	}
	for _, g := range in.DBParameterGroups {
		rep.ParameterGroup = aws.ToString(g.DBParameterGroupName)
	}
	rep.Connect = mysqlCommand(rep.Host, rep.Port, rep.MasterUsername)
	ios.Successf("%s is available at %s", rep.Instance, rep.Endpoint)
	return ios.Print(opts.Format, rep, func() error {
		return ios.PrintFields(
			ui.F("instance", rep.Instance),
			ui.F("status", rep.Status),
			ui.F("endpoint", orDash(rep.Endpoint)),
			ui.F("engine", orDash(rep.Engine)),
			ui.F("class", orDash(rep.InstanceClass)),
			ui.F("multi-az", yesNo(rep.MultiAZ)),
			ui.F("parameter group", orDash(rep.ParameterGroup)),
			ui.F("master user", rep.MasterUsername),
			ui.F("password", "in $RDSCTL_DB_PASSWORD (rdsctl verify reads it there too)"),
			ui.F("connect", rep.Connect),
		)
	})
}

// mysqlCommand is a mysql command line that logs in to host:port as
// user with the password from RDSCTL_DB_PASSWORD, pasteable as is: the
// port is given (a lab's is not 3306), the password is not.
func mysqlCommand(host string, port int32, user string) string {
	if host == "" {
		host = "127.0.0.1"
	}
	return fmt.Sprintf(`MYSQL_PWD="$RDSCTL_DB_PASSWORD" mysql --protocol=TCP -h %s -P %d -u %s`,
		shellWord(host), port, shellWord(user))
}
