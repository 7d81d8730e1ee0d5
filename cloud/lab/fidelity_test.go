package lab_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/params/formula"
)

func tagMap(ts []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// TestInstanceMembersHonoured: the members CreateDBInstance and
// ModifyDBInstance used to drop are stored and described, deletion
// protection refuses a delete, and an unknown engine version is refused.
func TestInstanceMembersHonoured(t *testing.T) {
	_, c := startEngineLab(t, time.Second)
	_, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("old"),
		DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mariadb"), EngineVersion: aws.String("10.4.1"),
		MasterUsername: aws.String(masterUser), MasterUserPassword: aws.String(masterPassword)})
	wantAPIError(t, err, "InvalidParameterCombination", 400, "Cannot find version 10.4.1 for mariadb")

	out, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("kept"),
		DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("mariadb"), EngineVersion: aws.String("10.11"),
		MasterUsername: aws.String(masterUser), MasterUserPassword: aws.String(masterPassword),
		DeletionProtection: aws.Bool(true), BackupRetentionPeriod: aws.Int32(7), AllocatedStorage: aws.Int32(30),
		Tags: []types.Tag{{Key: aws.String("rdsctl:protected"), Value: aws.String("true")}, {Key: aws.String("team"), Value: aws.String("db")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.DBInstance.DBInstanceArn)
	in := waitAvailable(t, c, "kept")
	if v := aws.ToString(in.EngineVersion); !strings.HasPrefix(v, "10.11.") {
		t.Errorf("EngineVersion %q: 10.11 must resolve to the 10.11 the lab runs", v)
	}
	if !aws.ToBool(in.DeletionProtection) || aws.ToInt32(in.BackupRetentionPeriod) != 7 || aws.ToInt32(in.AllocatedStorage) != 30 {
		t.Errorf("described: protection %v retention %d storage %d", aws.ToBool(in.DeletionProtection),
			aws.ToInt32(in.BackupRetentionPeriod), aws.ToInt32(in.AllocatedStorage))
	}
	if m := tagMap(in.TagList); len(m) != 2 || m["rdsctl:protected"] != "true" || m["team"] != "db" {
		t.Errorf("TagList %v", m)
	}

	_, err = c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("kept"), SkipFinalSnapshot: aws.Bool(true)})
	wantAPIError(t, err, "InvalidParameterCombination", 400, "Cannot delete protected DB Instance, please disable deletion protection and try again.")

	_, err = c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("kept"), NewDBInstanceIdentifier: aws.String("renamed")})
	wantAPIError(t, err, "InvalidParameterValue", 400, "The lab does not support NewDBInstanceIdentifier on ModifyDBInstance")
	_, err = c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("kept"), EngineVersion: aws.String("10.6.1")})
	wantAPIError(t, err, "InvalidParameterCombination", 400, "Cannot find version 10.6.1 for mariadb")
	_, err = c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("kept"), BackupRetentionPeriod: aws.Int32(36)})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Invalid backup retention period: 36")

	mod, err := c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("kept"),
		DeletionProtection: aws.Bool(false), BackupRetentionPeriod: aws.Int32(0), AllocatedStorage: aws.Int32(40), ApplyImmediately: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(mod.DBInstance.DeletionProtection) || aws.ToInt32(mod.DBInstance.BackupRetentionPeriod) != 0 || aws.ToInt32(mod.DBInstance.AllocatedStorage) != 40 {
		t.Errorf("modify answered: %+v", mod.DBInstance)
	}
	in = waitAvailable(t, c, "kept")
	if aws.ToBool(in.DeletionProtection) || aws.ToInt32(in.BackupRetentionPeriod) != 0 || aws.ToInt32(in.AllocatedStorage) != 40 {
		t.Errorf("after modify: protection %v retention %d storage %d", aws.ToBool(in.DeletionProtection),
			aws.ToInt32(in.BackupRetentionPeriod), aws.ToInt32(in.AllocatedStorage))
	}

	// Tags by ARN, on the instance and on a parameter group.
	if _, err := c.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("sre")}, {Key: aws.String("env"), Value: aws.String("lab")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: []string{"rdsctl:protected"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := c.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if m := tagMap(lt.TagList); len(m) != 2 || m["team"] != "sre" || m["env"] != "lab" {
		t.Errorf("instance tags %v", m)
	}
	g, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("tagged"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("t"),
		Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("me")}}})
	if err != nil {
		t.Fatal(err)
	}
	lt, err = c.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: g.DBParameterGroup.DBParameterGroupArn})
	if err != nil || tagMap(lt.TagList)["owner"] != "me" || len(lt.TagList) != 1 {
		t.Errorf("group tags %v %v", err, lt)
	}
	_, err = c.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(strings.Replace(arn, ":db:kept", ":db:nope", 1))})
	wantAPIError(t, err, "DBInstanceNotFound", 404, "nope")

	if _, err := c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("kept"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatalf("delete after turning protection off: %v", err)
	}
}

