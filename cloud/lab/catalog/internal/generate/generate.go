// Package generate derives the lab's parameter catalog (the data files of
// package catalog) from the installed MariaDB server. It is a package, not
// just the go:generate command, so that the catalog's test can regenerate
// into a temp dir and compare with what is committed.
package generate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
)

// Family versions the lab reports as a family's default engine version.
const (
	mariadbVersion = "10.11.9"
	mysqlVersion   = "8.0.39"
	auroraVersion  = "8.0.mysql_aurora.3.05.2"
)

// Run reads the installed server and writes one data file per family into
// dir. The files are the whole output: running it twice on one machine
// writes the same bytes.
func Run(ctx context.Context, bin Binaries, dir string) error {
	files, err := Files(ctx, bin)
	if err != nil {
		return err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("writing catalog data: %w", err)
		}
	}
	return nil
}

// Files returns the data files by file name, without writing them.
func Files(ctx context.Context, bin Binaries) (map[string][]byte, error) {
	snap, err := readServer(ctx, bin)
	if err != nil {
		return nil, err
	}
	fams, err := families(snap)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(fams))
	for _, f := range fams {
		b, err := encode(f)
		if err != nil {
			return nil, err
		}
		out[f.Name+".json"] = b
	}
	return out, nil
}

// families builds the three families from one server snapshot.
func families(snap snapshot) ([]*catalog.Family, error) {
	base := paramSet{}
	for _, v := range snap.Vars {
		p, ok, err := mapVar(v, snap.Options, snap.Datadir)
		if err != nil {
			return nil, err
		}
		if !ok || dropEverywhere(p.Name) {
			continue
		}
		if strings.Contains(p.Default, strings.TrimSuffix(snap.Datadir, "/")) {
			return nil, fmt.Errorf("variable %s: default %q depends on the generator's temp dir", p.Name, p.Default)
		}
		base[p.Name] = p
	}
	if err := base.apply(commonOverlay); err != nil {
		return nil, fmt.Errorf("common overlay: %w", err)
	}
	if err := labOwnOverlay(base); err != nil {
		return nil, err
	}

	mariadb, err := mariadbFamily(base)
	if err != nil {
		return nil, fmt.Errorf("mariadb10.11: %w", err)
	}
	mysql, err := mysqlFamily(base)
	if err != nil {
		return nil, fmt.Errorf("mysql8.0: %w", err)
	}
	aurora, err := auroraFamily(base)
	if err != nil {
		return nil, fmt.Errorf("aurora-mysql8.0: %w", err)
	}
	for _, f := range []*catalog.Family{mariadb, mysql, aurora} {
		f.GeneratedFrom = snap.Version
	}
	return []*catalog.Family{mariadb, mysql, aurora}, nil
}

// mariadbFamily is the server as it is, less the audit plugin: RDS for
// MariaDB configures server_audit_* through an option group
// (MARIADB_AUDIT_PLUGIN), not the parameter group. No cluster groups.
func mariadbFamily(base paramSet) (*catalog.Family, error) {
	s := base.clone()
	for name := range s {
		if strings.HasPrefix(name, "server_audit_") {
			delete(s, name)
		}
	}
	if err := s.apply(mariadbOverlay); err != nil {
		return nil, err
	}
	return &catalog.Family{Name: "mariadb10.11", Engine: "mariadb", EngineVersion: mariadbVersion, Instance: s.sorted()}, nil
}

// mysqlSet is base without MariaDB-only names, with MySQL 8.0's names for
// renamed variables, plus the MySQL-only parameters. keep lists
// MariaDB-only names to retain anyway.
func mysqlSet(base paramSet, keep map[string]bool) (paramSet, error) {
	s := base.clone()
	for name := range s {
		if mariadbOnlyName(name) && !keep[name] {
			delete(s, name)
		}
	}
	for old, name := range mysqlRenames {
		p, ok := s[old]
		if !ok {
			return nil, fmt.Errorf("cannot rename %s: the server does not have it", old)
		}
		delete(s, old)
		p.Name, p.EngineName = name, old
		s[name] = p
	}
	facts, err := mysqlFacts()
	if err != nil {
		return nil, err
	}
	for name, p := range s {
		f, ok := facts[name]
		if !ok {
			f, ok = facts[mysqlAWSSpelling[name]]
		}
		if ok {
			preferMySQL(&p, f)
			s[name] = p
		}
	}
	for _, p := range mysqlOnly {
		s[p.Name] = p
	}
	if err := s.apply(mysqlOverlay); err != nil {
		return nil, err
	}
	return s, nil
}

