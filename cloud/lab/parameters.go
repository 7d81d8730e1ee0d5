package lab

import (
	"strings"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
)

// Parameter sources, as DescribeDBParameters filters and reports them.
const (
	sourceUser          = "user"
	sourceSystem        = "system"
	sourceEngineDefault = "engine-default"
)

// Apply methods.
const (
	applyImmediate     = "immediate"
	applyPendingReboot = "pending-reboot"
)

// effectiveParam is a parameter as a group reports it: the user's value
// where one is set, the catalog's default otherwise.
func effectiveParam(p catalog.Param, g *paramGroup) xmlParameter {
	x := xmlParameter{Name: p.Name, Description: p.Description, ApplyType: p.ApplyType, DataType: p.DataType,
		AllowedValues: p.AllowedValues, IsModifiable: p.IsModifiable, MinimumEngineVersion: p.MinimumEngineVersion}
	if v, ok := g.Values[p.Name]; ok {
		x.Value, x.Source, x.ApplyMethod = v.Value, sourceUser, v.ApplyMethod
		return x
	}
	x.Value, x.Source, x.ApplyMethod = advertised(p), p.Source, applyPendingReboot
	if x.Source == "" {
		x.Source = sourceEngineDefault
	}
	return x
}

// advertised is the ParameterValue a group or the engine defaults report
// for a parameter nobody set. On AWS most engine-default entries carry no
// value: the published default.mysql8.0 group (a terraformer dump of it,
// github.com/tappoflw/tappo1, terraforming_bck/dbpg.tf) has a value on 139
// of its 529 entries, mostly the paths, formulas and tuning RDS sets
// itself (basedir, innodb_buffer_pool_size, key_buffer_size,
// innodb_flush_method), and none on autocommit, wait_timeout, back_log or
// the other engine defaults. The lab's rule is the simple form of that: a
// value on Source=system entries, none on engine-default ones (so it shows
// no value on the few engine defaults AWS does pin, such as
// cte_max_recursion_depth; README). The catalog keeps the engine's
// default internally, for modify-to-default and reset; it is not sent.
func advertised(p catalog.Param) string {
	if p.Source == sourceSystem {
		return p.Default
	}
	return ""
}

func describeParameters(k groupKind) handler {
	return func(l *Lab, r *request) (any, error) {
		name, err := r.required(k.nameParam())
		if err != nil {
			return nil, err
		}
		r.resource = strings.ToLower(name)
		source := r.str("Source")
		switch source {
		case "", sourceUser, sourceSystem, sourceEngineDefault:
		default:
			// Unconfirmed wording.
			return nil, apiErr(codeInvalidParameterValue, "Invalid value %s for Source. Valid values are: user, system, engine-default", source)
		}
		only, err := nameFilter(r)
		if err != nil {
			return nil, err
		}
		var params []xmlParameter
		err = l.read(func(st *state) error {
			g, err := findGroup(st, k, name)
			if err != nil {
				return err
			}
			fam, err := lookupFamily(g.Family)
			if err != nil {
				return err
			}
			all := k.params(fam)
			params = make([]xmlParameter, 0, len(all))
			for _, p := range all {
				x := effectiveParam(p, g)
				if (source == "" || x.Source == source) && (only == nil || only[p.Name]) {
					params = append(params, x)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		pg, next, err := page(r, params, func(p xmlParameter) string { return p.Name })
		if err != nil {
			return nil, err
		}
		return xmlParameterDetails{Parameters: xmlParameters{Items: pg}, Marker: next}, nil
	}
}

func describeEngineDefaults(k groupKind) handler {
	return func(l *Lab, r *request) (any, error) {
		family, err := r.required("DBParameterGroupFamily")
		if err != nil {
			return nil, err
		}
		only, err := nameFilter(r)
		if err != nil {
			return nil, err
		}
		fam, err := lookupFamily(family)
		if err != nil {
			return nil, err
		}
		all := k.params(fam)
		params := make([]xmlParameter, 0, len(all))
		for _, p := range all {
			if only != nil && !only[p.Name] {
				continue
			}
			src := p.Source
			if src == "" {
				src = sourceEngineDefault
			}
			params = append(params, xmlParameter{Name: p.Name, Value: advertised(p), Description: p.Description,
				Source: src, ApplyType: p.ApplyType, DataType: p.DataType, AllowedValues: p.AllowedValues,
				IsModifiable: p.IsModifiable, MinimumEngineVersion: p.MinimumEngineVersion})
		}
		pg, next, err := page(r, params, func(p xmlParameter) string { return p.Name })
		if err != nil {
			return nil, err
		}
		return xmlEngineDefaultsResult{EngineDefaults: xmlEngineDefaults{Family: fam.Name, Marker: next,
			Parameters: xmlParameters{Items: pg}}}, nil
	}
}

func nameResult(k groupKind, name string) any {
	if k == kindCluster {
		return xmlDBClusterParameterGroupName{Name: name}
	}
	return xmlDBParameterGroupName{Name: name}
}

func modifyParamGroup(k groupKind) handler {
	return func(l *Lab, r *request) (any, error) {
		name, err := r.required(k.nameParam())
		if err != nil {
			return nil, err
		}
		r.resource = strings.ToLower(name)
		reqs := members(r.form, "Parameters.Parameter")
		var out string
		err = l.mutate(func(st *state) error {
			g, err := findGroup(st, k, name)
			if err != nil {
				return err
			}
			changes, err := validateModify(k, g, reqs)
			if err != nil {
				return err
			}
			for _, c := range changes {
				if c.Param.Default != "" && c.Value == c.Param.Default {
					// AWS keeps a parameter modified to its default value
					// as a default, not user-set (terraform-provider-aws
					// #3182): it reports its old source and a later change
					// of the default moves it.
					delete(g.Values, c.Name)
					continue
				}
				g.Values[c.Name] = paramValue{Value: c.Value, ApplyMethod: c.ApplyMethod}
			}
			l.paramsChanged(st, k, g, changes)
			out = g.Name
			return nil
		})
		if err != nil {
			return nil, err
		}
		return nameResult(k, out), nil
	}
}

func resetParamGroup(k groupKind) handler {
	return func(l *Lab, r *request) (any, error) {
		name, err := r.required(k.nameParam())
		if err != nil {
			return nil, err
		}
		r.resource = strings.ToLower(name)
		all, _, err := r.boolean("ResetAllParameters")
		if err != nil {
			return nil, err
		}
		reqs := members(r.form, "Parameters.Parameter")
		if all && len(reqs) > 0 {
			// AWS documents the two as exclusive; the wording is the lab's.
			return nil, apiErr(codeInvalidParameterCombination, "Specify either ResetAllParameters or Parameters, not both")
		}
		var out string
		err = l.mutate(func(st *state) error {
			g, err := findGroup(st, k, name)
			if err != nil {
				return err
			}
			changes, err := validateReset(k, g, all, reqs)
			if err != nil {
				return err
			}
			for _, c := range changes {
				delete(g.Values, c.Name)
			}
			l.paramsChanged(st, k, g, changes)
			out = g.Name
			return nil
		})
		if err != nil {
			return nil, err
		}
		return nameResult(k, out), nil
	}
}
