package lab_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// TestEngineDefaultsCarryNoValue: as on AWS, an engine-default entry has
// no ParameterValue; only what RDS (or the lab, for the server options it
// sizes down) sets itself carries one, as Source system.
func TestEngineDefaultsCarryNoValue(t *testing.T) {
	_, c := startLab(t)
	for _, family := range []string{"mariadb10.11", "mysql8.0", "aurora-mysql8.0"} {
		var all []types.Parameter
		p := rds.NewDescribeEngineDefaultParametersPaginator(c, &rds.DescribeEngineDefaultParametersInput{DBParameterGroupFamily: aws.String(family)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, out.EngineDefaults.Parameters...)
		}
		valued := 0
		for _, x := range all {
			src := aws.ToString(x.Source)
			if x.ParameterValue != nil {
				valued++
				if src != "system" {
					t.Errorf("%s %s: value %q with source %s, want no value", family, aws.ToString(x.ParameterName), aws.ToString(x.ParameterValue), src)
				}
			}
		}
		// AWS's default.mysql8.0 shows values on 139 of 529 entries.
		if valued == 0 || valued*4 > len(all) {
			t.Errorf("%s: %d of %d entries carry a value, want a few (the RDS-set ones)", family, valued, len(all))
		}
		t.Logf("%s: %d of %d entries carry a value", family, valued, len(all))
	}
	// The lab's own sizes are what its servers run, said as system values.
	out, err := c.DescribeEngineDefaultParameters(ctx, &rds.DescribeEngineDefaultParametersInput{DBParameterGroupFamily: aws.String("mariadb10.11"),
		Filters: []types.Filter{{Name: aws.String("parameter-name"), Values: []string{"innodb_log_file_size", "skip_name_resolve", "autocommit", "max_connections"}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, x := range out.EngineDefaults.Parameters {
		got[aws.ToString(x.ParameterName)] = aws.ToString(x.ParameterValue) + " " + aws.ToString(x.Source)
	}
	want := map[string]string{"innodb_log_file_size": "8388608 system", "skip_name_resolve": "1 system", "autocommit": " engine-default",
		"max_connections": "LEAST({DBInstanceClassMemory/25165760},12000) system"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// TestMySQLFamilyRefusesMariaDBValues: a mysql8.0 group takes MySQL's
// values only (issue 12): full_crc32 is MariaDB's.
func TestMySQLFamilyRefusesMariaDBValues(t *testing.T) {
	_, c := startLab(t)
	for _, family := range []string{"mysql8.0", "mariadb10.11"} {
		name := "g-" + strings.ReplaceAll(family, ".", "-")
		if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String(name),
			DBParameterGroupFamily: aws.String(family), Description: aws.String("g")}); err != nil {
			t.Fatal(err)
		}
		_, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String(name),
			Parameters: []types.Parameter{param("innodb_checksum_algorithm", "full_crc32", types.ApplyMethodImmediate)}})
		switch {
		case family == "mysql8.0" && (apiCode(err) != "InvalidParameterValue" || !strings.Contains(err.Error(), "innodb_checksum_algorithm")):
			t.Errorf("%s: full_crc32: %v, want InvalidParameterValue naming the parameter", family, err)
		case family == "mariadb10.11" && err != nil:
			t.Errorf("%s: full_crc32: %v", family, err)
		}
	}
	// A MySQL-only parameter is a parameter of the group.
	_, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("g-mysql8-0"),
		Parameters: []types.Parameter{param("sql_require_primary_key", "1", types.ApplyMethodImmediate)}})
	if err != nil {
		t.Errorf("sql_require_primary_key on mysql8.0: %v", err)
	}
}
