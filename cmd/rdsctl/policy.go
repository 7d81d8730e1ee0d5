package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/params/policy"
	"github.com/rdsctl/rdsctl/verify"
)

// The policy check output formats beside the global -o ones.
const (
	policyFormatJUnit  = "junit"
	policyFormatGitHub = "github"
)

var policyFormats = []string{string(ui.FormatTable), string(ui.FormatJSON), policyFormatJUnit, policyFormatGitHub}

// PolicyCheckOptions are the inputs of `rdsctl policy check`.
type PolicyCheckOptions struct {
	// CommonOptions' Format is the global -o; Format below is the one
	// this command prints, which --format can set beyond it.
	CommonOptions

	File   string
	Format string // table, json, yaml, junit, github
	Strict bool
	// Effective reads every instance's live globals through verify.
	Effective bool
	DB        dbConnFlags
	Regions   []string
	RoleARNs  []string
	// Concurrency bounds the API calls in flight per account and region.
	Concurrency int
}

// NewCmdPolicy builds `rdsctl policy`.
func NewCmdPolicy(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Check parameter groups, and what the servers run, against a policy file (for CI)",
	}
	cmd.AddCommand(NewCmdPolicyCheck(f, nil))
	return cmd
}

// NewCmdPolicyCheck builds `rdsctl policy check`; runF replaces
// policyCheckRun in tests.
func NewCmdPolicyCheck(f *Factory, runF func(context.Context, *PolicyCheckOptions) error) *cobra.Command {
	opts := &PolicyCheckOptions{}
	cmd := &cobra.Command{
		Use:   "check -f POLICY",
		Short: "Check the fleet's parameter groups against a policy file",
		Long: `Check every selected parameter group against the rules of a policy file:

  version: 1
  groups: ["staging-*"]          # name globs; default: every non-default group
  families: [mariadb10.11]       # also kind: db|cluster, regions: [...]
  rules:
    - parameter: wait_timeout
      max: 600                   # also min, equals, one_of, required, forbidden
    - parameter: interactive_timeout
      same_as: wait_timeout
    - parameter: require_secure_transport
      equals: "ON"
    - applied: true              # every instance using the group is in-sync
      severity: warning          # error (default) fails the check; warning does not

Groups are read concurrently (only their user-set parameters; a parameter
a group does not set is compared with its family's engine default). Values
compare as the server reads them (ON = 1, 64M = 67108864, letter case);
formulas such as {DBInstanceClassMemory*3/4} are evaluated for the class of
each instance using the group. A value that cannot be worked out (a formula
with no instance, an engine default without a value) is unresolved.

--effective also reads each instance's live global values over a
non-interactive connection (the verify flags say how to log in): a value
that is fine in the group but not on the server is not-applied. On a
cluster parameter group each Aurora member is held to its own DB parameter
group's value where that sets the parameter, else the cluster group's (as
verify resolves it); FROM ("from" in JSON) says which.

--format: table (grouped by group), json (one finding per group x rule, per
instance with --effective), junit (a test case per group x rule) or github
(workflow annotations on the policy file's lines). -o json works too.

Exit codes: 0 every error-severity rule holds; 3 a violation or not-applied
finding (unresolved ones too with --strict); 1 the fleet could not be read;
2 an invalid policy file or flags.`,
		Example: `  rdsctl policy check -f policy.yaml
  rdsctl policy check -f policy.yaml --format github
  rdsctl policy check -f policy.yaml --regions us-east-1,eu-west-1 --role-arn arn:aws:iam::111122223333:role/audit
  rdsctl policy check -f policy.yaml --effective --db-secret prod-readonly`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.CommonOptions = f.common()
			if !cmd.Flags().Changed("format") {
				opts.Format = string(f.Format())
			}
			opts.Format = strings.ToLower(opts.Format)
			switch opts.Format {
			case string(ui.FormatTable), string(ui.FormatJSON), string(ui.FormatYAML), policyFormatJUnit, policyFormatGitHub:
			default:
				return cli.Usagef("invalid --format %q: want one of %s", opts.Format, strings.Join(policyFormats, ", "))
			}
			if strings.TrimSpace(opts.File) == "" {
				return cli.Usagef("name the policy file with -f")
			}
			var regions []string
			for _, r := range opts.Regions {
				if r = strings.TrimSpace(r); r != "" {
					if !regionPattern().MatchString(r) {
						return cli.Usagef("invalid region %q in --regions: want AWS regions such as us-east-1,eu-west-1", r)
					}
					regions = append(regions, r)
				}
			}
			opts.Regions = regions
			// The first region is the base configuration's when none is
			// configured; f loads that configuration on first use.
			if f.Global.Region == "" && len(regions) > 0 {
				f.Global.Region = regions[0]
			}
			for _, arn := range opts.RoleARNs {
				if !roleARNPattern().MatchString(arn) {
					return cli.Usagef("invalid --role-arn %q: want arn:aws:iam::ACCOUNT:role/NAME", arn)
				}
			}
			if opts.Concurrency <= 0 {
				return cli.Usagef("invalid --concurrency %d: must be positive", opts.Concurrency)
			}
			if opts.Effective {
				if err := opts.DB.validate(); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return policyCheckRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", "the policy `FILE` (YAML)")
	fl.StringVar(&opts.Format, "format", string(ui.FormatTable), "output `FORMAT`: "+strings.Join(policyFormats, "|"))
	fl.BoolVar(&opts.Strict, "strict", false, "unresolved findings fail the check too (exit 3)")
	fl.BoolVar(&opts.Effective, "effective", false, "also check every instance's live global values (logs in as verify does)")
	fl.StringSliceVar(&opts.Regions, "regions", nil, "check these `REGIONS` (comma-separated; default: the configured region)")
	fl.StringArrayVar(&opts.RoleARNs, "role-arn", nil, "assume `ARN` through STS and check that account (repeatable)")
	fl.IntVar(&opts.Concurrency, "concurrency", cloud.DefaultFleetConcurrency, "API calls in flight per account and region (and at most this or 16, whichever is more, across them all)")
	opts.DB.register(cmd)
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(policyFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// policyReport is `policy check -o json`.
type policyReport struct {
	Policy   string           `json:"policy"`
	Findings []policy.Finding `json:"findings"`
	Summary  policy.Summary   `json:"summary"`
}

func policyCheckRun(ctx context.Context, opts *PolicyCheckOptions) error {
	pol, err := policy.ParseFile(ctx, opts.File)
	if err != nil {
		return cli.Usage(err)
	}
	targets, err := policyTargets(ctx, opts)
	if err != nil {
		return err
	}
	gopts := policy.GatherOptions{Concurrency: opts.Concurrency}
	if opts.Effective {
		gopts.Effective = &verifyGlobalsReader{common: opts.CommonOptions, db: opts.DB, targets: targets}
	}
	snaps, err := policy.Gather(ctx, pol, targets, gopts)
	if err != nil {
		return err
	}
	if err := pol.CheckNames(policy.KnownNames(snaps)); err != nil {
		return cli.Usage(err)
	}
	qualify := len(snaps) > 1
	// Nothing below Evaluate refers to the snapshots, so that the
	// collector can free them while the output is built.
	findings := policy.Evaluate(pol, snaps, policy.Options{Effective: opts.Effective})
	sum := policy.Summarize(findings, opts.Strict)
	groups := map[string]bool{}
	for _, f := range findings {
		groups[f.Account+"/"+f.Region+"/"+f.Group] = true
	}
	if len(groups) == 0 {
		opts.IO.Warnf("the policy selects no parameter group")
	}
	out := opts.IO.Out
	switch opts.Format {
	case policyFormatJUnit:
		err = policy.WriteJUnit(out, pol.Path, findings, opts.Strict)
	case policyFormatGitHub:
		err = policy.WriteGitHub(out, pol.Path, findings, opts.Strict)
	default:
		rep := policyReport{Policy: pol.Path, Findings: findings, Summary: sum}
		err = opts.IO.Print(ui.Format(opts.Format), rep, func() error {
			return printPolicyTable(opts.IO, findings, qualify)
		})
	}
	if err != nil {
		return err
	}
	groupsNoun := "groups"
	if len(groups) == 1 {
		groupsNoun = "group"
	}
	msg := fmt.Sprintf("%d checks in %d %s: %d ok, %d violation, %d not-applied, %d unresolved",
		len(findings), len(groups), groupsNoun, sum.OK, sum.Violation, sum.NotApplied, sum.Unresolved)
	if sum.Failing > 0 {
		return cli.Findings(sum.Failing, "policy %s: %d failing (%s)", pol.Path, sum.Failing, msg)
	}
	opts.IO.Successf("policy %s holds (%s)", pol.Path, msg)
	return nil
}

// printPolicyTable prints the findings grouped by group, as the findings
// are sorted: a group's rows are together, and the group is named on each
// row so that a piped table still greps by group.
func printPolicyTable(ios *ui.IOStreams, fs []policy.Finding, qualify bool) error {
	// FROM (where a cluster group's member gets the value it is held to:
	// its own DB group over the cluster group's) is a last column, only
	// when some finding has it (--effective on a cluster group), so that
	// the others keep their place.
	withFrom := false
	for _, f := range fs {
		withFrom = withFrom || f.From != ""
	}
	cols := []string{"GROUP", "PARAMETER", "RULE", "EXPECTED", "ACTUAL", "STATUS", "SEVERITY", "INSTANCES"}
	if withFrom {
		cols = append(cols, "FROM")
	}
	t := ios.NewTable(cols...)
	for _, f := range fs {
		group := f.Group
		if f.Kind == policy.KindCluster {
			group += " (cluster)"
		}
		if qualify {
			group = f.Account + "/" + f.Region + "/" + group
		}
		param := f.Parameter
		if param == "" {
			param = "-"
		}
		row := []string{group, param, f.Rule, f.Expected, f.Actual, string(f.Status), string(f.Severity), strings.Join(f.Instances, ",")}
		if withFrom {
			row = append(row, orDash(f.From))
		}
		t.AddRow(row...)
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, f := range fs {
		if f.Status != policy.StatusOK && f.Detail != "" {
			if f.From != "" { // a member's finding: name the member
				ios.Infof("%s %s %s on %s: %s", f.Group, f.Parameter, f.Rule, strings.Join(f.Instances, ","), f.Detail)
				continue
			}
			ios.Infof("%s %s %s: %s", f.Group, f.Parameter, f.Rule, f.Detail)
		}
	}
	return nil
}

// roleARNPattern is an IAM role ARN, arn:aws:iam::ACCOUNT:role/[PATH/]NAME,
// in any partition.
var roleARNPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`) })

// policyTargets builds an RDS client per account (the caller's own, or
// each --role-arn assumed through STS) and region (--regions, else the
// configured one).
func policyTargets(ctx context.Context, opts *PolicyCheckOptions) ([]policy.Target, error) {
	base, err := opts.AWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	regions := opts.Regions
	if len(regions) == 0 {
		regions = []string{base.Region}
	}
	type account struct {
		id    string
		creds aws.CredentialsProvider
	}
	accounts := []account{{creds: base.Credentials}}
	if len(opts.RoleARNs) > 0 {
		accounts = nil
		stsClient := sts.NewFromConfig(base)
		for _, arn := range opts.RoleARNs {
			creds := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, arn, func(o *stscreds.AssumeRoleOptions) {
				o.RoleSessionName = "rdsctl-policy-check"
			}))
			// Assumed up front, so that a role STS refuses is named as
			// such rather than surfacing inside the first RDS call.
			if _, err := creds.Retrieve(ctx); err != nil {
				return nil, fmt.Errorf("assuming %s: %w", arn, err)
			}
			accounts = append(accounts, account{id: cloud.AccountFromARN(arn), creds: creds})
		}
	}
	var out []policy.Target
	for _, a := range accounts {
		for _, r := range regions {
			cfg := base.Copy()
			cfg.Region = r
			cfg.Credentials = a.creds
			out = append(out, policy.Target{Account: a.id, Region: r, API: cloud.NewRDS(cfg)})
		}
	}
	return out, nil
}

// verifyGlobalsReader is the policy's EffectiveReader: verify.Globals
// finds the instance, resolves the login as `rdsctl verify` does, and
// reads every global at once over the non-interactive connection with its
// tight timeouts.
type verifyGlobalsReader struct {
	common  CommonOptions
	db      dbConnFlags
	targets []policy.Target
}

func (r *verifyGlobalsReader) api(account, region string) cloud.RDS {
	var fallback cloud.RDS
	for _, t := range r.targets {
		if t.Region != region {
			continue
		}
		if t.Account == account {
			return t.API
		}
		if t.Account == "" {
			fallback = t.API
		}
	}
	return fallback
}

// ReadGlobals implements policy.EffectiveReader.
func (r *verifyGlobalsReader) ReadGlobals(ctx context.Context, account, region, id string) (map[string]string, error) {
	api := r.api(account, region)
	if api == nil {
		return nil, fmt.Errorf("no client for account %s region %s", account, region)
	}
	awsCfg, err := r.common.AWSConfig(ctx)
	if err != nil {
		return nil, err
	}
	login := runtimeVerifyOptions(verify.Options{Login: r.db.login()}, r.common).Login
	return verify.Globals(ctx, api, awsCfg, id, login)
}

var _ policy.EffectiveReader = (*verifyGlobalsReader)(nil)
