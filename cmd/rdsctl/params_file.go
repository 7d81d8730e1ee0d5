package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/ui"
	"github.com/rdsctl/rdsctl/params"
)

// ParamsExportOptions are the inputs of `params export`.
type ParamsExportOptions struct {
	CommonOptions
	Names   []string
	Cluster bool
}

// NewCmdParamsExport builds `rdsctl params export`.
func NewCmdParamsExport(f *Factory, runF func(context.Context, *ParamsExportOptions) error) *cobra.Command {
	opts := &ParamsExportOptions{}
	cmd := &cobra.Command{
		Use:   "export NAME [NAME...]",
		Short: "Write groups as a desired-state file that 'params apply -f' reads",
		Long: `Write groups as a desired-state YAML file: name, family, description and the
user-set parameters, which are the ones somebody chose. 'rdsctl params apply -f'
reads it back; applying an unedited export changes nothing.

A parameter whose value is equal to the engine default is not user-set, so it is
not exported, even when it was modified to that value: equal to the engine
default: AWS keeps it as a default, so a changed default will move it.

-o json writes the same content as JSON; apply -f reads both.`,
		Example: `  rdsctl params export staging > staging.yaml`,
		Args:    cobra.MinimumNArgs(1),
	}
	addClusterFlag(cmd, &opts.Cluster)
	parse := func(args []string) error {
		opts.Names = nil
		for _, a := range args {
			name, err := groupArg(a)
			if err != nil {
				return err
			}
			opts.Names = append(opts.Names, name)
		}
		return nil
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsExportRun)
}

func paramsExportRun(ctx context.Context, opts *ParamsExportOptions) error {
	api, err := opts.groups(ctx, opts.Cluster)
	if err != nil {
		return err
	}
	file := &params.File{}
	seen := map[string]bool{}
	for _, name := range opts.Names {
		if seen[name] {
			continue
		}
		seen[name] = true
		g, err := api.Find(ctx, name)
		if err != nil {
			return err
		}
		ps, err := api.Parameters(ctx, g.Name, cloud.SourceUser)
		if err != nil {
			return err
		}
		file.Groups = append(file.Groups, params.Export(g.Name, g.Family, g.Description, opts.Cluster, ps))
	}
	if opts.Format == ui.FormatJSON {
		return opts.IO.PrintJSON(file)
	}
	// The table and yaml formats are both the file itself: a generic YAML
	// rendering of the JSON would be a different, unreadable format.
	b, err := file.Marshal()
	if err != nil {
		return fmt.Errorf("writing desired-state file: %w", err)
	}
	_, err = opts.IO.Out.Write(b)
	return err
}

// ParamsApplyOptions are the inputs of `params apply`.
type ParamsApplyOptions struct {
	CommonOptions
	File   string
	DryRun bool
	Apply  params.ApplyMode
}

// NewCmdParamsApply builds `rdsctl params apply`, which may reset
// parameters and so asks on a terminal and needs --yes off one.
func NewCmdParamsApply(f *Factory, runF func(context.Context, *ParamsApplyOptions) error) *cobra.Command {
	opts := &ParamsApplyOptions{}
	var apply string
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Make groups match a desired-state file (asks first; --yes off a terminal)",
		Long: `Make RDS match a desired-state file: create missing groups, set the parameters
whose values differ, and reset user-set parameters the file does not list.

The whole file is validated first, every problem reported at its line, and
nothing is sent unless all of it is valid. Running it a second time changes
nothing. FILE - reads standard input.`,
		Example: `  rdsctl params apply -f staging.yaml --dry-run
  rdsctl params apply -f staging.yaml --yes`,
		Args: cobra.NoArgs,
	}
	cmd.Flags().StringVarP(&opts.File, "file", "f", "", "desired-state file (YAML), - for stdin (required)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the plan and send nothing")
	cmd.Flags().StringVar(&apply, "apply", string(params.ApplyAuto), "when changes take effect: auto|immediate|pending-reboot")
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
	_ = cmd.RegisterFlagCompletionFunc("apply", applyModeCompletion)
	parse := func([]string) error {
		mode, err := params.ParseApplyMode(apply)
		if err != nil {
			return cli.Usage(err)
		}
		opts.Apply = mode
		return nil
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsApplyRun)
}

