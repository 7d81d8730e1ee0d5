package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/params"
)

// ParamsDiffOptions are the inputs of `params diff`. B empty means A's
// family's engine defaults.
type ParamsDiffOptions struct {
	CommonOptions
	A, B     string
	Cluster  bool
	ExitCode bool
}

// diffReport is the machine-readable form of `params diff`. B is the
// second group's name, or "engine-default" with Family set.
type diffReport struct {
	A           string           `json:"a"`
	B           string           `json:"b"`
	Family      string           `json:"family,omitempty"`
	Cluster     bool             `json:"cluster"`
	Differences []params.DiffRow `json:"differences"`
}

// engineDefaultSide names the B side of `params diff A`.
const engineDefaultSide = "engine-default"

// NewCmdParamsDiff builds `rdsctl params diff`.
func NewCmdParamsDiff(f *Factory, runF func(context.Context, *ParamsDiffOptions) error) *cobra.Command {
	opts := &ParamsDiffOptions{}
	cmd := &cobra.Command{
		Use:   "diff A [B]",
		Short: "Compare two groups, or a group with its family's engine defaults",
		Long: `Compare the parameters of two groups, or, without B, a group with its family's
engine defaults. Values are compared the way the server reads them: ON and 1,
64M and 67108864, or a reordered list are the same setting and never show.

With --exit-code, differences exit 3, for CI jobs that fail on drift.`,
		Example: `  rdsctl params diff staging
  rdsctl params diff staging production -o json`,
		Args: cobra.RangeArgs(1, 2),
	}
	cmd.Flags().BoolVar(&opts.ExitCode, "exit-code", false, "exit 3 when there are differences")
	addClusterFlag(cmd, &opts.Cluster)
	parse := func(args []string) error {
		var err error
		if opts.A, err = groupArg(args[0]); err != nil {
			return err
		}
		opts.B = ""
		if len(args) == 2 {
			opts.B, err = groupArg(args[1])
		}
		return err
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsDiffRun)
}

func paramsDiffRun(ctx context.Context, opts *ParamsDiffOptions) error {
	api, err := opts.groups(ctx, opts.Cluster)
	if err != nil {
		return err
	}
	rep := diffReport{A: opts.A, B: opts.B, Cluster: opts.Cluster}
	a, err := api.Parameters(ctx, opts.A, "")
	if err != nil {
		return err
	}
	var b []types.Parameter
	if opts.B != "" {
		b, err = api.Parameters(ctx, opts.B, "")
	} else {
		var g cloud.Group
		if g, err = api.Find(ctx, opts.A); err == nil {
			rep.B, rep.Family = engineDefaultSide, g.Family
			opts.IO.Progressf("comparing %s with the %s engine defaults (give a second group to compare two groups)", opts.A, g.Family)
			b, err = api.EngineDefaults(ctx, g.Family)
		}
	}
	if err != nil {
		return err
	}
	rep.Differences = params.Diff(a, b)
	if rep.Differences == nil {
		rep.Differences = []params.DiffRow{}
	}
	err = opts.IO.Print(opts.Format, rep, func() error {
		if len(rep.Differences) == 0 {
			opts.IO.Infof("no differences between %s and %s", rep.A, diffSideName(rep))
			return nil
		}
		t := opts.IO.NewTable("PARAMETER", rep.A, diffSideName(rep), "STATUS")
		for _, d := range rep.Differences {
			t.AddRow(d.Name, diffCell(d.A, d.SourceA, d.Status == params.DiffOnlyB), diffCell(d.B, d.SourceB, d.Status == params.DiffOnlyA), string(d.Status))
		}
		return t.Render()
	})
	if err != nil {
		return err
	}
	if opts.ExitCode && len(rep.Differences) > 0 {
		n := len(rep.Differences)
		verb := "differ"
		if n == 1 {
			verb = "differs"
		}
		return cli.Findings(n, "%s %s between %s and %s", plural(n, "parameter"), verb, rep.A, diffSideName(rep))
	}
	return nil
}

func diffSideName(rep diffReport) string {
	if rep.Family != "" {
		return rep.Family + " engine defaults"
	}
	return rep.B
}

// diffCell shows a value with its source, which is usually the reader's
// next question; "(absent)" when the side lacks the parameter altogether,
// "engine default" when it has no value (as RDS reports most defaults).
func diffCell(v, source string, absent bool) string {
	if absent {
		return "(absent)"
	}
	if v == "" && (source == "" || source == cloud.SourceEngineDefault) {
		return paramValue(v, source)
	}
	v = orDash(v)
	if source != "" {
		v += " (" + source + ")"
	}
	return v
}
