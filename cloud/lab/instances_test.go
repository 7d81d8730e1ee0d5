package lab_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/go-sql-driver/mysql"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

const (
	masterUser     = "admin"
	masterPassword = "lab-Pa55word"
)

// startEngineLab is startLab with real MariaDB-backed instances.
func startEngineLab(t *testing.T, failoverDelay time.Duration) (*lab.Lab, *rds.Client) {
	t.Helper()
	l := labtest.Start(t, labtest.WithEngine(t, failoverDelay))
	checked := lab.CheckResponsesAgainstModel(t, l)
	t.Cleanup(func() {
		if checked() == 0 {
			t.Error("no response was checked against botocore's model")
		}
	})
	return l, labtest.Client(t, l)
}

func createInstance(t *testing.T, c *rds.Client, id, group string, multiAZ bool) types.DBInstance {
	t.Helper()
	in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mariadb"), MasterUsername: aws.String(masterUser), MasterUserPassword: aws.String(masterPassword),
		MultiAZ: aws.Bool(multiAZ)}
	if group != "" {
		in.DBParameterGroupName = aws.String(group)
	}
	out, err := c.CreateDBInstance(ctx, in)
	if err != nil {
		t.Fatalf("creating %s: %v", id, err)
	}
	if s := aws.ToString(out.DBInstance.DBInstanceStatus); s != "creating" {
		t.Fatalf("status after create = %s, want creating", s)
	}
	return waitAvailable(t, c, id)
}

