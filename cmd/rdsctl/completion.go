package main

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cloud"
)

// completionTimeout bounds every API call a <TAB> makes: a shell that
// hangs on a slow or unreachable endpoint is worse than no completion.
const completionTimeout = 2 * time.Second

// knownFamilies are offered for --family even before any group of the
// family exists (AWS creates default.FAMILY groups only on first use).
var knownFamilies = []string{"mariadb10.11", "mariadb10.6", "mariadb11.4", "mysql8.0", "mysql8.4", "aurora-mysql8.0"}

// What a positional argument or flag names, for completion.
type nameKind int

const (
	kindNone nameKind = iota
	kindGroup
	kindInstance
	kindParamAssign // P=V, P from the group named by the first argument
	kindParam       // P, from the group named by the first argument
)

// argKinds says what each positional argument of a command names, by
// command path; the last entry repeats for further arguments. (Slices,
// not maps: a package-level map is built at every start-up.)
var argKinds = []struct {
	path  string
	kinds []nameKind
}{
	{"rdsctl status", []nameKind{kindInstance, kindNone}},
	{"rdsctl wait", []nameKind{kindInstance, kindNone}},
	{"rdsctl verify", []nameKind{kindInstance, kindNone}},
	{"rdsctl reboot", []nameKind{kindInstance, kindNone}},
	{"rdsctl failover", []nameKind{kindInstance, kindNone}},
	{"rdsctl lab maintenance", []nameKind{kindInstance, kindNone}},
	{"rdsctl params show", []nameKind{kindGroup, kindNone}},
	{"rdsctl params delete", []nameKind{kindGroup, kindNone}},
	{"rdsctl params attach", []nameKind{kindGroup, kindNone}},
	{"rdsctl params converge", []nameKind{kindGroup, kindNone}},
	{"rdsctl params copy", []nameKind{kindGroup, kindNone}},
	{"rdsctl params diff", []nameKind{kindGroup, kindGroup, kindNone}},
	{"rdsctl params export", []nameKind{kindGroup}},
	{"rdsctl params set", []nameKind{kindGroup, kindParamAssign}},
	{"rdsctl params reset", []nameKind{kindGroup, kindParam}},
}

// flagKinds says what a flag's value names, by flag name, on every
// command that has the flag with a string value.
var flagKinds = []struct {
	name string
	kind nameKind
}{
	{"instance", kindInstance},
	{"group", kindGroup},
}

// argKindsOf is argKinds' entry for a command path.
func argKindsOf(path string) ([]nameKind, bool) {
	for _, a := range argKinds {
		if a.path == path {
			return a.kinds, true
		}
	}
	return nil, false
}

// addNameCompletion completes real names, asked of the API with a short
// timeout, as gh and kubectl do: parameter groups, DB instances, the
// parameters of the group being edited, and families. It is attached
// over the whole tree once it is built, so that the command files stay
// free of it.
func addNameCompletion(root *cobra.Command, f *Factory) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if kinds, ok := argKindsOf(c.CommandPath()); ok && c.ValidArgsFunction == nil {
			c.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				kind := kinds[min(len(args), len(kinds)-1)]
				return completeNames(cmd, f, kind, args, toComplete)
			}
		}
		for _, fk := range flagKinds {
			name, kind := fk.name, fk.kind
			if fl := c.LocalFlags().Lookup(name); fl != nil && fl.Value.Type() == "string" {
				_ = c.RegisterFlagCompletionFunc(name, func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
					return completeNames(cmd, f, kind, args, toComplete)
				})
			}
		}
		if fl := c.LocalFlags().Lookup("family"); fl != nil {
			_ = c.RegisterFlagCompletionFunc("family", func(cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				return completeFamilies(cmd, f, toComplete)
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// completeNames lists the names of kind that start with toComplete, each
// with a short description. Any failure (no credentials, no endpoint, a
// timeout) completes nothing rather than printing an error into the
// user's command line.
func completeNames(cmd *cobra.Command, f *Factory, kind nameKind, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	if kind == kindNone {
		return nil, none
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), completionTimeout)
	defer cancel()
	api, err := f.RDS(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	var out []string
	switch kind {
	case kindInstance:
		ins, err := cloud.AllInstances(ctx, api)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		for _, in := range ins {
			out = append(out, aws.ToString(in.DBInstanceIdentifier)+"\t"+aws.ToString(in.DBInstanceStatus))
		}
	case kindGroup:
		gs, err := (cloud.Groups{API: api, Cluster: clusterFlag(cmd)}).List(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		for _, g := range gs {
			out = append(out, g.Name+"\t"+g.Family)
		}
	case kindParam, kindParamAssign:
		if len(args) == 0 {
			return nil, none
		}
		if kind == kindParamAssign && strings.Contains(toComplete, "=") {
			return nil, none // the value is the user's
		}
		ps, err := (cloud.Groups{API: api, Cluster: clusterFlag(cmd)}).Parameters(ctx, strings.ToLower(args[0]), "")
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		for _, p := range ps {
			if !aws.ToBool(p.IsModifiable) {
				continue
			}
			name := aws.ToString(p.ParameterName)
			if kind == kindParamAssign {
				name += "="
			}
			now := aws.ToString(p.ParameterValue)
			if p.ParameterValue == nil {
				now = "engine default" // AWS gives most defaults no value
			}
			out = append(out, name+"\t"+aws.ToString(p.ApplyType)+", now "+now)
		}
		if kind == kindParamAssign {
			none |= cobra.ShellCompDirectiveNoSpace
		}
	}
	return withPrefix(out, toComplete), none
}

// completeFamilies offers the families of the groups that exist and the
// common ones, without a call when none can be made.
func completeFamilies(cmd *cobra.Command, f *Factory, toComplete string) ([]string, cobra.ShellCompDirective) {
	seen := map[string]bool{}
	for _, fam := range knownFamilies {
		seen[fam] = true
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), completionTimeout)
	defer cancel()
	if api, err := f.RDS(ctx); err == nil {
		if gs, err := (cloud.Groups{API: api, Cluster: clusterFlag(cmd)}).List(ctx); err == nil {
			for _, g := range gs {
				seen[g.Family] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for fam := range seen {
		out = append(out, fam)
	}
	sort.Strings(out)
	return withPrefix(out, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// clusterFlag reports whether the command's boolean --cluster is set (the
// params commands' switch to cluster parameter groups).
func clusterFlag(cmd *cobra.Command) bool {
	fl := cmd.Flags().Lookup("cluster")
	return fl != nil && fl.Value.Type() == "bool" && fl.Value.String() == "true"
}

// withPrefix keeps the candidates ("name" or "name\tdescription") whose
// name starts with prefix, case-insensitively as RDS names compare.
func withPrefix(cands []string, prefix string) []string {
	out := []string{}
	p := strings.ToLower(prefix)
	for _, c := range cands {
		if strings.HasPrefix(strings.ToLower(c), p) {
			out = append(out, c)
		}
	}
	return out
}
