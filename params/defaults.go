package params

import (
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/params/value"
)

// DefaultValued is a parameter a desired-state file sets to the value the
// group already has as its engine or system default (not user-set).
// Nothing is sent for it, and RDS would keep it a default if it were:
// see EngineDefaultNote.
type DefaultValued struct {
	Group string `json:"group"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// EngineDefaulted lists the file's parameters that are equal to their
// group's current, non-user value, in file order, so that apply can say
// why they will not show up as user-set (nor in an export). Groups
// missing from state are skipped.
func EngineDefaulted(f *File, state map[GroupID]GroupState) []DefaultValued {
	var out []DefaultValued
	for _, g := range f.Groups {
		st, ok := state[g.ID()]
		if !ok {
			continue
		}
		byName := make(map[string]types.Parameter, len(st.Parameters))
		for _, p := range st.Parameters {
			byName[str(p.ParameterName)] = p
		}
		for _, a := range g.Parameters {
			p, ok := byName[a.Name]
			if !ok || p.ParameterValue == nil || isUserSet(p) {
				continue
			}
			if value.Equal(str(p.DataType), str(p.ParameterValue), a.Value) {
				out = append(out, DefaultValued{Group: g.Name, Name: a.Name, Value: a.Value})
			}
		}
	}
	return out
}
