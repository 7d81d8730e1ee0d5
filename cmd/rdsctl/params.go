package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/params"
)

// NewCmdParams builds `rdsctl params`: DB and DB cluster parameter groups,
// edited safely. The verbs are thin: they fetch what the params library
// needs, let it validate and plan, print the plan, and send it.
func NewCmdParams(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "params",
		Short: "Create, inspect and change RDS parameter groups safely",
		Long: `Create, inspect and change DB parameter groups (and, with --cluster, DB cluster
parameter groups).

Every change is validated against the group's own metadata before anything is
sent: an unknown name (with the nearest valid one), a value outside the
allowed ones, or --apply immediate on a static parameter is refused with exit
code 2 and no change. Changes go out in calls of at most 20 parameters,
co-dependent parameters together, values already set skipped. A failure
part-way says exactly which calls landed; running the command again finishes
the job.

Commands that change or delete a group ask first on a terminal and need
--yes off one.`,
		Example: `  rdsctl params create staging --family mariadb10.11
  rdsctl params set staging wait_timeout=300 max_connections=500 --dry-run
  rdsctl params diff staging
  rdsctl params export staging > staging.yaml
  rdsctl params apply -f staging.yaml --yes`,
	}
	cmd.AddCommand(
		NewCmdParamsList(f, nil),
		NewCmdParamsCreate(f, nil),
		NewCmdParamsShow(f, nil),
		NewCmdParamsSet(f, nil),
		NewCmdParamsReset(f, nil),
		NewCmdParamsDiff(f, nil),
		NewCmdParamsCopy(f, nil),
		NewCmdParamsDelete(f, nil),
		NewCmdParamsExport(f, nil),
		NewCmdParamsApply(f, nil),
		NewCmdParamsAttach(f, nil),
		NewCmdParamsConverge(f, nil),
	)
	return cmd
}

func addClusterFlag(cmd *cobra.Command, cluster *bool) {
	cmd.Flags().BoolVar(cluster, "cluster", false, "a DB cluster parameter group (Aurora, Multi-AZ DB clusters)")
}

// groupName normalises a group name: RDS names are case-insensitive and
// stored lowercase, and the finds compare exactly.
func groupName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// groupArg is groupName for a required argument. Only the characters a
// name can have (default groups add ".") pass, so that an empty or
// mangled argument is a usage error, not an API one.
func groupArg(s string) (string, error) {
	name := groupName(s)
	if !existingGroupName(name) {
		return "", cli.Usagef("invalid parameter group name %q: letters, digits, hyphens and dots, at most 255", s)
	}
	return name, nil
}