// fileReport is the machine-readable result of `params apply`.
type fileReport struct {
	File    string              `json:"file"`
	Actions []params.FileAction `json:"actions"`
	outcome
}

func paramsApplyRun(ctx context.Context, opts *ParamsApplyOptions) error {
	ios := opts.IO
	file, err := params.ParseFile(ctx, opts.File, ios.In)
	if err != nil && ctx.Err() != nil {
		return err // interrupted while reading: nothing was sent
	}
	if err != nil {
		// Bad content or an unreadable file: either way bad input, exit 2.
		return cli.Usage(refusedOr(ios, err))
	}
	if err := checkFileGroups(file); err != nil {
		return refused(ios, err)
	}
	api, err := opts.RDS(ctx)
	if err != nil {
		return err
	}
	actions, defaulted, err := planFile(ctx, api, file, opts.Apply)
	if err != nil {
		return refusedOr(ios, err)
	}
	for _, d := range defaulted {
		ios.Warnf("%s: %s=%s: %s", d.Group, d.Name, d.Value, params.EngineDefaultNote)
	}
	rep := &fileReport{File: file.Path, Actions: actions, outcome: outcome{DryRun: opts.DryRun}}
	if rep.Actions == nil {
		rep.Actions = []params.FileAction{}
	}
	if opts.Format == ui.FormatTable && len(actions) > 0 {
		if err := printFilePlan(ios, actions); err != nil {
			return err
		}
	}
	pending := false
	for _, a := range actions {
		if a.Plan == nil {
			ios.Progressf("create %s %s (family %s)", cloud.Groups{Cluster: a.Cluster}.Noun(), a.Group, a.Family)
			continue
		}
		pending = pending || pendingReboot(a.Plan)
		summarizePlan(ios, cloud.Groups{Cluster: a.Cluster}, a.Plan)
	}
	rep.UsedBy, rep.NeedsReboot, rep.converge = fileUsers(ctx, ios, api, actions)
	what := fmt.Sprintf("%s (%s on %s)", file.Path, plural(len(actions), "action"), plural(countGroups(actions), "group"))
	return deliver(opts.CommonOptions, rep, &rep.outcome, delivery{
		empty:   len(actions) == 0,
		nothing: "nothing to change: every group in " + file.Path + " matches",
		confirm: "apply " + what,
		done:    "applied " + what,
		pending: pending,
		send: func() error {
			return params.ApplyActions(ctx, cloud.GroupWriter{API: api}, actions, chunkProgress(ios))
		},
	})
}

func countGroups(actions []params.FileAction) int {
	seen := map[params.GroupID]bool{}
	for _, a := range actions {
		seen[params.GroupID{Name: strings.ToLower(a.Group), Cluster: a.Cluster}] = true
	}
	return len(seen)
}

// fileUsers reports who uses the groups a file plan touches, one lookup
// per kind of group, which of them must reboot afterwards, and the
// commands that restart them.
func fileUsers(ctx context.Context, ios *ui.IOStreams, api cloud.RDS, actions []params.FileAction) (users []groupUser, reboot, cmds []string) {
	for _, cluster := range []bool{false, true} {
		names, pending := map[string]bool{}, map[string]bool{}
		for _, a := range actions {
			if a.Cluster != cluster {
				continue
			}
			n := strings.ToLower(a.Group)
			names[n] = true
			pending[n] = pending[n] || (a.Plan != nil && pendingReboot(a.Plan))
		}
		if len(names) == 0 {
			continue
		}
		us, ok := lookupUsers(ctx, ios, cloud.Groups{API: api, Cluster: cluster}, names)
		reportUsers(ios, us, ok, true)
		if ok {
			users = append(users, us...)
		}
		ids, cs := needsReboot(us, pending)
		reboot, cmds = append(reboot, ids...), append(cmds, cs...)
	}
	return users, reboot, cmds
}

