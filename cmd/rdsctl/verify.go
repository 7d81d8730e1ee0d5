package main

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/verify"
)

// VerifyOptions are the inputs of `rdsctl verify`.
type VerifyOptions struct {
	IO     *ui.IOStreams
	Format ui.Format
	// Factory supplies the RDS client and the AWS settings that IAM
	// tokens and Secrets Manager need.
	Factory *Factory

	Instance string // INSTANCE, or "" with Group
	Group    string // --group: every instance using this parameter group
	Inputs   VerifyInputs
}

// VerifyInputs are what verifyInstance needs besides the instance: the
// connection flags and the expectations. failover builds one to verify the
// new primary exactly as `rdsctl verify` would.
type VerifyInputs struct {
	DB dbConnFlags
	// Expect are --expect overrides, on top of the group's values.
	Expect []verify.Expectation
	// All adds the group's modifiable system-set parameters (RDS's own
	// defaults, such as innodb_buffer_pool_size) to the user-set ones.
	All bool
	// Warnf receives advice for stderr; nil means f.IOStreams.Warnf.
	Warnf func(format string, args ...any)
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
	cmd.Flags().BoolVar(&v.All, "all", false, "also check the group's modifiable system-set parameters, not only the user-set ones")
}

// inputs validates the flags into VerifyInputs; its errors are usage errors.
func (v *verifyFlags) inputs(db dbConnFlags) (VerifyInputs, error) {
	if err := db.validate(); err != nil {
		return VerifyInputs{}, err
	}
	exp, err := verify.ParseExpect(v.Expect)
	if err != nil {
		return VerifyInputs{}, cli.Usage(err)
	}
	return VerifyInputs{DB: db, Expect: exp, All: v.All}, nil
}