func waitAvailable(t *testing.T, c *rds.Client, id string) types.DBInstance {
	t.Helper()
	if err := cloud.WaitInstanceAvailable(ctx, c, id, 2*time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	}); err != nil {
		t.Fatalf("waiting for %s: %v", id, err)
	}
	in, err := cloud.FindInstance(ctx, c, id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func waitInSync(t *testing.T, c *rds.Client, id string) types.DBInstance {
	t.Helper()
	if err := cloud.WaitInstanceInSync(ctx, c, id, time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	}); err != nil {
		t.Fatalf("waiting for %s to be in-sync: %v", id, err)
	}
	in, err := cloud.FindInstance(ctx, c, id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// openDB connects to an instance endpoint as the master user, with tight
// timeouts.
func openDB(t *testing.T, in types.DBInstance) *sql.DB {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net = masterUser, masterPassword, "tcp"
	cfg.Addr = fmt.Sprintf("%s:%d", aws.ToString(in.Endpoint.Address), aws.ToInt32(in.Endpoint.Port))
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = 2*time.Second, 5*time.Second, 5*time.Second
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxIdleConns(0) // every query on a fresh connection: a failover cuts pooled ones
	t.Cleanup(func() { db.Close() })
	return db
}

func global(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRowContext(ctx, "SELECT @@GLOBAL."+name).Scan(&v); err != nil {
		t.Fatalf("SELECT @@GLOBAL.%s: %v", name, err)
	}
	return v
}

func applyStatus(in types.DBInstance) string {
	if len(in.DBParameterGroups) != 1 {
		return fmt.Sprintf("%d groups", len(in.DBParameterGroups))
	}
	return aws.ToString(in.DBParameterGroups[0].ParameterApplyStatus)
}

// TestInstanceStoryAWSCLI is the "done when", as a user would do it
// with the AWS CLI: a group and a Multi-AZ instance with it; the group's
// value live in @@GLOBAL; an immediate change live within a second; a
// static change pending-reboot with the server unchanged; a reboot that
// applies it; a forced failover that swaps the AZs, keeps the data, emits
// AWS's events and records the outage window.
func TestInstanceStoryAWSCLI(t *testing.T) {
	l, c := startEngineLab(t, 300*time.Millisecond)
	cli := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, err := awsCLI(t, l, args...)
		if err != nil {
			t.Fatalf("aws rds %s: %v: %s", args[0], err, stderr)
		}
		return out
	}
	cli("create-db-parameter-group", "--db-parameter-group-name", "staging", "--db-parameter-group-family", "mariadb10.11", "--description", "staging")
	cli("modify-db-parameter-group", "--db-parameter-group-name", "staging", "--parameters",
		"ParameterName=wait_timeout,ParameterValue=600,ApplyMethod=immediate")
	out := cli("create-db-instance", "--db-instance-identifier", "staging-db", "--db-instance-class", "db.t3.micro",
		"--engine", "mariadb", "--master-username", masterUser, "--master-user-password", masterPassword,
		"--multi-az", "--db-parameter-group-name", "staging")
	if s := out["DBInstance"].(map[string]any)["DBInstanceStatus"]; s != "creating" {
		t.Fatalf("create-db-instance status = %v", s)
	}
	in := waitAvailable(t, c, "staging-db")
	if !aws.ToBool(in.MultiAZ) || aws.ToString(in.AvailabilityZone) != "us-east-1a" || aws.ToString(in.SecondaryAvailabilityZone) != "us-east-1b" {
		t.Fatalf("AZs: multi=%v %s/%s", aws.ToBool(in.MultiAZ), aws.ToString(in.AvailabilityZone), aws.ToString(in.SecondaryAvailabilityZone))
	}
	if in.InstanceCreateTime == nil || applyStatus(in) != "in-sync" || aws.ToString(in.DBParameterGroups[0].DBParameterGroupName) != "staging" {
		t.Fatalf("new instance: %+v", in)
	}
	db := openDB(t, in)
	if v := global(t, db, "wait_timeout"); v != "600" {
		t.Fatalf("@@GLOBAL.wait_timeout = %s, want the group's 600", v)
	}
	// RDS for MariaDB's formula default for db.t3.micro (1 GiB):
	// LEAST(1073741824/25165760, 12000).
	if v := global(t, db, "max_connections"); v != "42" {
		t.Fatalf("@@GLOBAL.max_connections = %s, want 42 from LEAST({DBInstanceClassMemory/25165760},12000)", v)
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE app"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE app.t (id INT PRIMARY KEY) ENGINE=InnoDB"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO app.t VALUES (1),(2),(3)"); err != nil {
		t.Fatal(err)
	}

	// Immediate: live within a second.
	cli("modify-db-parameter-group", "--db-parameter-group-name", "staging", "--parameters",
		"ParameterName=wait_timeout,ParameterValue=300,ApplyMethod=immediate")
	deadline := time.Now().Add(time.Second)
	for global(t, db, "wait_timeout") != "300" {
		if time.Now().After(deadline) {
			t.Fatal("immediate wait_timeout=300 not live within a second")
		}
		time.Sleep(10 * time.Millisecond)
	}
	in = waitInSync(t, c, "staging-db")

	// Static: pending-reboot, server untouched.
	before := global(t, db, "innodb_log_buffer_size")
	cli("modify-db-parameter-group", "--db-parameter-group-name", "staging", "--parameters",
		"ParameterName=innodb_log_buffer_size,ParameterValue=33554432,ApplyMethod=pending-reboot")
	got := cli("describe-db-instances", "--db-instance-identifier", "staging-db")
	pgs := got["DBInstances"].([]any)[0].(map[string]any)["DBParameterGroups"].([]any)
	if s := pgs[0].(map[string]any)["ParameterApplyStatus"]; s != "pending-reboot" {
		t.Fatalf("after a static change: %v", s)
	}
	if v := global(t, db, "innodb_log_buffer_size"); v != before || v == "33554432" {
		t.Fatalf("a pending-reboot change reached the server: %s (before %s)", v, before)
	}

	// Reboot applies it.
	out = cli("reboot-db-instance", "--db-instance-identifier", "staging-db")
	if s := out["DBInstance"].(map[string]any)["DBInstanceStatus"]; s != "rebooting" {
		t.Fatalf("reboot status = %v", s)
	}
	in = waitAvailable(t, c, "staging-db")
	if applyStatus(in) != "in-sync" {
		t.Fatalf("after reboot: %s", applyStatus(in))
	}
	if v := global(t, db, "innodb_log_buffer_size"); v != "33554432" {
		t.Fatalf("after reboot innodb_log_buffer_size = %s", v)
	}
	if v := global(t, db, "wait_timeout"); v != "300" {
		t.Fatalf("after reboot wait_timeout = %s", v)
	}

	// Forced failover.
	var serverID string
	db.QueryRowContext(ctx, "SELECT @@server_id").Scan(&serverID)
	start := time.Now()
	cli("reboot-db-instance", "--db-instance-identifier", "staging-db", "--force-failover")
	in = waitAvailable(t, c, "staging-db")
	if aws.ToString(in.AvailabilityZone) != "us-east-1b" || aws.ToString(in.SecondaryAvailabilityZone) != "us-east-1a" {
		t.Fatalf("after failover AZ %s, secondary %s", aws.ToString(in.AvailabilityZone), aws.ToString(in.SecondaryAvailabilityZone))
	}
	var n int
	var newID string
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*), @@server_id FROM app.t").Scan(&n, &newID); err != nil || n != 3 {
		t.Fatalf("data after failover: %d rows, %v", n, err)
	}
	if newID == serverID {
		t.Fatalf("server_id %s unchanged by the failover", newID)
	}
	ev := cli("describe-events", "--source-type", "db-instance", "--source-identifier", "staging-db")
	var msgs []string
	for _, e := range ev["Events"].([]any) {
		msgs = append(msgs, e.(map[string]any)["Message"].(string))
	}
	joined := strings.Join(msgs, "|")
	for _, want := range []string{"DB instance created.", "DB instance shutdown.", "DB instance restarted.",
		"Multi-AZ instance failover started.", "Multi-AZ instance failover completed."} {
		if !strings.Contains(joined, want) {
			t.Errorf("events lack %q: %s", want, joined)
		}
	}
	st := l.Status()
	var fo *lab.Outage
	for i := range st.Outages {
		if st.Outages[i].Cause == "failover" {
			fo = &st.Outages[i]
		}
	}
	if fo == nil || fo.Instance != "staging-db" {
		t.Fatalf("no failover outage recorded: %+v", st.Outages)
	}
	if d := fo.RestoredAt.Sub(fo.CutAt); d < 300*time.Millisecond || d > 10*time.Second || fo.CutAt.Before(start) {
		t.Fatalf("outage window %s..%s (%s) for a 300ms failover delay", fo.CutAt, fo.RestoredAt, d)
	}
	if len(st.Instances) != 1 || st.Instances[0].EnginePID == 0 || st.Instances[0].Port != int(aws.ToInt32(in.Endpoint.Port)) {
		t.Fatalf("lab status instances: %+v", st.Instances)
	}
}

