package lab_test

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/go-sql-driver/mysql"

	"github.com/rdsctl/rdsctl/cloud/lab"
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
}