// TestDeferredModifications: without ApplyImmediately a Multi-AZ or class
// change waits in PendingModifiedValues until the maintenance window,
// which the lab's control opens on demand.
func TestDeferredModifications(t *testing.T) {
	l, c := startEngineLab(t, time.Second)
	in := createInstance(t, c, "later", "", false)
	// max_connections runs at AWS's MariaDB 10.5+ formula for the class,
	// LEAST({DBInstanceClassMemory/25165760},12000), computed here by hand.
	class, _ := formula.LookupClass("db.t3.micro")
	want := min(class.Vars(20, 3306).DBInstanceClassMemory/25165760, 12000)
	if got := global(t, openDB(t, in), "max_connections"); got != strconv.FormatInt(want, 10) {
		t.Errorf("max_connections on db.t3.micro = %s, want %d", got, want)
	}
	mod, err := c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("later"),
		MultiAZ: aws.Bool(true), DBInstanceClass: aws.String("db.t3.small")})
	if err != nil {
		t.Fatal(err)
	}
	p := mod.DBInstance.PendingModifiedValues
	if aws.ToBool(mod.DBInstance.MultiAZ) || p == nil || !aws.ToBool(p.MultiAZ) || aws.ToString(p.DBInstanceClass) != "db.t3.small" {
		t.Fatalf("modify answered MultiAZ %v pending %+v", aws.ToBool(mod.DBInstance.MultiAZ), p)
	}
	in = waitAvailable(t, c, "later")
	if aws.ToBool(in.MultiAZ) || aws.ToString(in.DBInstanceClass) != "db.t3.micro" || !aws.ToBool(in.PendingModifiedValues.MultiAZ) {
		t.Fatalf("pending changes applied before the window: MultiAZ %v class %s", aws.ToBool(in.MultiAZ), aws.ToString(in.DBInstanceClass))
	}
	res, err := lab.OpenMaintenance(l.Endpoint(), "later")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Applied, ",") != "DBInstanceClass=db.t3.small,MultiAZ=true" {
		t.Errorf("maintenance applied %v", res.Applied)
	}
	in = waitAvailable(t, c, "later")
	if !aws.ToBool(in.MultiAZ) || aws.ToString(in.SecondaryAvailabilityZone) == "" || aws.ToString(in.DBInstanceClass) != "db.t3.small" ||
		in.PendingModifiedValues.MultiAZ != nil || in.PendingModifiedValues.DBInstanceClass != nil {
		t.Fatalf("after the window: MultiAZ %v class %s pending %+v", aws.ToBool(in.MultiAZ), aws.ToString(in.DBInstanceClass), in.PendingModifiedValues)
	}
	if res, err := lab.OpenMaintenance(l.Endpoint(), "later"); err != nil || len(res.Applied) != 0 {
		t.Errorf("second window: %v %v", res, err)
	}
	if _, err := lab.OpenMaintenance(l.Endpoint(), "nope"); !errors.Is(err, lab.ErrNoSuchInstance) {
		t.Errorf("maintenance of a missing instance: %v", err)
	}
}

