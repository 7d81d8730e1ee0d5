package lab

import (
	"fmt"
	"strconv"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"

	"github.com/rdsctl/rdsctl/cloud/lab/engine"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
	"github.com/rdsctl/rdsctl/params/formula"
)

// groupValues are the values an instance gets from its DB parameter group
// at a (re)start: every user-set value, and the RDS system defaults that
// differ from a stock server (max_connections and innodb_buffer_pool_size
// formulas, performance_schema), with formulas evaluated for the instance's
// class. Keys are RDS parameter names. The caller holds l.mu.
//
// An Aurora member also gets its cluster's DB cluster parameter group
// values, under the rule of precedence: a value set in the instance's DB
// parameter group wins over the cluster group's, on that member only.
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
	if err := addGroupValues(out, fam.Instance, g, in, nil); err != nil {
		return nil, err
	}
	if c, ok := st.Clusters[in.ClusterID]; ok && in.ClusterID != "" {
		cg, err := findGroup(st, kindCluster, c.ClusterParamGroup)
		if err != nil {
			return nil, err
		}
		if err := addGroupValues(out, fam.Cluster, cg, in, g.Values); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addGroupValues adds g's values of params to out; a parameter that
// overrides sets (the instance group's, for the cluster group) is left as
// it is.
func addGroupValues(out map[string]string, params []catalog.Param, g *paramGroup, in *dbInstance, overrides map[string]paramValue) error {
	for _, p := range params {
		if _, over := overrides[p.Name]; over {
			continue
		}
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
			return fmt.Errorf("parameter %s: %w", p.Name, err)
		}
		out[p.Name] = ev
	}
	return nil
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
	famName, ok := engineFamily[in.Engine]
	if !ok {
		famName = clusterEngineFamily[in.Engine]
	}
	fam, err := findFamily(famName)
	if err != nil {
		return b
	}
	for name, v := range values {
		p, ok := kindInstance.param(fam, name)
		if !ok {
			p, ok = kindCluster.param(fam, name)
		}
		if !ok || p.Variable() == "" {
			continue
		}
		if p.RuntimeOnly {
			b.Globals[p.Variable()] = v
		} else {
			b.Options[p.Variable()] = v
		}
	}
	if in.ClusterID != "" {
		// An Aurora member writes a binary log, so that any member can
		// be the writer; a reader is read-only whatever its groups say.
		for k, v := range mysqld.BinlogOptions() {
			if _, set := b.Options[k]; !set {
				b.Options[k] = v
			}
		}
		if !in.ClusterWriter {
			b.Options["read_only"] = "ON"
		}
	}
	return b
}