// existingGroupName: 1 to 255 of lower-case letters, digits, '.' and '-'
// (a loop, not a regexp: every group command checks one, and compiling a
// regexp costs more than the check).
func existingGroupName(name string) bool {
	if len(name) == 0 || len(name) > 255 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// groupNamePattern is RDS's rule for a new group's name: a letter first,
// then letters, digits and single hyphens, no hyphen last.
var groupNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z](?:-?[a-zA-Z0-9])*$`) })

func checkNewGroupName(name string) error {
	if len(name) > 255 || !groupNamePattern().MatchString(name) {
		return cli.Usagef("invalid parameter group name %q: a letter first, then letters, digits and single hyphens, no hyphen last, at most 255", name)
	}
	return nil
}

// refuseDefault stops a change to a default group before any call: RDS
// refuses them, and saying what to do instead is more use than its error.
// verb is "modified" or "deleted".
func refuseDefault(name, verb string) error {
	if !strings.HasPrefix(name, "default.") && name != "default" {
		return nil
	}
	if verb == "deleted" {
		return cli.Usagef("%s is a default parameter group, which cannot be deleted", name)
	}
	return cli.Usagef("%s is a default parameter group, which cannot be %s; create a group of its family and change that (rdsctl params create NEW-NAME --family FAMILY)", name, verb)
}

// refused reports input the params library rejected before anything was
// sent: every problem on a line of its own, exit 2, no --help hint (the
// problem is in the values, not in how the command was typed).
func refused(ios *ui.IOStreams, err error) error {
	var ve *params.ValidationError
	if errors.As(err, &ve) && len(ve.Problems) > 1 {
		ios.ErrorLine(fmt.Sprintf("%d invalid parameter changes; nothing was sent:", len(ve.Problems)))
		for _, p := range ve.Problems {
			fmt.Fprintf(ios.ErrOut, "  %s\n", p)
		}
	} else {
		ios.ErrorLine(err.Error())
	}
	return cli.Silent(cli.Usage(err))
}

// ParamsListOptions are the inputs of `params list`.
type ParamsListOptions struct {
	CommonOptions
	Family  string
	Cluster bool
}

// NewCmdParamsList builds `rdsctl params list`.
func NewCmdParamsList(f *Factory, runF func(context.Context, *ParamsListOptions) error) *cobra.Command {
	opts := &ParamsListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List parameter groups: name, family, description",
		Args:  cobra.NoArgs,
	}
	cmd.Flags().StringVar(&opts.Family, "family", "", "only groups of this family, e.g. mariadb10.11")
	addClusterFlag(cmd, &opts.Cluster)
	parse := func([]string) error {
		// list filters case-insensitively; the shape is still checked.
		if opts.Family = strings.TrimSpace(opts.Family); opts.Family != "" {
			if err := checkFamilyArg(strings.ToLower(opts.Family), opts.Cluster); err != nil {
				if e := checkFamilyArg(opts.Family, opts.Cluster); e != nil {
					return e // names the family as typed
				}
				return err
			}
		}
		return nil
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsListRun)
}

func paramsListRun(ctx context.Context, opts *ParamsListOptions) error {
	api, err := opts.groups(ctx, opts.Cluster)
	if err != nil {
		return err
	}
	all, err := api.List(ctx)
	if err != nil {
		return err
	}
	groups := []paramGroup{}
	for _, g := range all {
		if opts.Family == "" || strings.EqualFold(g.Family, opts.Family) {
			groups = append(groups, paramGroup(g))
		}
	}
	return opts.IO.Print(opts.Format, groups, func() error {
		if len(groups) == 0 {
			opts.IO.Infof("no %ss", api.Noun())
			return nil
		}
		t := opts.IO.NewTable("NAME", "FAMILY", "DESCRIPTION")
		for _, g := range groups {
			t.AddRow(g.Name, g.Family, g.Description)
		}
		return t.Render()
	})
}

// ParamsCreateOptions are the inputs of `params create`.
type ParamsCreateOptions struct {
	CommonOptions
	Name        string
	Family      string
	Description string
	Cluster     bool
}

// NewCmdParamsCreate builds `rdsctl params create`. Creating asks nothing:
// a new group changes no running database until it is attached.
func NewCmdParamsCreate(f *Factory, runF func(context.Context, *ParamsCreateOptions) error) *cobra.Command {
	opts := &ParamsCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create NAME --family F",
		Short: "Create a parameter group",
		Args:  cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&opts.Family, "family", "", "parameter group family, e.g. mariadb10.11, mysql8.0, aurora-mysql8.0 (required)")
	cmd.Flags().StringVar(&opts.Description, "description", "", "description (default: the name)")
	_ = cmd.MarkFlagRequired("family")
	addClusterFlag(cmd, &opts.Cluster)
	parse := func(args []string) error {
		opts.Name = strings.TrimSpace(args[0])
		opts.Family = strings.TrimSpace(opts.Family)
		if opts.Family == "" {
			return cli.Usagef("--family must not be empty")
		}
		if opts.Description == "" {
			opts.Description = opts.Name // RDS requires one
		}
		if err := checkNewGroupName(opts.Name); err != nil {
			return err
		}
		if err := checkDescription(opts.Description); err != nil {
			return err
		}
		return checkFamilyArg(opts.Family, opts.Cluster)
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsCreateRun)
}

// checkDescription refuses a --description with control characters (a
// pasted escape sequence, a newline): it would show up garbled in every
// listing, here and in the console.
func checkDescription(d string) error {
	if i := strings.IndexFunc(d, unicode.IsControl); i >= 0 {
		return cli.Usagef("invalid --description: control character %q at byte %d", []rune(d[i:])[0], i)
	}
	return nil
}

func paramsCreateRun(ctx context.Context, opts *ParamsCreateOptions) error {
	api, err := opts.groups(ctx, opts.Cluster)
	if err != nil {
		return err
	}
	g, err := api.Create(ctx, cloud.Group{Name: opts.Name, Family: opts.Family, Description: opts.Description})
	if err != nil {
		return err
	}
	opts.IO.Successf("created %s %s (family %s)", api.Noun(), g.Name, g.Family)
	return printGroup(opts.CommonOptions, paramGroup(g))
}

// printGroup writes a created or copied group: its name alone for the
// table format, so that scripts can capture it, or the whole record.
func printGroup(c CommonOptions, g paramGroup) error {
	return c.IO.Print(c.Format, g, func() error {
		_, err := fmt.Fprintln(c.IO.Out, g.Name)
		return err
	})
}

// ParamsCopyOptions are the inputs of `params copy`.
type ParamsCopyOptions struct {
	CommonOptions
	Source      string
	Target      string
	Description string
	Cluster     bool
}

// NewCmdParamsCopy builds `rdsctl params copy`. Like create, it asks
// nothing: the copy is new and the source is only read.
func NewCmdParamsCopy(f *Factory, runF func(context.Context, *ParamsCopyOptions) error) *cobra.Command {
	opts := &ParamsCopyOptions{}
	cmd := &cobra.Command{
		Use:   "copy SRC DST",
		Short: "Copy a parameter group, with its user-set values, to a new group",
		Long: `Copy a parameter group, with its user-set values, to a new group. SRC may be a
