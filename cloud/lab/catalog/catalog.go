// Package catalog holds the lab's parameter metadata per DB parameter group
// family. The data is generated from a real mariadbd's
// information_schema.SYSTEM_VARIABLES (see gen.go and internal/generate) and committed, with an
// overlay for the places where RDS differs from a stock server, so that the
// lab's control plane runs without MariaDB installed.
package catalog

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Param is one parameter's metadata as DescribeEngineDefaultParameters
// reports it.
type Param struct {
	Name          string `json:"name"`
	Description   string `json:"description,omitempty"`
	ApplyType     string `json:"apply_type"` // "static" or "dynamic"
	DataType      string `json:"data_type"`  // "integer", "string", "boolean", "float" or "list"
	AllowedValues string `json:"allowed_values,omitempty"`
	IsModifiable  bool   `json:"is_modifiable"`
	// Default is the engine-default value: a literal, an RDS formula such as
	// "{DBInstanceClassMemory*3/4}", or "" when RDS leaves it unset.
	Default string `json:"default,omitempty"`
	// Source is "engine-default", or "system" where RDS sets the value itself.
	Source string `json:"source"`
	// MinimumEngineVersion is reported by AWS for some parameters.
	MinimumEngineVersion string `json:"minimum_engine_version,omitempty"`

	// The fields below are the lab's, not AWS's: they tell the lab how to
	// carry a value to its mariadbd, and are never sent over the RDS API.

	// EngineName is the mariadbd system variable that holds this
	// parameter, when the family spells it differently (mysql8.0's
	// transaction_isolation is MariaDB 10.11's tx_isolation). Empty means
	// Name itself.
	EngineName string `json:"engine_name,omitempty"`
	// RuntimeOnly is set when mariadbd has no startup option of the
	// variable's name (time_zone, character_set_client, sql_select_limit):
	// the value cannot go in an option file and must be applied with
	// SET GLOBAL once the server is up.
	RuntimeOnly bool `json:"runtime_only,omitempty"`
	// NoEngine is set for a parameter of a MySQL family that MariaDB does
	// not have (gtid-mode): the lab validates and records the value but
	// never passes it to mariadbd.
	NoEngine bool `json:"no_engine,omitempty"`
}

// Variable returns the mariadbd system variable that carries the
// parameter, or "" when the lab's engine has none.
func (p Param) Variable() string {
	switch {
	case p.NoEngine:
		return ""
	case p.EngineName != "":
		return p.EngineName
	}
	return p.Name
}

// Dynamic reports whether a change can be applied without a restart.
func (p Param) Dynamic() bool { return p.ApplyType == "dynamic" }

// Family is the metadata of one DB parameter group family, e.g. mariadb10.11.
type Family struct {
	Name          string `json:"name"`
	Engine        string `json:"engine"`         // mariadb, mysql, aurora-mysql
	EngineVersion string `json:"engine_version"` // default version for CreateDBInstance
	// GeneratedFrom is the version of the mariadbd the data was derived
	// from, so that stale data is easy to spot when the OS package moves.
	GeneratedFrom string `json:"generated_from,omitempty"`
	// Instance holds the DB parameter group parameters, sorted by name.
	Instance []Param `json:"instance"`
	// Cluster holds the DB cluster parameter group parameters, sorted by
	// name; empty when the family has no cluster parameter groups.
	Cluster []Param `json:"cluster,omitempty"`

	instIdx    map[string]int
	clusterIdx map[string]int
}

// ErrUnknownFamily is returned by Lookup for a family the lab does not serve.
var ErrUnknownFamily = errors.New("unknown DB parameter group family")

// Lookup returns the named family.
func Lookup(name string) (*Family, error) {
	f, ok := registry()[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s (known: %s)", ErrUnknownFamily, name, strings.Join(Families(), ", "))
	}
	return f, nil
}

// Families lists the served family names, sorted.
func Families() []string {
	var names []string
	for n := range registry() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Param returns the named DB parameter group parameter.
func (f *Family) Param(name string) (Param, bool) {
	i, ok := f.instIdx[name]
	if !ok {
		return Param{}, false
	}
	return f.Instance[i], true
}

// ClusterParam returns the named DB cluster parameter group parameter.
func (f *Family) ClusterParam(name string) (Param, bool) {
	i, ok := f.clusterIdx[name]
	if !ok {
		return Param{}, false
	}
	return f.Cluster[i], true
}

// HasCluster reports whether the family supports DB cluster parameter groups.
func (f *Family) HasCluster() bool { return len(f.Cluster) > 0 }

func (f *Family) index() {
	sort.Slice(f.Instance, func(i, j int) bool { return f.Instance[i].Name < f.Instance[j].Name })
	sort.Slice(f.Cluster, func(i, j int) bool { return f.Cluster[i].Name < f.Cluster[j].Name })
	f.instIdx = make(map[string]int, len(f.Instance))
	for i, p := range f.Instance {
		f.instIdx[p.Name] = i
	}
	f.clusterIdx = make(map[string]int, len(f.Cluster))
	for i, p := range f.Cluster {
		f.clusterIdx[p.Name] = i
	}
}
