package generate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog"
)

// rdsDatadir is where RDS keeps the data directory; defaults that MariaDB
// derives from the datadir (aria_log_dir_path) are rewritten to it, so the
// output does not depend on the generator's temp dir.
const rdsDatadir = "/rdsdbdata/db/"

// mapVar turns one SYSTEM_VARIABLES row into RDS parameter metadata, the
// way DescribeEngineDefaultParameters presents a MySQL-family parameter.
// ok is false for rows that are not parameters at all:
//   - SESSION ONLY variables (timestamp, last_insert_id): no global value
//     to configure;
//   - READ_ONLY variables without a command-line option (version, have_*,
//     hostname, log_bin_basename): the server reports them but nothing can
//     set them, so no parameter group could carry them.
func mapVar(v sysvar, options map[string]bool, datadir string) (p catalog.Param, ok bool, err error) {
	if v.Scope == "SESSION ONLY" {
		return p, false, nil
	}
	if v.ReadOnly == "YES" && !v.CmdLine.Valid {
		return p, false, nil
	}
	name := strings.ToLower(v.Name)
	p = catalog.Param{
		Name:         name,
		Description:  strings.Join(strings.Fields(v.Comment.String), " "),
		ApplyType:    "dynamic",
		IsModifiable: true,
		Source:       "engine-default",
		RuntimeOnly:  !options[name],
	}
	if v.ReadOnly == "YES" {
		p.ApplyType = "static"
	}
	def := ""
	if v.Default.Valid {
		def = v.Default.String
		if datadir != "" && strings.HasPrefix(def, datadir) {
			def = rdsDatadir + strings.TrimPrefix(def, datadir)
		}
	}

	switch v.Type {
	case "BOOLEAN":
		// RDS: "DataType": "boolean", "AllowedValues": "0,1", values 0/1.
		p.DataType, p.AllowedValues = "boolean", "0,1"
		switch strings.ToUpper(def) {
		case "ON", "1", "TRUE", "YES":
			def = "1"
		case "OFF", "0", "FALSE", "NO":
			def = "0"
		}
	case "INT", "INT UNSIGNED", "BIGINT", "BIGINT UNSIGNED":
		// RDS: "DataType": "integer", "AllowedValues": "1-31536000".
		p.DataType = "integer"
		if v.Min.Valid && v.Max.Valid {
			p.AllowedValues = v.Min.String + "-" + v.Max.String
		}
	case "DOUBLE":
		// RDS: long_query_time is "DataType": "float",
		// "AllowedValues": "0-31536000". MariaDB prints defaults with six
		// decimals (10.000000); RDS shows the shortest form.
		p.DataType = "float"
		if v.Min.Valid && v.Max.Valid {
			p.AllowedValues = shortFloat(v.Min.String) + "-" + shortFloat(v.Max.String)
		}
		def = shortFloat(def)
	case "ENUM":
		// RDS: binlog_format is "DataType": "string",
		// "AllowedValues": "ROW,STATEMENT,MIXED". character_set_* and
		// collation_* are ENUMs with no value list here; they stay free
		// strings (RDS lists every charset; the server still rejects a
		// bad one).
		p.DataType = "string"
		if v.Enum.Valid {
			p.AllowedValues = v.Enum.String
		}
	case "SET":
		// RDS: sql_mode is "DataType": "list" with the modes as
		// AllowedValues.
		p.DataType = "list"
		if v.Enum.Valid {
			p.AllowedValues = v.Enum.String
		}
	case "FLAGSET":
		// optimizer_switch: a list of flag=on|off pairs. Guess: RDS shows
		// it as a string without AllowedValues.
		p.DataType = "string"
	case "VARCHAR":
		p.DataType = "string"
	default:
		return p, false, fmt.Errorf("variable %s: unknown VARIABLE_TYPE %q", name, v.Type)
	}
	p.Default = def
	return p, true, nil
}

// shortFloat prints a decimal without trailing zeros: 10.000000 -> 10.
func shortFloat(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