// mysqlFamily also has DB cluster parameter groups, for Multi-AZ DB
// clusters. Their settings apply to every instance of the cluster, and the
// group carries the engine's parameters, so the cluster set is the
// instance set (guess: the exact membership of RDS's mysql8.0 cluster
// defaults is not published as a list).
//
// Its names are AWS's (aws-mysql8.0.tsv, in AWS's spelling): a MariaDB
// variable AWS's group does not list is dropped, and the MySQL-only
// parameters are added with MySQL's metadata: mysqlOnly's, then every
// other AWS name from mysql-sysvars.tsv, or with conservative metadata
// for the few no source describes (mysqlUnknown).
func mysqlFamily(base paramSet) (*catalog.Family, error) {
	s, err := mysqlSet(base, nil)
	if err != nil {
		return nil, err
	}
	for old, name := range mysqlAWSSpelling {
		p, ok := s[old]
		if !ok {
			return nil, fmt.Errorf("cannot respell %s: the server does not have it", old)
		}
		delete(s, old)
		p.Name, p.EngineName = name, old
		s[name] = p
	}
	aws, err := awsNames()
	if err != nil {
		return nil, err
	}
	own := map[string]bool{}
	for _, p := range mysqlOnly {
		own[p.Name] = true
	}
	for name := range s {
		if _, listed := aws[name]; !listed && !own[name] {
			delete(s, name)
		}
	}
	if err := addMySQLNames(s, aws); err != nil {
		return nil, err
	}
	return &catalog.Family{Name: "mysql8.0", Engine: "mysql", EngineVersion: mysqlVersion,
		Instance: s.sorted(), Cluster: s.sorted()}, nil
}

// auroraFamily splits the MySQL set into Aurora's cluster-level and
// instance-level parameters.
func auroraFamily(base paramSet) (*catalog.Family, error) {
	s, err := mysqlSet(base, auroraServerAudit)
	if err != nil {
		return nil, err
	}
	for name := range auroraServerAudit {
		p, ok := s[name]
		if !ok {
			return nil, fmt.Errorf("%s missing: was the server_audit plugin loaded?", name)
		}
		p.NoEngine = true
		s[name] = p
	}
	if err := s.drop(auroraInapplicable); err != nil {
		return nil, err
	}
	if err := s.apply(auroraOverlay); err != nil {
		return nil, err
	}
	cluster, instance := paramSet{}, paramSet{}
	for name, p := range s {
		if auroraCluster[name] {
			cluster[name] = p
		}
		if !auroraCluster[name] || auroraBoth[name] {
			instance[name] = p
		}
	}
	if len(cluster) != len(auroraCluster) {
		for name := range auroraCluster {
			if _, ok := cluster[name]; !ok {
				return nil, fmt.Errorf("cluster parameter %s: the server does not have it", name)
			}
		}
	}
	return &catalog.Family{Name: "aurora-mysql8.0", Engine: "aurora-mysql", EngineVersion: auroraVersion,
		Instance: instance.sorted(), Cluster: cluster.sorted()}, nil
}

// encode writes a family with one parameter per line, so that a change to
// the catalog reads as a line diff.
func encode(f *catalog.Family) ([]byte, error) {
	var b bytes.Buffer
	head := struct {
		Name          string `json:"name"`
		Engine        string `json:"engine"`
		EngineVersion string `json:"engine_version"`
		GeneratedFrom string `json:"generated_from"`
	}{f.Name, f.Engine, f.EngineVersion, f.GeneratedFrom}
	h, err := marshal(head)
	if err != nil {
		return nil, err
	}
	// Reopen the header object to append the lists.
	b.Write(h[:len(h)-1])
	writeList := func(key string, ps []catalog.Param) error {
		fmt.Fprintf(&b, ",\n%q: [", key)
		for i, p := range ps {
			line, err := marshal(p)
			if err != nil {
				return err
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n  ")
			b.Write(line)
		}
		b.WriteString("\n]")
		return nil
	}
	if err := writeList("instance", f.Instance); err != nil {
		return nil, err
	}
	if len(f.Cluster) > 0 {
		if err := writeList("cluster", f.Cluster); err != nil {
			return nil, err
		}
	}
	b.WriteString("\n}\n")
	if !json.Valid(b.Bytes()) {
		return nil, fmt.Errorf("encoding %s: produced invalid JSON", f.Name)
	}
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping, so that values such as
// ft_boolean_syntax (+ -><()~*:""&|) stay readable.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding catalog data: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
