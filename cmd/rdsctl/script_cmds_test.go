package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/go-sql-driver/mysql"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
)

// extraScriptCmds are testscript commands defined outside main_test.go, one
// file per concern, so that command groups can add fixtures without
// editing a shared map.
var extraScriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"labinstance": cmdLabInstance,
	"labsql":      cmdLabSQL,
	"labwait":     cmdLabWait,
}

func withExtraCmds(m map[string]func(ts *testscript.TestScript, neg bool, args []string)) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	for k, v := range extraScriptCmds {
		if _, dup := m[k]; dup {
			panic("testscript command defined twice: " + k)
		}
		m[k] = v
	}
	return m
}

// setupScriptEnv gives every script the shared MariaDB template (so a lab
// with engines starts instances without running mariadb-install-db) and
// the DB password rdsctl reads by default.
func setupScriptEnv(env *testscript.Env) error {
	if d := os.Getenv("RDSCTL_TEMPLATE_DIR"); d != "" {
		env.Setenv("RDSCTL_TEMPLATE_DIR", d)
	} else if scriptTemplateDir != "" {
		env.Setenv("RDSCTL_TEMPLATE_DIR", scriptTemplateDir)
	}
	env.Setenv("RDSCTL_DB_PASSWORD", scriptDBPassword)
	env.Setenv("DB_PASSWORD", scriptDBPassword)
	env.Setenv("CI", os.Getenv("CI"))
	return nil
}

// scriptTemplateDir is set by TestScripts when mariadbd is available.
var scriptTemplateDir string

// scriptDBPassword is the master password of instances made by labinstance.
const scriptDBPassword = "Script-pa55word"

func scriptRDS(ts *testscript.TestScript) *rds.Client {
	return rds.New(rds.Options{
		Region:       ts.Getenv("AWS_REGION"),
		BaseEndpoint: aws.String(ts.Getenv("AWS_ENDPOINT_URL_RDS")),
		Credentials:  credentials.NewStaticCredentialsProvider(labCredentials, labCredentials, ""),
	}, cloud.WithOwnRequestBody)
}

// cmdLabInstance creates a DB instance on the script's lab (which must run
// with engines) and waits until it is available:
//
//	labinstance ID [multi-az] [group=G] [class=C] [engine=E]
//
// It exports ${ID}_PORT (with '-' as '_'), the endpoint port. The master
// user is admin, the password $RDSCTL_DB_PASSWORD.
func cmdLabInstance(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: labinstance ID [multi-az] [group=G] [class=C] [engine=E] [tag=KEY=VALUE]")
	}
	in := &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(args[0]), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("mariadb"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String(scriptDBPassword)}
	for _, a := range args[1:] {
		switch k, v, _ := strings.Cut(a, "="); k {
		case "multi-az":
			in.MultiAZ = aws.Bool(true)
		case "group":
			in.DBParameterGroupName = aws.String(v)
		case "class":
			in.DBInstanceClass = aws.String(v)
		case "engine":
			in.Engine = aws.String(v)
		case "tag":
			tk, tv, _ := strings.Cut(v, "=")
			in.Tags = append(in.Tags, types.Tag{Key: aws.String(tk), Value: aws.String(tv)})
		default:
			ts.Fatalf("labinstance: unknown option %q", a)
		}
	}
	c := scriptRDS(ts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := c.CreateDBInstance(ctx, in); err != nil {
		ts.Fatalf("labinstance: %v", err)
	}
	if err := cloud.WaitInstanceAvailable(ctx, c, args[0], 2*time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	}); err != nil {
		ts.Fatalf("labinstance: %v", err)
	}
	got, err := cloud.FindInstance(ctx, c, args[0])
	ts.Check(err)
	ts.Setenv(strings.ReplaceAll(args[0], "-", "_")+"_PORT", strconv.Itoa(int(aws.ToInt32(got.Endpoint.Port))))
}

// cmdLabWait waits until a lab instance is available again (after a
// reboot or failover started by the script):
//
//	labwait ID
func cmdLabWait(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: labwait ID")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// RebootDBInstance marks the instance rebooting before it answers, so
	// this never sees the "available" of before the reboot.
	if err := cloud.WaitInstanceAvailable(ctx, scriptRDS(ts), args[0], 2*time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
	}); err != nil {
		ts.Fatalf("labwait: %v", err)
	}
}

// cmdLabSQL runs one statement on a lab instance as the master user, over
// a non-interactive connection with tight timeouts, and prints any rows
// tab-separated:
//
//	labsql ID 'SET GLOBAL wait_timeout = 999'
func cmdLabSQL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: labsql ID STATEMENT")
	}
	port := ts.Getenv(strings.ReplaceAll(args[0], "-", "_") + "_PORT")
	if port == "" {
		ts.Fatalf("labsql: no port for %s (create it with labinstance)", args[0])
	}
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "admin", scriptDBPassword, "tcp", "127.0.0.1:"+port
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = 3*time.Second, 5*time.Second, 5*time.Second
	conn, err := mysql.NewConnector(cfg)
	ts.Check(err)
	db := sql.OpenDB(conn)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, args[1])
	if err != nil {
		if neg {
			fmt.Fprintf(ts.Stdout(), "%v\n", err)
			return
		}
		ts.Fatalf("labsql: %v", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		ts.Check(rows.Scan(ptrs...))
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = v.String
		}
		fmt.Fprintln(ts.Stdout(), strings.Join(out, "\t"))
	}
	if err := rows.Err(); err != nil && !neg {
		ts.Fatalf("labsql: %v", err)
	}
	if neg {
		ts.Fatalf("labsql: unexpected success")
	}
}

// mariadbAvailable reports whether engine labs can run here; the [mariadb]
// condition. Under CI it must hold.
func mariadbAvailable() bool {
	_, err := mysqld.Find()
	return err == nil
}