// TestInstanceRules checks AWS's refusals of the instance actions: codes,
// HTTP statuses and messages.
func TestInstanceRules(t *testing.T) {
	_, c := startEngineLab(t, 0)
	if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("mysql-group"),
		DBParameterGroupFamily: aws.String("mysql8.0"), Description: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	base := func(id string) *rds.CreateDBInstanceInput {
		return &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
			Engine: aws.String("mariadb"), MasterUsername: aws.String(masterUser), MasterUserPassword: aws.String(masterPassword)}
	}
	for _, tc := range []struct {
		name   string
		mod    func(*rds.CreateDBInstanceInput)
		code   string
		status int
		msg    string
	}{
		{"bad id", func(in *rds.CreateDBInstanceInput) { in.DBInstanceIdentifier = aws.String("1bad--id") },
			"InvalidParameterValue", 400, "The parameter DBInstanceIdentifier is not a valid identifier"},
		{"bad class", func(in *rds.CreateDBInstanceInput) { in.DBInstanceClass = aws.String("db.t9.nano") },
			"InvalidParameterValue", 400, "Invalid DB Instance class: db.t9.nano"},
		{"bad engine", func(in *rds.CreateDBInstanceInput) { in.Engine = aws.String("oracle-ee") },
			"InvalidParameterValue", 400, "Invalid DB engine: oracle-ee"},
		{"short password", func(in *rds.CreateDBInstanceInput) { in.MasterUserPassword = aws.String("short") },
			"InvalidParameterValue", 400, "shorter than 8 characters"},
		{"no group", func(in *rds.CreateDBInstanceInput) { in.DBParameterGroupName = aws.String("nope") },
			"DBParameterGroupNotFound", 404, "DBParameterGroup not found: nope"},
		{"family mismatch", func(in *rds.CreateDBInstanceInput) { in.DBParameterGroupName = aws.String("mysql-group") },
			"InvalidParameterCombination", 400, "with DBParameterGroupFamily mysql8.0 cannot be used for this instance"},
		{"az with multi-az", func(in *rds.CreateDBInstanceInput) {
			in.MultiAZ, in.AvailabilityZone = aws.Bool(true), aws.String("us-east-1c")
		}, "InvalidParameterCombination", 400, "not valid for Multi-AZ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := base("rules-" + strings.ReplaceAll(tc.name, " ", "-"))
			tc.mod(in)
			_, err := c.CreateDBInstance(ctx, in)
			wantAPIError(t, err, tc.code, tc.status, tc.msg)
		})
	}

	in := createInstance(t, c, "single", "", false)
	if aws.ToString(in.DBParameterGroups[0].DBParameterGroupName) != "default.mariadb10.11" {
		t.Fatalf("default group: %v", in.DBParameterGroups)
	}
	_, err := c.CreateDBInstance(ctx, base("single"))
	wantAPIError(t, err, "DBInstanceAlreadyExists", 400, "DB instance already exists")
	_, err = c.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("single"), ForceFailover: aws.Bool(true)})
	wantAPIError(t, err, "InvalidParameterCombination", 400, "non-Multi-AZ")
	_, err = c.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("ghost")})
	wantAPIError(t, err, "DBInstanceNotFound", 404, "DBInstance ghost not found.")
	_, err = c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("ghost")})
	wantAPIError(t, err, "DBInstanceNotFound", http.StatusNotFound, "")
	_, err = c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("single"), DBParameterGroupName: aws.String("mysql-group")})
	wantAPIError(t, err, "InvalidParameterCombination", 400, "cannot be used for this instance")
	_, err = c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("single")})
	wantAPIError(t, err, "InvalidParameterCombination", 400, "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
	_, err = c.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []types.Filter{{Name: aws.String("colour"), Values: []string{"x"}}}})
	wantAPIError(t, err, "InvalidParameterValue", 400, "Unrecognized filter name: colour")

	// While it reboots, the instance refuses other operations.
	if _, err := c.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("single")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("single")})
	wantAPIError(t, err, "InvalidDBInstanceState", 400, "in-progress management operation")
	_, err = c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("single"), DBParameterGroupName: aws.String("default.mariadb10.11")})
	wantAPIError(t, err, "InvalidDBInstanceState", 400, "Database instance is not in available state.")
	waitAvailable(t, c, "single")

	// A group in use cannot be deleted; the instance can, and then the group.
	if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("used"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("single"), DBParameterGroupName: aws.String("used"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteDBParameterGroup(ctx, &rds.DeleteDBParameterGroupInput{DBParameterGroupName: aws.String("used")})
	wantAPIError(t, err, "InvalidDBParameterGroupState", 400, "still members")
	if _, err := c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("single"), SkipFinalSnapshot: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if err := cloud.WaitInstanceDeleted(ctx, c, "single", time.Minute, func(o *rds.DBInstanceDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteDBParameterGroup(ctx, &rds.DeleteDBParameterGroupInput{DBParameterGroupName: aws.String("used")}); err != nil {
		t.Fatalf("deleting a group no longer in use: %v", err)
	}
}

// TestAttachGroupWaitsForReboot follows AWS: a newly attached group is
// applying, then pending-reboot, with the server untouched even for its
// dynamic values, until a reboot.
func TestAttachGroupWaitsForReboot(t *testing.T) {
	_, c := startEngineLab(t, 0)
	in := createInstance(t, c, "attach", "", false)
	db := openDB(t, in)
	if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("tuned"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("tuned"),
		Parameters: []types.Parameter{{ParameterName: aws.String("wait_timeout"), ParameterValue: aws.String("120"), ApplyMethod: types.ApplyMethodImmediate}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("attach"),
		DBParameterGroupName: aws.String("tuned"), ApplyImmediately: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if s := applyStatus(*out.DBInstance); s != "applying" || aws.ToString(out.DBInstance.DBInstanceStatus) != "available" {
		t.Fatalf("right after attach: %s, %s", aws.ToString(out.DBInstance.DBInstanceStatus), s)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		in, err = cloud.FindInstance(ctx, c, "attach")
		if err != nil {
			t.Fatal(err)
		}
		if applyStatus(in) == "pending-reboot" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("attach never reached pending-reboot: %s", applyStatus(in))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v := global(t, db, "wait_timeout"); v != "28800" {
		t.Fatalf("attached group's dynamic value reached the server before a reboot: %s", v)
	}
	if _, err := c.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("attach")}); err != nil {
		t.Fatal(err)
	}
	in = waitAvailable(t, c, "attach")
	if applyStatus(in) != "in-sync" || global(t, db, "wait_timeout") != "120" {
		t.Fatalf("after reboot: %s, wait_timeout %s", applyStatus(in), global(t, db, "wait_timeout"))
	}
	evs, err := cloud.InstanceEvents(ctx, c, "attach", time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range evs {
		msgs = append(msgs, aws.ToString(e.Message))
	}
	if j := strings.Join(msgs, "|"); !strings.Contains(j, "Updated to use DBParameterGroup tuned.") || !strings.Contains(j, "Finished updating DB parameter group.") {
		t.Fatalf("events: %s", j)
	}
}

// labOnDir returns a starter of engine labs that all serve one dir, as
// `lab up` does after a `lab down`: each call starts a new lab on the state
// the last one left. Each lab is closed when the test ends, if the test has
// not closed it.
func labOnDir(t *testing.T, failoverDelay time.Duration) func() (*lab.Lab, *rds.Client) {
	t.Helper()
	o := lab.Options{Dir: t.TempDir()}
	labtest.WithEngine(t, failoverDelay)(&o)
	return func() (*lab.Lab, *rds.Client) {
		t.Helper()
		l, err := lab.New(o)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close(context.Background()) })
		return l, labtest.Client(t, l)
	}
}

// TestLabRestartResumesInstances stops a lab and starts another on its
// dir: the instance comes back on the same endpoint with its data, and a
// change that was pending a reboot is still pending, not silently applied.
func TestLabRestartResumesInstances(t *testing.T) {
	start := labOnDir(t, 0)
	l, c := start()
	if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("g"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	in := createInstance(t, c, "resume", "g", false)
	db := openDB(t, in)
	if _, err := db.ExecContext(ctx, "CREATE DATABASE kept"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("g"),
		Parameters: []types.Parameter{{ParameterName: aws.String("wait_timeout"), ParameterValue: aws.String("77"), ApplyMethod: types.ApplyMethodPendingReboot}}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_, c = start()
	again := waitAvailable(t, c, "resume")
	if aws.ToInt32(again.Endpoint.Port) != aws.ToInt32(in.Endpoint.Port) {
		t.Fatalf("endpoint port moved: %d -> %d", aws.ToInt32(in.Endpoint.Port), aws.ToInt32(again.Endpoint.Port))
	}
	if applyStatus(again) != "pending-reboot" {
		t.Fatalf("apply status after lab restart: %s", applyStatus(again))
	}
	if v := global(t, db, "wait_timeout"); v != "28800" {
		t.Fatalf("a lab restart applied a pending-reboot change: wait_timeout %s", v)
	}
	var name string
	if err := db.QueryRowContext(ctx, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='kept'").Scan(&name); err != nil {
		t.Fatalf("data after lab restart: %v", err)
	}
}

// TestChangesDuringFailover: an immediate change made while the instance
// fails over reaches the new primary and survives a lab restart, and a
// pending-reboot change made then leaves the instance pending-reboot
// rather than falsely in-sync.
func TestChangesDuringFailover(t *testing.T) {
	start := labOnDir(t, 700*time.Millisecond)
	l, c := start()
	if _, err := c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("g"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	in := createInstance(t, c, "mid", "g", true)
	db := openDB(t, in)
	if _, err := c.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("mid"), ForceFailover: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	modify := func(name, value string, m types.ApplyMethod) {
		t.Helper()
		if _, err := c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("g"),
			Parameters: []types.Parameter{{ParameterName: aws.String(name), ParameterValue: aws.String(value), ApplyMethod: m}}}); err != nil {
			t.Fatal(err)
		}
	}
	modify("wait_timeout", "444", types.ApplyMethodImmediate)
	modify("innodb_log_buffer_size", "33554432", types.ApplyMethodPendingReboot)
	in = waitAvailable(t, c, "mid")
	deadline := time.Now().Add(5 * time.Second)
	for global(t, db, "wait_timeout") != "444" {
		if time.Now().After(deadline) {
			t.Fatal("the immediate change made during the failover never reached the new primary")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s := applyStatus(in); s != "pending-reboot" {
		t.Fatalf("apply status after a failover with a pending change made during it: %s", s)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_, c = start()
	waitAvailable(t, c, "mid")
	if v := global(t, db, "wait_timeout"); v != "444" {
		t.Fatalf("after a lab restart wait_timeout = %s: the change made during the failover was lost", v)
	}
	if v := global(t, db, "innodb_log_buffer_size"); v == "33554432" {
		t.Fatal("a lab restart applied a pending-reboot change")
	}
}

// TestStopDuringReboot: a lab stopped while an instance reboots does not
// leave it failed; the next lab finishes the reboot.
func TestStopDuringReboot(t *testing.T) {
	start := labOnDir(t, 0)
	l, c := start()
	createInstance(t, c, "stopped", "", false)
	if _, err := c.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("stopped")}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_, c = start()
	in := waitAvailable(t, c, "stopped")
	if applyStatus(in) != "in-sync" {
		t.Fatalf("after the interrupted reboot: %s", applyStatus(in))
	}
}

// TestDeferredClassChange: a class change without ApplyImmediately stays
// in PendingModifiedValues, in every Describe, and the server keeps its
// class's formula values; with ApplyImmediately the instance restarts
// with the new class's.
func TestDeferredClassChange(t *testing.T) {
	_, c := startEngineLab(t, 0)
	in := createInstance(t, c, "cls", "", false)
	db := openDB(t, in)
	if _, err := c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("cls"),
		DBInstanceClass: aws.String("db.t3.small")}); err != nil {
		t.Fatal(err)
	}
	in = waitAvailable(t, c, "cls")
	if in.PendingModifiedValues == nil || aws.ToString(in.PendingModifiedValues.DBInstanceClass) != "db.t3.small" || aws.ToString(in.DBInstanceClass) != "db.t3.micro" {
		t.Fatalf("deferred class: class %s, pending %+v", aws.ToString(in.DBInstanceClass), in.PendingModifiedValues)
	}
	if _, err := c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("cls"),
		DBInstanceClass: aws.String("db.t3.small"), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	in = waitAvailable(t, c, "cls") // the class change marked it modifying before answering
	if aws.ToString(in.DBInstanceClass) != "db.t3.small" || aws.ToString(in.PendingModifiedValues.DBInstanceClass) != "" {
		t.Fatalf("after ApplyImmediately: class %s, pending %+v", aws.ToString(in.DBInstanceClass), in.PendingModifiedValues)
	}
	// LEAST({DBInstanceClassMemory/25165760},12000) for 2 GiB.
	if v := global(t, db, "max_connections"); v != "85" {
		t.Fatalf("max_connections on db.t3.small = %s, want 85", v)
	}
}

// TestStatusDuringFailover: neither lab status nor the API waits for a
// failover in progress (the engine holds its lock for the whole outage).
func TestStatusDuringFailover(t *testing.T) {
	l, c := startEngineLab(t, 2*time.Second)
	createInstance(t, c, "busy", "", true)
	if _, err := c.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("busy"), ForceFailover: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	// Every status and Describe call answers at once during the outage;
	// poll them until the old primary is gone and the standby not yet up.
	deadline := time.Now().Add(10 * time.Second)
	for {
		start := time.Now()
		st, err := lab.FetchStatus(ctx, l.Endpoint())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cloud.FindInstance(ctx, c, "busy"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("lab status and DescribeDBInstances took %s during a failover: they waited for it", d)
		}
		if len(st.Instances) != 1 || st.Instances[0].Status != "rebooting" {
			t.Fatalf("status mid-failover: %+v", st.Instances)
		}
		if st.Instances[0].EnginePID == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no engine down 10s into a 2s failover: %+v", st.Instances)
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitAvailable(t, c, "busy")
}
