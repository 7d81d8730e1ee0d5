package main

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
)

// showSources are the --source values: the API's three plus "all".
var showSources = []string{cloud.SourceUser, cloud.SourceSystem, cloud.SourceEngineDefault, cloud.SourceAll}

// ParamsShowOptions are the inputs of `params show`.
type ParamsShowOptions struct {
	CommonOptions
	Name    string
	Source  string
	Cluster bool
}

// shownParam is one row of `params show`; its JSON keys are the contract.
type shownParam struct {
	Name          string `json:"name"`
	Value         string `json:"value"`
	ApplyType     string `json:"apply_type"`
	DataType      string `json:"data_type"`
	AllowedValues string `json:"allowed_values"`
	IsModifiable  bool   `json:"is_modifiable"`
	Source        string `json:"source"`
	ApplyMethod   string `json:"apply_method"`
}

// NewCmdParamsShow builds `rdsctl params show`.
func NewCmdParamsShow(f *Factory, runF func(context.Context, *ParamsShowOptions) error) *cobra.Command {
	opts := &ParamsShowOptions{}
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a group's parameters (default: the user-set ones)",
		Long: `Show a group's parameters: name, value, apply type, data type, allowed
values, whether it is modifiable, its source and its apply method.

--source user (the default) shows what somebody set; system and engine-default
show what RDS chose; all shows every parameter.`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&opts.Source, "source", cloud.SourceUser, "which parameters: "+strings.Join(showSources, "|"))
	_ = cmd.RegisterFlagCompletionFunc("source", cobra.FixedCompletions(showSources, cobra.ShellCompDirectiveNoFileComp))
	addClusterFlag(cmd, &opts.Cluster)
	parse := func(args []string) error {
		var err error
		if opts.Name, err = groupArg(args[0]); err != nil {
			return err
		}
		opts.Source = strings.ToLower(strings.TrimSpace(opts.Source))
		for _, s := range showSources {
			if opts.Source == s {
				return nil
			}
		}
		return cli.Usagef("invalid --source %q: want one of %s", opts.Source, strings.Join(showSources, ", "))
	}
	return newCmd(f, cmd, opts, &opts.CommonOptions, parse, runF, paramsShowRun)
}

func paramsShowRun(ctx context.Context, opts *ParamsShowOptions) error {
	api, err := opts.groups(ctx, opts.Cluster)
	if err != nil {
		return err
	}
	ps, err := api.Parameters(ctx, opts.Name, opts.Source)
	if err != nil {
		return err
	}
	rows := shownParams(ps)
	return opts.IO.Print(opts.Format, rows, func() error {
		if len(rows) == 0 {
			if opts.Source == cloud.SourceUser {
				opts.IO.Infof("no user-set parameters in %s (--source all shows every parameter)", opts.Name)
			} else {
				opts.IO.Infof("no %s parameters in %s", opts.Source, opts.Name)
			}
			return nil
		}
		// One long value (optimizer_switch, a list's allowed values) would
		// widen its column for every row; on a terminal it is shortened,
		// piped and in JSON it is whole.
		cell := func(s string) string { return s }
		if opts.IO.IsStdoutTTY {
			cell = func(s string) string { return ellipsize(s, maxCellWidth) }
		}
		t := opts.IO.NewTable("NAME", "VALUE", "SOURCE", "APPLY TYPE", "DATA TYPE", "MODIFIABLE", "APPLY METHOD", "ALLOWED VALUES")
		for _, p := range rows {
			mod := "no"
			if p.IsModifiable {
				mod = "yes"
			}
			t.AddRow(p.Name, cell(paramValue(p.Value, p.Source)), p.Source, p.ApplyType, p.DataType, mod, p.ApplyMethod, cell(p.AllowedValues))
		}
		return t.Render()
	})
}

// shownParams converts and sorts by name; never nil, so JSON is [] for
// an empty result.
func shownParams(ps []types.Parameter) []shownParam {
	rows := make([]shownParam, 0, len(ps))
	for _, p := range ps {
		rows = append(rows, shownParam{
			Name:          aws.ToString(p.ParameterName),
			Value:         aws.ToString(p.ParameterValue),
			ApplyType:     aws.ToString(p.ApplyType),
			DataType:      aws.ToString(p.DataType),
			AllowedValues: aws.ToString(p.AllowedValues),
			IsModifiable:  aws.ToBool(p.IsModifiable),
			Source:        aws.ToString(p.Source),
			ApplyMethod:   string(p.ApplyMethod),
		})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	return rows
}

// maxCellWidth bounds a value column on a terminal, in runes.
const maxCellWidth = 40

// ellipsize shortens s to at most n runes, marking the cut with "…".
func ellipsize(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