// checkFileGroups refuses, before any call, groups that no file can make
// true: default groups (RDS refuses to change them) and names RDS would
// refuse to create.
func checkFileGroups(file *params.File) error {
	var problems []params.Problem
	for _, g := range file.Groups {
		switch {
		case refuseDefault(strings.ToLower(g.Name), "modified") != nil:
			problems = append(problems, params.Problem{Kind: params.ProblemNotModifiable, Group: g.Name,
				Reason: "a default parameter group cannot be modified; name a group of your own (in " + file.Path + ")"})
		case checkNewGroupName(g.Name) != nil:
			problems = append(problems, params.Problem{Kind: params.ProblemInvalidValue, Group: g.Name, Value: g.Name,
				Reason: "invalid group name: a letter first, then letters, digits and single hyphens, no hyphen last (in " + file.Path + ")"})
		}
	}
	if len(problems) > 0 {
		return &params.ValidationError{Problems: problems}
	}
	return nil
}

// planFile fetches what PlanFile needs about every group in the file (an
// existing group's parameters, all sources; for one to be created, its
// family's engine defaults) and plans. A family RDS does not know is
// refused like any other bad input, together with the problems PlanFile
// finds in the other groups, so that one run reports everything.
func planFile(ctx context.Context, api cloud.RDS, file *params.File, mode params.ApplyMode) ([]params.FileAction, []params.DefaultValued, error) {
	state := map[params.GroupID]params.GroupState{}
	known := &params.File{Path: file.Path}
	var problems []params.Problem
	// Engine defaults once per family and kind, not once per new group: a
	// file of 200 new groups of one family was 1,200 calls more.
	type familyKey struct {
		family  string
		cluster bool
	}
	defaults := map[familyKey][]types.Parameter{}
	for _, spec := range file.Groups {
		ga := cloud.Groups{API: api, Cluster: spec.Cluster}
		name := strings.ToLower(spec.Name)
		g, err := ga.Find(ctx, name)
		switch {
		case err == nil:
			ps, err := ga.Parameters(ctx, name, "")
			if err != nil {
				return nil, nil, err
			}
			state[spec.ID()] = params.GroupState{Exists: true, Family: g.Family, Parameters: ps}
		case cloud.IsNotFound(err):
			key := familyKey{strings.ToLower(spec.Family), spec.Cluster}
			defs, ok := defaults[key]
			err = nil
			if !ok {
				defs, err = ga.EngineDefaults(ctx, spec.Family)
			}
			if cloud.IsInvalidParameter(err) || cloud.IsNotFound(err) {
				problems = append(problems, params.Problem{Kind: params.ProblemFamily, Group: spec.Name, Value: spec.Family,
					Reason: fmt.Sprintf("unknown family %s (in %s): %s", spec.Family, file.Path, cloud.Message(err))})
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			defaults[key] = defs
			state[spec.ID()] = params.GroupState{Parameters: defs}
		default:
			return nil, nil, err
		}
		known.Groups = append(known.Groups, spec)
	}
	actions, err := params.PlanFile(known, state, mode)
	var ve *params.ValidationError
	switch {
	case errors.As(err, &ve):
		problems = append(problems, ve.Problems...)
	case err != nil:
		return nil, nil, err
	}
	if len(problems) > 0 {
		return nil, nil, &params.ValidationError{Problems: problems}
	}
	return actions, params.EngineDefaulted(known, state), nil
}

// printFilePlan writes the file plan's table: a create row per new group,
// then each change and reset plan's rows.
func printFilePlan(ios *ui.IOStreams, actions []params.FileAction) error {
	t := ios.NewTable(append([]string{"GROUP", "ACTION"}, planHeaders...)...)
	for _, a := range actions {
		if a.Plan == nil {
			t.AddRow(a.Group, string(a.Kind), "-", "-", "-", "family "+a.Family, "-", "-")
			continue
		}
		for _, r := range planRows(a.Plan) {
			t.AddRow(append([]string{a.Group, string(a.Kind)}, r...)...)
		}
	}
	return t.Render()
}
