package params

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// GroupState is what PlanFile needs to know about one group as it is now.
type GroupState struct {
	Exists bool
	Family string
	// Parameters is the group's DescribeDB(Cluster)Parameters output (all
	// sources: metadata and current values). For a group that does not
	// exist yet it is the family's DescribeEngineDefault(Cluster)Parameters
	// output: what a new group starts from, and the metadata its
	// parameters are validated against.
	Parameters []types.Parameter
}

// FileActionKind is what one step of a file plan does.
type FileActionKind string

// The steps PlanFile produces, in this order per group.
const (
	FileCreate FileActionKind = "create" // Create a missing group
	FileChange FileActionKind = "change" // set the parameters whose values differ (Plan, modify)
	FileReset  FileActionKind = "reset"  // reset user-set parameters the file does not list (Plan, reset)
)

// FileAction is one step towards a desired-state file. Family and
// Description are set for create; Plan for change and reset.
type FileAction struct {
	Kind        FileActionKind `json:"kind"`
	Group       string         `json:"group"`
	Cluster     bool           `json:"cluster"`
	Family      string         `json:"family,omitempty"`
	Description string         `json:"description,omitempty"`
	Plan        *Plan          `json:"plan,omitempty"`
}

// ErrNoState is returned by PlanFile when state lacks a group the file
// names: a caller bug, not a user error.
var ErrNoState = errors.New("no state for group")

// PlanFile works out the actions that make RDS match f, given the current
// state of every group f names (keyed by GroupSpec.ID). Per group, in file
// order: create it if missing; change the parameters whose values differ
// (compared with value.Equal, so equal settings in another spelling are not
// a change); reset parameters user-set in the group but absent from the
// file. A value equal to the group's current one is never sent, even when
// that value is the family default rather than user-set, which is what makes
// a second run after ApplyActions plan nothing.
//
// Every group is validated before any action is returned; the problems of
// all groups come back together in one *ValidationError, placed at their
// file lines. A family that differs from an existing group's is a problem
// too: RDS cannot change a group's family.
func PlanFile(f *File, state map[GroupID]GroupState, mode ApplyMode) ([]FileAction, error) {
	var (
		actions  []FileAction
		problems []Problem
	)
	for _, g := range f.Groups {
		st, ok := state[g.ID()]
		if !ok {
			return nil, fmt.Errorf("planning %s: %w %q", f.Path, ErrNoState, g.Name)
		}
		place := func(ps []Problem) []Problem {
			for i := range ps {
				ps[i].Group, ps[i].File = g.Name, f.Path
				if ln := g.paramLines[ps[i].Param]; ln > 0 {
					ps[i].Line = ln
				} else {
					ps[i].Line = g.line
				}
			}
			return ps
		}
		if st.Exists && !strings.EqualFold(st.Family, g.Family) {
			problems = append(problems, place([]Problem{{Kind: ProblemFamily, Value: g.Family,
				Reason: fmt.Sprintf("the group's family is %s, the file says %s (a family cannot be changed; use a new group)", st.Family, g.Family)}})...)
			continue
		}
		var gas []FileAction
		if !st.Exists {
			gas = append(gas, FileAction{Kind: FileCreate, Group: g.Name, Cluster: g.Cluster, Family: g.Family, Description: g.Description})
		}
		change, err := PlanModify(g.Name, g.Cluster, st.Parameters, g.Parameters, mode)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				return nil, err
			}
			problems = append(problems, place(ve.Problems)...)
			continue
		}
		if !change.Empty() {
			gas = append(gas, FileAction{Kind: FileChange, Group: g.Name, Cluster: g.Cluster, Plan: change})
		}
		if st.Exists {
			reset, err := PlanReset(g.Name, g.Cluster, st.Parameters, absentUserSet(g, st.Parameters), false, mode)
			if err != nil {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					return nil, err
				}
				problems = append(problems, place(ve.Problems)...)
				continue
			}
			if !reset.Empty() {
				gas = append(gas, FileAction{Kind: FileReset, Group: g.Name, Cluster: g.Cluster, Plan: reset})
			}
		}
		actions = append(actions, gas...)
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return actions, nil
}

// absentUserSet lists the group's user-set parameters that g does not name.
func absentUserSet(g GroupSpec, params []types.Parameter) []string {
	want := make(map[string]bool, len(g.Parameters))
	for _, a := range g.Parameters {
		want[a.Name] = true
	}
	var out []string
	for _, p := range params {
		if n := str(p.ParameterName); isUserSet(p) && !want[n] {
			out = append(out, n)
		}
	}
	return out
}
