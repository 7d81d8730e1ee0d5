package lab_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// TestMySQLOnlyParametersStayOffMariaDB: a mysql instance runs on
// mariadbd, so a MySQL-only parameter of its group (here AWS's
// validate_password_length, mysqlx_port and innodb_doublewrite_files, which
// mariadbd would refuse as unknown options) is recorded and described but
// never passed to the server: the instance still starts, and a parameter
// both servers have still reaches it.
func TestMySQLOnlyParametersStayOffMariaDB(t *testing.T) {
	_, c := startEngineLab(t, 0)
	const group, id = "mysql-only", "mysql-only-1"
	if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String(group),
		DBParameterGroupFamily: aws.String("mysql8.0"), Description: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	set := map[string]string{"validate_password_length": "12", "mysqlx_port": "33070",
		"innodb_doublewrite_files": "4", "sql_require_primary_key": "1", "wait_timeout": "1234"}
	var ps []types.Parameter
	for name, v := range set {
		ps = append(ps, param(name, v, types.ApplyMethodPendingReboot))
	}
	if _, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String(group),
		Parameters: ps}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id),
		DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mysql"), MasterUsername: aws.String(masterUser),
		MasterUserPassword: aws.String(masterPassword), DBParameterGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	in := waitAvailable(t, c, id)
	db := openDB(t, in)
	if v := global(t, db, "wait_timeout"); v != "1234" {
		t.Errorf("wait_timeout on the server = %s, want the group's 1234", v)
	}
	out, err := c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String(group),
		Source: aws.String("user")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range out.Parameters {
		got[aws.ToString(p.ParameterName)] = aws.ToString(p.ParameterValue)
	}
	for name, v := range set {
		if got[name] != v {
			t.Errorf("described %s = %q, want %q", name, got[name], v)
		}
	}
}
