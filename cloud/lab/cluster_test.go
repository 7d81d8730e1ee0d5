package lab_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/go-sql-driver/mysql"

	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/cloud/lab/proxy"
)

// The Aurora MySQL cluster story, on one three-member cluster (each
// member is a mariadbd): roles and replication, the endpoints, parameter
// propagation with instance-over-cluster precedence, failovers with and
// without a target, the outage window, the delete rules, and a lab
// restart that brings it all back.

func waitCluster(t *testing.T, c *rds.Client, id string, ok func(types.DBCluster) bool) types.DBCluster {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(id)})
		if err != nil {
			t.Fatalf("describing %s: %v", id, err)
		}
		if cl := out.DBClusters[0]; ok(cl) {
			return cl
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster %s: condition not reached: %+v", id, out.DBClusters[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func clusterAvailable(cl types.DBCluster) bool { return aws.ToString(cl.Status) == "available" }

func createMember(t *testing.T, c *rds.Client, cluster, id, group string) {
	t.Helper()
	in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.medium"),
		Engine: aws.String("aurora-mysql"), DBClusterIdentifier: aws.String(cluster)}
	if group != "" {
		in.DBParameterGroupName = aws.String(group)
	}
	if _, err := c.CreateDBInstance(ctx, in); err != nil {
		t.Fatalf("creating member %s: %v", id, err)
	}
}

// openAddr connects to host:port as the master user, with tight timeouts;
// every query runs on a fresh connection.
func openAddr(t *testing.T, host string, port int32) *sql.DB {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net = masterUser, masterPassword, "tcp"
	cfg.Addr = fmt.Sprintf("%s:%d", host, port)
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = 2*time.Second, 5*time.Second, 5*time.Second
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxIdleConns(0)
	t.Cleanup(func() { db.Close() })
	return db
}

