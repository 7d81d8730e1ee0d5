package lab

import (
	"fmt"
	"strconv"

	"github.com/rdsctl/rdsctl/cloud/lab/engine"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
	"github.com/rdsctl/rdsctl/params/formula"
)

// groupValues are the values an instance gets from its DB parameter group
// at a (re)start: every user-set value, and the RDS system defaults that
// differ from a stock server (max_connections and innodb_buffer_pool_size
// formulas, performance_schema), with formulas evaluated for the instance's
// class. Keys are RDS parameter names. The caller holds l.mu.
func groupValues(st *state, in *dbInstance) (map[string]string, error) {
	g, err := findGroup(st, kindInstance, in.ParamGroup)
	if err != nil {
		return nil, err
	}
	fam, err := findFamily(g.Family)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, p := range fam.Instance {
		v, set := g.Values[p.Name]
		val := v.Value
		if !set {
			if p.Source != sourceSystem || !p.IsModifiable || p.Default == "" {
				continue
			}
			val = p.Default
		}
		if p.Variable() == "" || mysqld.Managed(p.Variable()) {
			continue
		}
		ev, err := evalValue(val, in)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
		out[p.Name] = ev
	}
	return out, nil
}

// evalValue evaluates an RDS formula ({DBInstanceClassMemory*3/4}) for the
// instance's class; other values pass through.
func evalValue(v string, in *dbInstance) (string, error) {
	if !formula.IsFormula(v) {
		return v, nil
	}
	c, ok := formula.LookupClass(in.Class)
	if !ok {
		return "", fmt.Errorf("unknown instance class %s", in.Class)
	}
	n, err := formula.Eval(v, c.Vars(int64(in.AllocatedStorage), int64(in.Port)))
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(n, 10), nil
}

// boot splits an instance's RDS-named values into its engine's option
// file and the variables it can only take with SET GLOBAL.
func boot(in *dbInstance, values map[string]string) engine.Boot {
	b := engine.Boot{Options: map[string]string{}, Globals: map[string]string{}}
	fam, err := findFamily(engineFamily[in.Engine])
	if err != nil {
		return b
	}
	for name, v := range values {
		p, ok := kindInstance.param(fam, name)
		if !ok || p.Variable() == "" {
			continue
		}
		if p.RuntimeOnly {
			b.Globals[p.Variable()] = v
		} else {
			b.Options[p.Variable()] = v
		}
	}
	return b
}