// NewCmdVerify builds `rdsctl verify`; runF replaces verifyRun in tests.
func NewCmdVerify(f *Factory, runF func(context.Context, *VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{}
	var vf verifyFlags
	var db dbConnFlags
	cmd := &cobra.Command{
		Use:   "verify INSTANCE | --group G",
		Short: "Confirm what the server actually runs, against its parameter group",
		Long: `Confirm what a DB instance's server actually runs. verify reads the instance's
parameter group (the user-set values; --all adds the modifiable system-set
ones), connects to the server over a non-interactive connection, reads every
global variable in one round trip, and compares: formulas such as
{DBInstanceClassMemory*3/4} are evaluated for the instance's class and values
are normalised (ON = 1, 64M = 67108864, list order).

Each parameter is ok, drift, pending-reboot (static, or applied
pending-reboot, while the group's status says pending-reboot),
not-a-variable (an RDS-only name) or unresolved (a formula that cannot be
worked out). Non-modifiable system parameters (paths, port, socket) are RDS's
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

Exit codes: 0 nothing drifts; 3 drift, or an --expect that does not hold;
1 the instance or its server could not be read (including timeouts);
2 invalid flags.`,
		Example: `  rdsctl verify staging-db
  rdsctl verify staging-db --expect wait_timeout=300 -o json
  rdsctl verify --group staging-params --read-timeout 2s
  rdsctl verify prod-db --db-secret arn:aws:secretsmanager:...:secret:prod --ca-bundle global-bundle.pem`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IO, opts.Format, opts.Factory = f.IOStreams, f.Format(), f
			if len(args) == 1 {
				opts.Instance = strings.TrimSpace(args[0])
			}
			opts.Group = groupName(opts.Group)
			switch {
			case opts.Instance == "" && opts.Group == "":
				return cli.Usagef("name an instance, or a parameter group with --group")
			case opts.Instance != "" && opts.Group != "":
				return cli.Usagef("name an instance or --group, not both")
			}
			in, err := vf.inputs(db)
			if err != nil {
				return err
			}
			opts.Inputs = in
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return verifyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Group, "group", "", "verify every DB instance that uses parameter group `NAME`")
	vf.register(cmd)
	db.register(cmd)
	return cmd
}

func verifyRun(ctx context.Context, opts *VerifyOptions) error {
	api, err := opts.Factory.RDS(ctx)
	if err != nil {
		return err
	}
	if opts.Group != "" {
		return verifyGroupRun(ctx, opts, api)
	}
	rep, err := verifyInstance(ctx, opts.Factory, api, opts.Instance, opts.Inputs)
	if err != nil {
		return err
	}
	if err := opts.IO.Print(opts.Format, rep, func() error { return printVerifyReport(opts.IO, rep) }); err != nil {
		return err
	}
	return verifyOutcome(opts.IO, []*verify.Report{rep})
}

// verifyInstance verifies one DB instance: it finds it (endpoint, class,
// parameter groups and their apply status), reads its groups' values,
// resolves the login, connects non-interactively, reads every global at
// once and compares. Drift is in the report, not the error: the error is
// for what could not be read (a missing instance, a refused login, a
// server that stopped answering within the timeouts).
//
// This is `rdsctl verify INSTANCE` without the printing, for every command
// that must confirm a server the same way (failover, after promoting the
// new primary).
func verifyInstance(ctx context.Context, f *Factory, api cloud.RDS, id string, o VerifyInputs) (*verify.Report, error) {
	warnf := o.Warnf
	if warnf == nil {
		warnf = f.IOStreams.Warnf
	}
	in, err := cloud.FindInstance(ctx, api, id)
	if err != nil {
		return nil, &rdsError{op: "finding instance " + id, err: err}
	}
	if st := aws.ToString(in.DBInstanceStatus); st != "available" {
		warnf("instance %s is %s; its server may not answer", id, st)
	}
	if c := aws.ToString(in.DBClusterIdentifier); c != "" {
		warnf("instance %s belongs to cluster %s, whose cluster parameter group is not checked", id, c)
	}
	exp, groups, err := instanceExpectations(ctx, api, in, o, warnf)
	if err != nil {
		return nil, err
	}
	login, err := o.DB.login(ctx, f, in, warnf)
	if err != nil {
		return nil, err
	}
	var port int64
	if in.Endpoint != nil {
		port = int64(aws.ToInt32(in.Endpoint.Port))
	}
	rep, err := verify.Run(ctx, verify.Options{
		Conn:     login.Config,
		Instance: aws.ToString(in.DBInstanceIdentifier),
		Expect:   exp,
		Compare: verify.CompareOptions{
			InstanceClass:       aws.ToString(in.DBInstanceClass),
			AllocatedStorageGiB: int64(aws.ToInt32(in.AllocatedStorage)),
			Port:                port,
			PendingReboot:       groups.status == applyPendingReboot,
		},
	})
	if err != nil {
		return nil, connFailed(err, login)
	}
	rep.InstanceClass = aws.ToString(in.DBInstanceClass)
	rep.ParameterGroup = strings.Join(groups.names, ",")
	rep.ParameterApplyStatus = groups.status
	return rep, nil
}

// The ParameterApplyStatus values verify treats specially.
const (
	applyApplying      = "applying"
	applyPendingReboot = "pending-reboot"
)

// instanceGroups names the instance's DB parameter groups and their
// combined apply status: pending-reboot if any is, else applying if any is.
type instanceGroups struct {
	names  []string
	status string
}

// instanceExpectations reads what the server should run: each parameter
// group's user-set values (plus modifiable system-set ones with All), then
// the --expect overrides. A group attached since the last reboot waits for
// that reboot with every value, dynamic ones too.
func instanceExpectations(ctx context.Context, api cloud.RDS, in types.DBInstance, o VerifyInputs, warnf func(string, ...any)) ([]verify.Expectation, instanceGroups, error) {
	id := aws.ToString(in.DBInstanceIdentifier)
	var g instanceGroups
	var base []verify.Expectation
	for _, pg := range in.DBParameterGroups {
		name := aws.ToString(pg.DBParameterGroupName)
		g.names = append(g.names, name)
		switch st := aws.ToString(pg.ParameterApplyStatus); {
		case st == applyPendingReboot:
			g.status = st
		case st == applyApplying && g.status != applyPendingReboot:
			g.status = st
		case g.status == "":
			g.status = st
		}
		ps, err := groupParameters(ctx, api, name, o.All)
		if err != nil {
			return nil, g, err
		}
		exp := verify.FromParameters(ps)
		if aws.ToString(pg.ParameterApplyStatus) == applyPendingReboot && attachPending(ctx, api, id, name, warnf) {
			for i := range exp {
				exp[i].ApplyMethod = string(types.ApplyMethodPendingReboot)
			}
		}
		base = verify.Merge(base, exp)
		if len(exp) == 0 && len(o.Expect) == 0 {
			warnf("parameter group %s sets nothing to compare; only the trap is reported (--all adds system-set values, --expect your own)", name)
		}
	}
	if g.status == applyApplying {
		warnf("parameter group %s of %s is still applying a change; values may not be live yet (re-run once it is in-sync)", strings.Join(g.names, ","), id)
	}
	return verify.Merge(base, o.Expect), g, nil
}

// groupParameters returns the parameters to verify from one group: those
// a user set and, with all, the system-set ones a user could change.
func groupParameters(ctx context.Context, api cloud.RDS, group string, all bool) ([]types.Parameter, error) {
	ps, err := cloud.AllParameters(ctx, api, group, cloud.SourceUser)
	if err != nil {
		return nil, &rdsError{op: "reading parameter group " + group, err: err}
	}
	if !all {
		return ps, nil
	}
	sys, err := cloud.AllParameters(ctx, api, group, cloud.SourceSystem)
	if err != nil {
		return nil, &rdsError{op: "reading parameter group " + group, err: err}
	}
	for _, p := range sys {
		if aws.ToBool(p.IsModifiable) {
			ps = append(ps, p)
		}
	}
	return ps, nil
}

// eventRetention is how far back RDS keeps events (14 days), in minutes.
const eventRetention = 14 * 24 * 60

// attachPending reports whether group was attached to instance id after
// its last restart, from the instance's events: ParameterApplyStatus says
// pending-reboot for a new group exactly as for a pending static change,
// but a new group's dynamic values are not live either. If the events
// cannot be read it says so and answers false (static changes only).
func attachPending(ctx context.Context, api cloud.RDS, id, group string, warnf func(string, ...any)) bool {
	evs, err := cloud.AllEvents(ctx, api, &rds.DescribeEventsInput{
		SourceType:       types.SourceTypeDbInstance,
		SourceIdentifier: aws.String(id),
		Duration:         aws.Int32(eventRetention),
	})
	if err != nil {
		warnf("reading the events of %s (to tell a newly attached parameter group): %v", id, err)
		return false
	}
	sort.SliceStable(evs, func(i, j int) bool { return aws.ToTime(evs[i].Date).Before(aws.ToTime(evs[j].Date)) })
	attached := false
	for _, e := range evs {
		msg := strings.ToLower(aws.ToString(e.Message))
		switch {
		case strings.HasPrefix(msg, "updated to use dbparametergroup") && strings.Contains(msg, strings.ToLower(group)):
			attached = true
		case strings.Contains(msg, "restarted") || strings.Contains(msg, "failover completed"):
			attached = false
		}
	}
	return attached
}