// eventually polls fn until it returns nil, or fails the test with its
// last error after timeout.
func eventually(t *testing.T, timeout time.Duration, what string, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func count(db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM app.t").Scan(&n)
	return n, err
}

func wantRows(db *sql.DB, n int) func() error {
	return func() error {
		got, err := count(db)
		if err != nil {
			return err
		}
		if got != n {
			return fmt.Errorf("%d rows, want %d", got, n)
		}
		return nil
	}
}

func isReadOnlyError(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1290
}

func members(cl types.DBCluster) map[string]types.DBClusterMember {
	out := map[string]types.DBClusterMember{}
	for _, m := range cl.DBClusterMembers {
		out[aws.ToString(m.DBInstanceIdentifier)] = m
	}
	return out
}

func writerOf(cl types.DBCluster) string {
	for _, m := range cl.DBClusterMembers {
		if aws.ToBool(m.IsClusterWriter) {
			return aws.ToString(m.DBInstanceIdentifier)
		}
	}
	return ""
}

func serverID(t *testing.T, db *sql.DB) string {
	t.Helper()
	return global(t, db, "server_id")
}

func TestAuroraCluster(t *testing.T) {
	start := labOnDir(t, 300*time.Millisecond)
	l, c := start()
	lab.CheckResponsesAgainstModel(t, l)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.CreateDBClusterParameterGroup(ctx, &rds.CreateDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String("cg"),
		DBParameterGroupFamily: aws.String("aurora-mysql8.0"), Description: aws.String("cluster")}))
	must(c.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("ig"),
		DBParameterGroupFamily: aws.String("aurora-mysql8.0"), Description: aws.String("instance")}))
	out, err := c.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("c1"),
		Engine: aws.String("aurora-mysql"), MasterUsername: aws.String(masterUser), MasterUserPassword: aws.String(masterPassword),
		DBClusterParameterGroupName: aws.String("cg"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("db")}}})
	if err != nil {
		t.Fatal(err)
	}
	if s := aws.ToString(out.DBCluster.Status); s != "creating" {
		t.Fatalf("status after CreateDBCluster = %s", s)
	}
	cl := waitCluster(t, c, "c1", clusterAvailable)
	if aws.ToString(cl.Endpoint) != "127.0.0.1" || aws.ToString(cl.ReaderEndpoint) != "127.0.0.2" || aws.ToInt32(cl.Port) == 0 {
		t.Fatalf("endpoints: %s / %s port %d", aws.ToString(cl.Endpoint), aws.ToString(cl.ReaderEndpoint), aws.ToInt32(cl.Port))
	}
	createMember(t, c, "c1", "w1", "")
	createMember(t, c, "c1", "r1", "")
	createMember(t, c, "c1", "r2", "ig")
	ins := map[string]types.DBInstance{}
	for _, id := range []string{"w1", "r1", "r2"} {
		ins[id] = waitAvailable(t, c, id)
	}
	cl = waitCluster(t, c, "c1", clusterAvailable)
	ms := members(cl)
	if len(ms) != 3 || writerOf(cl) != "w1" || aws.ToInt32(ms["r1"].PromotionTier) != 1 ||
		aws.ToString(ms["r2"].DBClusterParameterGroupStatus) != "in-sync" {
		t.Fatalf("members: %+v", cl.DBClusterMembers)
	}
	port := aws.ToInt32(cl.Port)
	writer := openAddr(t, "127.0.0.1", port)
	reader := openAddr(t, "127.0.0.2", port)
	inst := map[string]*sql.DB{}
	for id, in := range ins {
		inst[id] = openDB(t, in)
	}

	// The writer takes writes through the cluster endpoint; the readers
	// are read-only and replicate them.
	for _, q := range []string{"CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)", "INSERT INTO app.t VALUES (1),(2),(3)"} {
		if _, err := writer.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s through the cluster endpoint: %v", q, err)
		}
	}
	if serverID(t, writer) != serverID(t, inst["w1"]) {
		t.Fatal("the cluster endpoint does not reach the writer")
	}
	for _, id := range []string{"r1", "r2"} {
		if v := global(t, inst[id], "read_only"); v != "1" {
			t.Fatalf("%s: read_only = %s", id, v)
		}
		eventually(t, 10*time.Second, id+" replicates", wantRows(inst[id], 3))
		_, err := inst[id].ExecContext(ctx, "INSERT INTO app.t VALUES (100)")
		if !isReadOnlyError(err) {
			t.Fatalf("write to reader %s: %v, want error 1290", id, err)
		}
	}
	if v := global(t, inst["w1"], "read_only"); v != "0" {
		t.Fatalf("writer read_only = %s", v)
	}

	// The reader endpoint spreads connections across the readers.
	seen := map[string]int{}
	for range 4 {
		seen[serverID(t, reader)]++
	}
	if len(seen) != 2 || seen[serverID(t, inst["r1"])] != 2 || seen[serverID(t, inst["r2"])] != 2 {
		t.Fatalf("4 reader endpoint connections went to server ids %v", seen)
	}

	t.Run("parameters", func(t *testing.T) {
		// A cluster group change reaches every member; r2's instance group
		// sets the same parameter, which wins on r2 only.
		must(c.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("ig"),
			Parameters: []types.Parameter{{ParameterName: aws.String("key_buffer_size"), ParameterValue: aws.String("25165824"), ApplyMethod: types.ApplyMethodImmediate}}}))
		must(c.ModifyDBClusterParameterGroup(ctx, &rds.ModifyDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String("cg"),
			Parameters: []types.Parameter{
				{ParameterName: aws.String("key_buffer_size"), ParameterValue: aws.String("16777216"), ApplyMethod: types.ApplyMethodImmediate},
				{ParameterName: aws.String("innodb_strict_mode"), ParameterValue: aws.String("0"), ApplyMethod: types.ApplyMethodImmediate},
			}}))
		want := map[string]string{"w1": "16777216", "r1": "16777216", "r2": "25165824"}
		for id, v := range want {
			eventually(t, 5*time.Second, id+" key_buffer_size", func() error {
				if got := global(t, inst[id], "key_buffer_size"); got != v {
					return fmt.Errorf("%s, want %s", got, v)
				}
				if got := global(t, inst[id], "innodb_strict_mode"); got != "0" {
					return fmt.Errorf("innodb_strict_mode %s, want 0", got)
				}
				return nil
			})
		}
		waitCluster(t, c, "c1", func(cl types.DBCluster) bool {
			for _, m := range cl.DBClusterMembers {
				if aws.ToString(m.DBClusterParameterGroupStatus) != "in-sync" {
					return false
				}
			}
			return true
		})
		// A static change waits for each member's reboot.
		must(c.ModifyDBClusterParameterGroup(ctx, &rds.ModifyDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String("cg"),
			Parameters: []types.Parameter{{ParameterName: aws.String("innodb_ft_min_token_size"), ParameterValue: aws.String("2"), ApplyMethod: types.ApplyMethodPendingReboot}}}))
		cl := waitCluster(t, c, "c1", clusterAvailable)
		for _, m := range cl.DBClusterMembers {
			if s := aws.ToString(m.DBClusterParameterGroupStatus); s != "pending-reboot" {
				t.Fatalf("%s after a static cluster change: %s", aws.ToString(m.DBInstanceIdentifier), s)
			}
		}
		if v := global(t, inst["r1"], "innodb_ft_min_token_size"); v != "3" {
			t.Fatalf("a pending-reboot change reached r1: %s", v)
		}
		must(c.RebootDBInstance(ctx, &rds.RebootDBInstanceInput{DBInstanceIdentifier: aws.String("r1")}))
		waitAvailable(t, c, "r1")
		cl = waitCluster(t, c, "c1", func(cl types.DBCluster) bool {
			return aws.ToString(members(cl)["r1"].DBClusterParameterGroupStatus) == "in-sync"
		})
		if s := aws.ToString(members(cl)["w1"].DBClusterParameterGroupStatus); s != "pending-reboot" {
			t.Fatalf("w1 after r1's reboot: %s", s)
		}
		if v := global(t, inst["r1"], "innodb_ft_min_token_size"); v != "2" {
			t.Fatalf("r1 after reboot: innodb_ft_min_token_size %s", v)
		}
		if v := global(t, inst["r1"], "read_only"); v != "1" {
			t.Fatalf("r1 after reboot: read_only %s", v)
		}
		// The rebooted reader replicates again.
		if _, err := writer.ExecContext(ctx, "INSERT INTO app.t VALUES (4)"); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "r1 replicates after its reboot", wantRows(inst["r1"], 4))
	})
	t.Run("failover", func(t *testing.T) {
		before := serverID(t, writer)
		startedAt := time.Now()
		// Through the AWS CLI.
		out, stderr, err := awsCLI(t, l, "failover-db-cluster", "--db-cluster-identifier", "c1", "--target-db-instance-identifier", "r1")
		if err != nil {
			t.Fatalf("aws rds failover-db-cluster: %v: %s", err, stderr)
		}
		if s := out["DBCluster"].(map[string]any)["Status"]; s != "failing-over" {
			t.Fatalf("status after failover-db-cluster = %v", s)
		}
		cl := waitCluster(t, c, "c1", clusterAvailable)
		if writerOf(cl) != "r1" {
			t.Fatalf("writer after failover to r1: %s", writerOf(cl))
		}
		// And boto3 describes it.
		py := requireBoto3(t)
		script, _ := filepath.Abs(filepath.Join("testdata", "boto3_clusters.py"))
		cmd := exec.Command(py, script, "r1", "w1,r2")
		cmd.Env = append(os.Environ(), labtest.Env(l)...)
		if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "boto3 clusters: ok") {
			t.Fatalf("boto3: %v\n%s", err, b)
		}
		// The cluster endpoint follows the writer, with the data.
		if id := serverID(t, writer); id != serverID(t, inst["r1"]) || id == before {
			t.Fatalf("cluster endpoint reaches server %s; r1 is %s, the old writer %s", id, serverID(t, inst["r1"]), before)
		}
		if n, err := count(writer); err != nil || n != 4 {
			t.Fatalf("data through the cluster endpoint after failover: %d, %v", n, err)
		}
		if _, err := writer.ExecContext(ctx, "INSERT INTO app.t VALUES (5)"); err != nil {
			t.Fatalf("write through the cluster endpoint after failover: %v", err)
		}
		// The trap: the old writer's instance endpoint is still the old
		// writer, now a read-only reader of the new one.
		_, err = inst["w1"].ExecContext(ctx, "INSERT INTO app.t VALUES (6)")
		if !isReadOnlyError(err) {
			t.Fatalf("write to the old writer's instance endpoint: %v, want error 1290", err)
		}
		for _, id := range []string{"w1", "r2"} {
			eventually(t, 10*time.Second, id+" follows the new writer", wantRows(inst[id], 5))
		}
		// The outage window and the events.
		var o *lab.Outage
		for _, x := range l.Status().Outages {
			if x.Cluster == "c1" {
				o = &x
			}
		}
		if o == nil || o.OldWriter != "w1" || o.NewWriter != "r1" || o.Cause != "failover" || o.Instance != "" {
			t.Fatalf("cluster outage: %+v", o)
		}
		if d := o.RestoredAt.Sub(o.CutAt); d < 300*time.Millisecond || d > 10*time.Second || o.CutAt.Before(startedAt) {
			t.Fatalf("outage window %s..%s (%s) for a 300ms failover delay", o.CutAt, o.RestoredAt, d)
		}
		if cs := l.Status().Clusters; len(cs) != 1 || cs[0].Writer != "r1" || strings.Join(cs[0].Readers, ",") != "r2,w1" ||
			cs[0].WriterEndpoint != fmt.Sprintf("127.0.0.1:%d", port) || cs[0].ReaderEndpoint != fmt.Sprintf("127.0.0.2:%d", port) {
			t.Fatalf("lab status clusters: %+v", cs)
		}
		ev, err := c.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceType: types.SourceTypeDbCluster, SourceIdentifier: aws.String("c1")})
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, e := range ev.Events {
			msgs = append(msgs, aws.ToString(e.Message))
		}
		joined := strings.Join(msgs, "|")
		for _, want := range []string{"DB cluster created.", "Started cross AZ failover to DB instance: r1", "Completed failover to DB instance: r1"} {
			if !strings.Contains(joined, want) {
				t.Errorf("cluster events lack %q: %s", want, joined)
			}
		}

		// Without a target: the most up-to-date reader, here either.
		if _, err := c.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("c1")}); err != nil {
			t.Fatal(err)
		}
		cl = waitCluster(t, c, "c1", clusterAvailable)
		w := writerOf(cl)
		if w != "w1" && w != "r2" {
			t.Fatalf("writer after an untargeted failover: %q", w)
		}
		if serverID(t, writer) != serverID(t, inst[w]) {
			t.Fatal("the cluster endpoint does not follow the new writer")
		}
		if _, err := writer.ExecContext(ctx, "INSERT INTO app.t VALUES (7)"); err != nil {
			t.Fatalf("write after the second failover: %v", err)
		}
		for id, db := range inst {
			eventually(t, 10*time.Second, id+" after the second failover", wantRows(db, 6))
		}
	})

	t.Run("rules", func(t *testing.T) {
		_, err := c.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("nope")})
		wantAPIError(t, err, "DBClusterNotFoundFault", http.StatusNotFound, "DBCluster nope not found.")
		_, err = c.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("c1"),
			Engine: aws.String("aurora-mysql"), MasterUsername: aws.String(masterUser), MasterUserPassword: aws.String(masterPassword)})
		wantAPIError(t, err, "DBClusterAlreadyExistsFault", http.StatusBadRequest, "")
		_, err = c.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("c1"), SkipFinalSnapshot: aws.Bool(true)})
		wantAPIError(t, err, "InvalidDBClusterStateFault", http.StatusBadRequest, "it still contains DB instances")
		cl := waitCluster(t, c, "c1", clusterAvailable)
		_, err = c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(writerOf(cl))})
		wantAPIError(t, err, "InvalidDBClusterStateFault", http.StatusBadRequest, "fail over first")
		_, err = c.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("c1"),
			TargetDBInstanceIdentifier: aws.String(writerOf(cl))})
		wantAPIError(t, err, "InvalidParameterValue", http.StatusBadRequest, "already the writer")
		_, err = c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("x"), DBInstanceClass: aws.String("db.t3.medium"),
			Engine: aws.String("aurora-mysql"), DBClusterIdentifier: aws.String("c1"), MasterUsername: aws.String("admin")})
		wantAPIError(t, err, "InvalidParameterCombination", http.StatusBadRequest, "Set MasterUsername for the DB Cluster")
		_, err = c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("r2"), MasterUserPassword: aws.String("another-Pa55word")})
		wantAPIError(t, err, "InvalidParameterCombination", http.StatusBadRequest, "Modify MasterUserPassword for the DB Cluster")
		// The members CreateDBCluster honours, on a cluster without members
		// (no server runs for it).
		must(c.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("empty"),
			Engine: aws.String("aurora-mysql"), EngineVersion: aws.String("8.0"), MasterUsername: aws.String(masterUser), MasterUserPassword: aws.String(masterPassword),
			DatabaseName: aws.String("appdb"), BackupRetentionPeriod: aws.Int32(7), DeletionProtection: aws.Bool(false)}))
		empty := waitCluster(t, c, "empty", clusterAvailable)
		if aws.ToString(empty.DatabaseName) != "appdb" || aws.ToInt32(empty.BackupRetentionPeriod) != 7 || aws.ToInt32(empty.Port) == port ||
			aws.ToString(empty.DBClusterParameterGroup) != "default.aurora-mysql8.0" || len(empty.DBClusterMembers) != 0 {
			t.Fatalf("empty cluster: %+v", empty)
		}
		all, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{IncludeShared: aws.Bool(true), MaxRecords: aws.Int32(20)})
		if err != nil || len(all.DBClusters) != 2 {
			t.Fatalf("describe all: %+v, %v", all, err)
		}
		must(c.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("empty"), SkipFinalSnapshot: aws.Bool(true)}))
		_, err = c.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("c1")})
		wantAPIError(t, err, "InvalidParameterCombination", http.StatusBadRequest, "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
		// Tags by the cluster's ARN.
		arn := aws.ToString(cl.DBClusterArn)
		must(c.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("lab")}}}))
		must(c.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: []string{"team"}}))
		tags, err := c.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(arn)})
		if err != nil || len(tags.TagList) != 1 || aws.ToString(tags.TagList[0].Key) != "env" {
			t.Fatalf("cluster tags: %+v, %v", tags, err)
		}
		// Filters and DeletionProtection.
		f, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{Filters: []types.Filter{{Name: aws.String("db-instance-id"), Values: []string{"r2"}}}})
		if err != nil || len(f.DBClusters) != 1 {
			t.Fatalf("db-instance-id filter: %+v, %v", f, err)
		}
		must(c.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("c1"), DeletionProtection: aws.Bool(true), ApplyImmediately: aws.Bool(true)}))
		_, err = c.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("c1"), SkipFinalSnapshot: aws.Bool(true)})
		wantAPIError(t, err, "InvalidParameterCombination", http.StatusBadRequest, "Cannot delete protected Cluster")
		must(c.ModifyDBCluster(ctx, &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("c1"), DeletionProtection: aws.Bool(false)}))
	})

	outer := t
	t.Run("restart", func(t *testing.T) {
		cl := waitCluster(t, c, "c1", clusterAvailable)
		w := writerOf(cl)
		if err := l.Close(ctx); err != nil {
			t.Fatal(err)
		}
		// The same dir, now with failovers that black-hole the cluster
		// endpoint for a second.
		o := lab.Options{Dir: l.Dir()}
		labtest.WithEngine(t, time.Second)(&o)
		o.FailoverMode = proxy.Blackhole
		var err error
		if l, err = lab.New(o); err != nil {
			t.Fatal(err)
		}
		if err := l.Start(ctx); err != nil {
			t.Fatal(err)
		}
		outer.Cleanup(func() { l.Close(context.Background()) })
		c = labtest.Client(t, l)
		for id := range inst {
			waitAvailable(t, c, id)
		}
		again := waitCluster(t, c, "c1", clusterAvailable)
		if aws.ToInt32(again.Port) != port || writerOf(again) != w {
			t.Fatalf("after a lab restart: port %d (was %d), writer %s (was %s)", aws.ToInt32(again.Port), port, writerOf(again), w)
		}
		if _, err := writer.ExecContext(ctx, "INSERT INTO app.t VALUES (8)"); err != nil {
			t.Fatalf("write through the cluster endpoint after a lab restart: %v", err)
		}
		for id, db := range inst {
			eventually(t, 20*time.Second, id+" replicates after a lab restart", wantRows(db, 7))
			if want := map[bool]string{true: "0", false: "1"}[id == w]; global(t, db, "read_only") != want {
				t.Fatalf("%s read_only after a lab restart: want %s", id, want)
			}
		}
	})

	t.Run("blackhole", func(t *testing.T) {
		if _, err := c.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("c1")}); err != nil {
			t.Fatal(err)
		}
		// During the outage the cluster endpoint accepts connections and
		// never answers, as a dead writer's address does.
		eventually(t, 5*time.Second, "a black-holed connection", func() error {
			conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
			if err != nil {
				return err
			}
			defer conn.Close()
			conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			_, err = conn.Read(make([]byte, 1))
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil
			}
			return fmt.Errorf("read = %v, want a timeout", err)
		})
		cl := waitCluster(t, c, "c1", clusterAvailable)
		if _, err := writer.ExecContext(ctx, "INSERT INTO app.t VALUES (9)"); err != nil {
			t.Fatalf("write after the black-holing failover: %v", err)
		}
		var o lab.Outage
		for _, x := range l.Status().Outages {
			if x.Cluster == "c1" {
				o = x
			}
		}
		if o.NewWriter != writerOf(cl) || o.RestoredAt.Sub(o.CutAt) < time.Second {
			t.Fatalf("last cluster outage %+v, writer %s", o, writerOf(cl))
		}
	})

	t.Run("delete", func(t *testing.T) {
		cl := waitCluster(t, c, "c1", clusterAvailable)
		w := writerOf(cl)
		for id := range inst {
			if id != w {
				must(c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id)}))
			}
		}
		waitCluster(t, c, "c1", func(cl types.DBCluster) bool { return len(cl.DBClusterMembers) == 1 })
		// With no reader, the reader endpoint reaches the writer.
		if serverID(t, reader) != serverID(t, inst[w]) {
			t.Fatal("the reader endpoint of a cluster without readers does not reach the writer")
		}
		_, err := c.FailoverDBCluster(ctx, &rds.FailoverDBClusterInput{DBClusterIdentifier: aws.String("c1")})
		wantAPIError(t, err, "InvalidDBClusterStateFault", http.StatusBadRequest, "no available reader")
		must(c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(w)}))
		waitCluster(t, c, "c1", func(cl types.DBCluster) bool { return len(cl.DBClusterMembers) == 0 })
		if _, err := writer.ExecContext(ctx, "SELECT 1"); err == nil {
			t.Fatal("the cluster endpoint of a cluster without members answered")
		}
		must(c.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String("c1"), SkipFinalSnapshot: aws.Bool(true)}))
		eventually(t, 10*time.Second, "cluster deleted", func() error {
			_, err := c.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String("c1")})
			if err == nil {
				return errors.New("still there")
			}
			return nil
		})
	})
}
