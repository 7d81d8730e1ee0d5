package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/verify"
)

// VerifyOptions are the inputs of `rdsctl verify`.
type VerifyOptions struct {
	// CommonOptions supply the RDS client and the AWS settings that IAM
	// tokens and Secrets Manager need.
	CommonOptions

	Instance string // INSTANCE, or "" with Group
	Group    string // --group: every instance using this parameter group
	Cluster  string // --cluster: every member of this Aurora DB cluster
	// Verify are the login and the expectations; verifyRun adds the
	// streams and the environment.
	Verify verify.Options
}

// verifyFlags are the verify flags other than the connection ones, so a
// command that verifies after its own work (failover) can offer them too.
type verifyFlags struct {
	Expect []string
	All    bool
}

// register adds --expect and --all to cmd.
func (v *verifyFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&v.Expect, "expect", nil, "also expect `P=V`: the server runs parameter P at V (repeatable; overrides the group's value)")
	cmd.Flags().BoolVar(&v.All, "all", false, "check every modifiable parameter, not only the user-set ones (engine defaults without a value are reported as engine-default)")
}

// options validates the flags' syntax into verify.Options; its errors are
// usage errors. What needs files (a password file, a CA bundle) is checked
// by verify.Options.Validate when the command runs, before any call.
func (v *verifyFlags) options(db dbConnFlags) (verify.Options, error) {
	if err := db.validate(); err != nil {
		return verify.Options{}, err
	}
	exp, err := verify.ParseExpect(v.Expect)
	if err != nil {
		return verify.Options{}, cli.Usage(err)
	}
	return verify.Options{Login: db.login(), Expect: exp, All: v.All}, nil
}

// runtimeVerifyOptions completes o with what comes from the process: the
// environment and the streams for advice and progress.
func runtimeVerifyOptions(o verify.Options, c CommonOptions) verify.Options {
	ios := c.IO
	if o.Login.Getenv == nil {
		o.Login.Getenv = c.Getenv
	}
	if o.Warnf == nil {
		o.Warnf = ios.Warnf
	}
	if o.Progress == nil {
		o.Progress = ios.Progressf
	}
	return o
}

// NewCmdVerify builds `rdsctl verify`; runF replaces verifyRun in tests.
func NewCmdVerify(f *Factory, runF func(context.Context, *VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{}
	var vf verifyFlags
	var db dbConnFlags
	cmd := &cobra.Command{
		Use:   "verify INSTANCE | --group G | --cluster C",
		Short: "Confirm what the server actually runs, against its parameter group",
		Long: `Confirm what a DB instance's server actually runs. verify reads the instance's
parameter group (the user-set values; --all adds every other modifiable
one), connects to the server over a non-interactive connection, reads every
global variable in one round trip, and compares: formulas such as
{DBInstanceClassMemory*3/4} are evaluated for the instance's class and values
are normalised (ON = 1, 64M = 67108864, list order).

Each parameter is ok, drift, pending-reboot (static, or applied
pending-reboot, while the group's status says pending-reboot),
not-a-variable (an RDS-only name), unresolved (a formula that cannot be
worked out) or engine-default (the group gives no value, as AWS does for
most engine defaults: never a finding). On an Aurora member each value is
resolved through the cluster parameter group with the instance's own group
over it, and the report says which group it came from. Non-modifiable system parameters (paths, port, socket) are RDS's
host layout and are not checked.

It also shows the interactive_timeout trap: the mysql client, run on a
terminal, starts its session with wait_timeout = interactive_timeout, so it
can show 28800 while applications get the lowered wait_timeout.

The user defaults to the instance's master user. The password comes from
$RDSCTL_DB_PASSWORD unless --db-password-env, --db-password-file,
--db-secret or --iam-auth says otherwise; without any of these, an instance
with an RDS-managed master password (MasterUserSecret) is logged in to with
its secret. Passwords are never printed.

With --group, every instance using the group is verified concurrently, one
report each; -o json then prints {"parameter_group": G, "instances": [...]},
each element a report as for one instance (with "error" for an instance that
could not be verified).

On an Aurora cluster member, the expected values come from both groups: the
cluster parameter group, with the member's own DB parameter group over it
(a value set in the instance group wins, for that member only). Each row says
where its value came from ("instance group G", "cluster group C", "--expect"):
a FROM column in the table, "from" in JSON. --cluster C verifies every member
that way; -o json then prints {"cluster": C, "instances": [...]}.

Exit codes: 0 nothing drifts; 3 drift, or an --expect that does not hold;
1 the instance or its server could not be read (including timeouts);
2 invalid flags.`,
		Example: `  rdsctl verify staging-db
  rdsctl verify staging-db --expect wait_timeout=300 -o json
  rdsctl verify --group staging-params --read-timeout 2s
  rdsctl verify --cluster staging-aurora
  rdsctl verify prod-db --db-secret arn:aws:secretsmanager:...:secret:prod --ca-bundle global-bundle.pem`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.CommonOptions = f.common()
			if len(args) == 1 {
				// Refused locally, as every other command does.
				id, err := instanceArg(args[0])
				if err != nil {
					return err
				}
				opts.Instance = id
			}
			opts.Group = groupName(opts.Group)
			n := 0
			for _, s := range []string{opts.Instance, opts.Group, opts.Cluster} {
				if s != "" {
					n++
				}
			}
			switch {
			case n == 0:
				return cli.Usagef("name an instance, a parameter group with --group, or a cluster with --cluster")
			case n > 1:
				return cli.Usagef("name one of an instance, --group or --cluster")
			case opts.Cluster != "":
				var err error
				if opts.Cluster, err = clusterArg(opts.Cluster); err != nil {
					return err
				}
			}
			vo, err := vf.options(db)
			if err != nil {
				return err
			}
			opts.Verify = vo
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return verifyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Group, "group", "", "verify every DB instance that uses parameter group `NAME`")
	cmd.Flags().StringVar(&opts.Cluster, "cluster", "", "verify every member of Aurora DB cluster `C`")
	vf.register(cmd)
	db.register(cmd)
	return cmd
}

func verifyRun(ctx context.Context, opts *VerifyOptions) error {
	vo := runtimeVerifyOptions(opts.Verify, opts.CommonOptions)
	// Settings that cannot work fail here, before any call.
	if err := vo.Validate(); err != nil {
		return usageIfConfig(err)
	}
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	awsCfg, err := opts.AWSConfig(ctx)
	if err != nil {
		return err
	}
	if opts.Group != "" || opts.Cluster != "" {
		return verifyGroupRun(ctx, opts, api, awsCfg, vo)
	}
	rep, err := verify.Instance(ctx, api, awsCfg, opts.Instance, vo)
	if err != nil {
		return usageIfConfig(clusterHint(ctx, opts.IO, api, "rdsctl verify", opts.Instance, err))
	}
	if err := opts.IO.Print(opts.Format, rep, func() error { return printVerifyReport(opts.IO, rep) }); err != nil {
		return err
	}
	return verifyOutcome(opts.IO, []*verify.Report{rep})
}
