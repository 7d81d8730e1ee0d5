package generate

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
	"github.com/rdsctl/rdsctl/params/value"
)

// mysqlSysvars is MySQL 8.0's metadata for the names of AWS's
// default.mysql8.0 group, extracted from published sources (its header
// names them, with their commits; mysql-sysvars.py regenerates it).
//
//go:embed mysql-sysvars.tsv
var mysqlSysvars string

// mysqlFact is one row of mysql-sysvars.tsv. An empty field is a fact the
// source does not give. Source "gms" rows carry type, range and default;
// "manual" rows carry the apply type only.
type mysqlFact struct {
	applyType, dataType, allowed, def, source string
}

// mysqlFacts parses mysqlSysvars, by AWS's spelling of the name.
func mysqlFacts() (map[string]mysqlFact, error) {
	out := map[string]mysqlFact{}
	for i, line := range strings.Split(mysqlSysvars, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 6 || f[0] == "" {
			return nil, fmt.Errorf("mysql-sysvars.tsv:%d: want 6 tab-separated fields", i+1)
		}
		out[f[0]] = mysqlFact{applyType: f[1], dataType: f[2], allowed: f[3], def: f[4], source: f[5]}
	}
	return out, nil
}

// mysqlUnknown are AWS's default.mysql8.0 names that neither MariaDB nor
// mysql-sysvars.tsv's sources describe: default_time_zone is RDS's own
// parameter (MySQL's option is --default-time-zone, which the manual's
// summary table does not list), and innodb_scan_directories was removed
// in MySQL 8.0.30 and is gone from the 8.0 manual. They get conservative
// metadata: string, static, modifiable, no allowed values, no default.
var mysqlUnknown = names(`default_time_zone innodb_scan_directories`)

// newMySQLParam is an AWS name MariaDB does not have: MySQL's metadata
// where a source gives it, recorded by the lab but never sent to mariadbd.
// What no source gives is conservative: static (a change waits for a
// reboot), string, no allowed values, no default. That is the whole of
// mysqlUnknown, and the apply type of the options the manual lists
// without a system variable (sysdate-is-now, safe-user-create,
// old-style-user-limits, validate-password, character-set-client-handshake
// and its skip- form).
func newMySQLParam(name string, f mysqlFact, known bool) (catalog.Param, error) {
	p := catalog.Param{Name: name, ApplyType: "static", DataType: "string", IsModifiable: true,
		Source: "engine-default", NoEngine: true}
	if known {
		if f.applyType != "" {
			p.ApplyType = f.applyType
		}
		p.DataType, p.AllowedValues, p.Default = f.dataType, f.allowed, f.def
	}
	if p.Default != "" {
		if err := value.Check(p.DataType, p.AllowedValues, p.Default); err != nil {
			return p, fmt.Errorf("%s: default %q does not fit its own metadata: %w", name, p.Default, err)
		}
	}
	return p, nil
}

// preferMySQL gives a parameter both servers have MySQL's apply type and
// allowed values. Two limits keep the lab working: a parameter MySQL can
// change online but MariaDB cannot (ssl_*, tls_version, log_slave_updates)
// stays static, since the lab would have to SET GLOBAL a read-only
// mariadbd variable; and MySQL's allowed values are taken only when the
// data types agree and the advertised default still fits them (the
// default stays MariaDB's, which is what the lab's server runs).
func preferMySQL(p *catalog.Param, f mysqlFact) {
	if f.applyType == "static" || (f.applyType == "dynamic" && p.NoEngine) {
		p.ApplyType = f.applyType
	}
	if f.source != "gms" || f.allowed == "" || f.dataType != p.DataType {
		return
	}
	if p.Default != "" && value.Check(p.DataType, f.allowed, p.Default) != nil {
		return
	}
	p.AllowedValues = f.allowed
}

// addMySQLNames adds each AWS name s lacks. A name no source describes
// must be listed in mysqlUnknown, and a listed one must be undescribed, so
// that the list stays the truth.
func addMySQLNames(s paramSet, aws map[string]string) error {
	facts, err := mysqlFacts()
	if err != nil {
		return err
	}
	for name := range aws {
		if _, ok := s[name]; ok {
			continue
		}
		f, known := facts[name]
		if known == mysqlUnknown[name] {
			return fmt.Errorf("AWS parameter %s: described by mysql-sysvars.tsv %v, listed in mysqlUnknown %v", name, known, mysqlUnknown[name])
		}
		p, err := newMySQLParam(name, f, known)
		if err != nil {
			return err
		}
		s[name] = p
	}
	return nil
}