// TestDescribeDBEngineVersions lists what the lab serves.
func TestDescribeDBEngineVersions(t *testing.T) {
	c := nil2(t)
	out, err := c.DescribeDBEngineVersions(ctx, &rds.DescribeDBEngineVersionsInput{Engine: aws.String("mariadb")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DBEngineVersions) != 1 || aws.ToString(out.DBEngineVersions[0].DBParameterGroupFamily) != "mariadb10.11" {
		t.Fatalf("mariadb versions: %+v", out.DBEngineVersions)
	}
	out, err = c.DescribeDBEngineVersions(ctx, &rds.DescribeDBEngineVersionsInput{DBParameterGroupFamily: aws.String("mysql8.0")})
	if err != nil || len(out.DBEngineVersions) != 1 || aws.ToString(out.DBEngineVersions[0].Engine) != "mysql" {
		t.Fatalf("mysql8.0: %v %+v", err, out)
	}
	out, err = c.DescribeDBEngineVersions(ctx, &rds.DescribeDBEngineVersionsInput{Engine: aws.String("postgres")})
	if err != nil || len(out.DBEngineVersions) != 0 {
		t.Fatalf("postgres: %v %+v", err, out)
	}
}

// TestParameterNameFilter: Filters Name=parameter-name returns exactly
// the named parameters on every parameter Describe call; any other filter
// name is refused.
func TestParameterNameFilter(t *testing.T) {
	c := nil2(t)
	want := []string{"innodb_buffer_pool_size", "max_connections"}
	f := []types.Filter{{Name: aws.String("parameter-name"), Values: want}}
	names := func(ps []types.Parameter) string {
		var out []string
		for _, p := range ps {
			out = append(out, aws.ToString(p.ParameterName))
		}
		return strings.Join(out, ",")
	}
	wantNames := strings.Join(want, ",")
	p, err := c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("default.mariadb10.11"), Filters: f})
	if err != nil || names(p.Parameters) != wantNames {
		t.Errorf("DescribeDBParameters: %v %s", err, names(p.Parameters))
	}
	if err == nil && aws.ToString(p.Parameters[1].ParameterValue) != "LEAST({DBInstanceClassMemory/25165760},12000)" {
		t.Errorf("mariadb10.11 max_connections = %s", aws.ToString(p.Parameters[1].ParameterValue))
	}
	cp, err := c.DescribeDBClusterParameters(ctx, &rds.DescribeDBClusterParametersInput{DBClusterParameterGroupName: aws.String("default.mysql8.0"), Filters: f})
	if err != nil || names(cp.Parameters) != wantNames {
		t.Errorf("DescribeDBClusterParameters: %v %s", err, names(cp.Parameters))
	}
	ed, err := c.DescribeEngineDefaultParameters(ctx, &rds.DescribeEngineDefaultParametersInput{DBParameterGroupFamily: aws.String("mariadb10.11"), Filters: f})
	if err != nil || names(ed.EngineDefaults.Parameters) != wantNames {
		t.Errorf("DescribeEngineDefaultParameters: %v", err)
	}
	ec, err := c.DescribeEngineDefaultClusterParameters(ctx, &rds.DescribeEngineDefaultClusterParametersInput{DBParameterGroupFamily: aws.String("mysql8.0"), Filters: f})
	if err != nil || names(ec.EngineDefaults.Parameters) != wantNames {
		t.Errorf("DescribeEngineDefaultClusterParameters: %v", err)
	}
	_, err = c.DescribeDBParameters(ctx, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String("default.mariadb10.11"),
		Filters: []types.Filter{{Name: aws.String("parameter-type"), Values: []string{"x"}}}})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Unrecognized filter name: parameter-type")
	_, err = c.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{
		Filters: []types.Filter{{Name: aws.String("db-parameter-group-family"), Values: []string{"x"}}}})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Unrecognized filter name: db-parameter-group-family")

	for _, fam := range []string{"mysql5.7", "postgres16"} {
		_, err = c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("old"),
			DBParameterGroupFamily: aws.String(fam), Description: aws.String("d")})
		wantAPIError(t, err, "InvalidParameterValue", 400, "the lab does not serve family "+fam+" (it serves ")
	}
}