name or an ARN. RDS does not copy default groups: create a group of the same
family instead, which starts from the same defaults.`,
		Args: cobra.ExactArgs(2),
	}
	cmd.Flags().StringVar(&opts.Description, "description", "", "description of the copy (default: \"copy of SRC\")")
	addClusterFlag(cmd, &opts.Cluster)
	parse := func(args []string) error {
		opts.Source, opts.Target = strings.TrimSpace(args[0]), strings.TrimSpace(args[1])
		if !strings.HasPrefix(opts.Source, "arn:") {
			var err error
			if opts.Source, err = groupArg(opts.Source); err != nil {
				return err
			}
		}
		if opts.Description == "" {
			opts.Description = "copy of " + opts.Source
		}
		if err := checkDescription(opts.Description); err != nil {
			return err
		}
		if strings.EqualFold(opts.Source, opts.Target) {
			return cli.Usagef("cannot copy parameter group %s onto itself: name a new group", opts.Target)
		}
		return checkNewGroupName(opts.Target)
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsCopyRun)
}

func paramsCopyRun(ctx context.Context, opts *ParamsCopyOptions) error {
	api, err := opts.groups(ctx, opts.Cluster)
	if err != nil {
		return err
	}
	g, err := api.Copy(ctx, opts.Source, opts.Target, opts.Description)
	if err != nil {
		return err
	}
	opts.IO.Successf("copied %s %s to %s", api.Noun(), opts.Source, g.Name)
	return printGroup(opts.CommonOptions, paramGroup(g))
}

// ParamsDeleteOptions are the inputs of `params delete`.
type ParamsDeleteOptions struct {
	CommonOptions
	Name    string
	Cluster bool
	DryRun  bool
}

// NewCmdParamsDelete builds `rdsctl params delete`, a destructive command:
// it asks on a terminal and needs --yes off one.
func NewCmdParamsDelete(f *Factory, runF func(context.Context, *ParamsDeleteOptions) error) *cobra.Command {
	opts := &ParamsDeleteOptions{}
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a parameter group (asks first; --yes off a terminal)",
		Args:  cobra.ExactArgs(1),
	}
	addClusterFlag(cmd, &opts.Cluster)
	addDryRunFlag(cmd, &opts.DryRun)
	parse := func(args []string) error {
		var err error
		if opts.Name, err = groupArg(args[0]); err != nil {
			return err
		}
		return refuseDefault(opts.Name, "deleted")
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsDeleteRun)
}

func paramsDeleteRun(ctx context.Context, opts *ParamsDeleteOptions) error {
	api, err := opts.groups(ctx, opts.Cluster)
	if err != nil {
		return err
	}
	// Look first, so that a typo fails plainly instead of asking to
	// delete something that is not there.
	if _, err := api.Find(ctx, opts.Name); err != nil {
		return err
	}
	if opts.DryRun {
		return deleteDryRun(ctx, opts, api)
	}
	if err := opts.IO.Confirm("delete " + api.Noun() + " " + opts.Name); err != nil {
		return err
	}
	if err := api.Delete(ctx, opts.Name); err != nil {
		if cloud.IsInvalidState(err) {
			return fmt.Errorf("%w (detach it from every instance or cluster first)", err)
		}
		return err
	}
	opts.IO.Successf("deleted %s %s", api.Noun(), opts.Name)
	return nil
}
