package verify_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
	"github.com/rdsctl/rdsctl/verify"
)

// counted is the lab's real client, counting the calls made through it,
// so a test can hold that bad options fail before any.
type counted struct {
	*rds.Client
	n atomic.Int32
}

func (c *counted) DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, o ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	c.n.Add(1)
	return c.Client.DescribeDBInstances(ctx, in, o...)
}

func (c *counted) DescribeDBParameterGroups(ctx context.Context, in *rds.DescribeDBParameterGroupsInput, o ...func(*rds.Options)) (*rds.DescribeDBParameterGroupsOutput, error) {
	c.n.Add(1)
	return c.Client.DescribeDBParameterGroups(ctx, in, o...)
}

var labAWS = aws.Config{Region: "us-east-1"}

// TestInstanceRejectsBadOptionsFirst: settings that cannot work are
// refused before the first API call, for one instance and for a group.
func TestInstanceRejectsBadOptionsFirst(t *testing.T) {
	api := &counted{Client: labtest.Client(t, labtest.Start(t))}
	missing := filepath.Join(t.TempDir(), "nope")
	for name, o := range map[string]verify.Options{
		"password file": {Login: verify.Login{PasswordFile: missing}},
		"ca bundle":     {Login: verify.Login{CABundle: missing}},
		"iam, tls off":  {Login: verify.Login{IAMAuth: true, TLS: verify.TLSOff}},
		"empty env":     {Login: verify.Login{PasswordEnv: "RDSCTL_TEST_UNSET_PW"}},
		"nameless":      {Expect: []verify.Expectation{{Value: "1"}}},
	} {
		_, err := verify.Instance(context.Background(), api, labAWS, "db", o)
		if !verify.IsSettingsError(err) {
			t.Errorf("%s: Instance err = %v, want a settings error", name, err)
		}
		_, err = verify.Group(context.Background(), api, labAWS, "g", o)
		if !verify.IsSettingsError(err) {
			t.Errorf("%s: Group err = %v, want a settings error", name, err)
		}
	}
	if n := api.n.Load(); n != 0 {
		t.Errorf("%d API calls before the options were refused", n)
	}
}

// TestInstanceAndGroupNotFound: a missing instance or group is cloud's
// typed not-found error (cloud.IsNotFound holds), in its one shape.
func TestInstanceAndGroupNotFound(t *testing.T) {
	l := labtest.Start(t)
	api := labtest.Client(t, l)
	ctx := context.Background()
	_, err := verify.Instance(ctx, api, labAWS, "nosuch", verify.Options{})
	if !cloud.IsNotFound(err) || err.Error() != `DB instance "nosuch" not found` {
		t.Errorf("missing instance: %v", err)
	}
	_, err = verify.Group(ctx, api, labAWS, "nosuch", verify.Options{})
	if !cloud.IsNotFound(err) || err.Error() != `parameter group "nosuch" not found` {
		t.Errorf("missing group: %v", err)
	}
	if _, err := api.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("unused"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := verify.Group(ctx, api, labAWS, "unused", verify.Options{}); err == nil || err.Error() != "no DB instance uses parameter group unused" {
		t.Errorf("unused group: %v", err)
	}
}

const labPassword = "Verify-lab-pa55"

// TestInstanceAndGroupOnLab verifies real lab instances: the report comes
// out complete (class, group, apply status, a formula evaluated for the
// class), an --expect the server does not run is a finding, a refused
// login names its password source, and Group reports every member.
func TestInstanceAndGroupOnLab(t *testing.T) {
	l := labtest.Start(t, labtest.WithEngine(t, 0))
	api := labtest.Client(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := api.CreateDBParameterGroup(ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String("fleet"),
		DBParameterGroupFamily: aws.String("mariadb10.11"), Description: aws.String("verify test")}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String("fleet"),
		Parameters: []types.Parameter{
			{ParameterName: aws.String("wait_timeout"), ParameterValue: aws.String("300"), ApplyMethod: types.ApplyMethodImmediate},
			{ParameterName: aws.String("max_connections"), ParameterValue: aws.String("{DBInstanceClassMemory/12582880}"), ApplyMethod: types.ApplyMethodPendingReboot},
		}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"db-a", "db-b"} {
		if _, err := api.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), DBInstanceClass: aws.String("db.t3.micro"),
			Engine: aws.String("mariadb"), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String(labPassword),
			DBParameterGroupName: aws.String("fleet")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"db-a", "db-b"} {
		if err := cloud.WaitInstanceAvailable(ctx, api, id, 2*time.Minute, func(o *rds.DBInstanceAvailableWaiterOptions) {
			o.MinDelay, o.MaxDelay = 20*time.Millisecond, 100*time.Millisecond
		}); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{verify.EnvPassword: labPassword}
	opts := verify.Options{Login: verify.Login{Getenv: func(k string) string { return env[k] }}}

	rep, err := verify.Instance(ctx, api, labAWS, "db-a", opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Instance != "db-a" || rep.InstanceClass != "db.t3.micro" || rep.ParameterGroup != "fleet" || rep.ParameterApplyStatus != "in-sync" {
		t.Errorf("report header = %q %q %q %q", rep.Instance, rep.InstanceClass, rep.ParameterGroup, rep.ParameterApplyStatus)
	}
	byName := map[string]verify.Result{}
	for _, r := range rep.Parameters {
		byName[r.Name] = r
	}
	if r := byName["wait_timeout"]; r.Status != verify.StatusOK || r.Actual != "300" {
		t.Errorf("wait_timeout: %+v", r)
	}
	if r := byName["max_connections"]; r.Status != verify.StatusOK || r.Formula == "" || r.Expected == r.Formula {
		t.Errorf("max_connections (a formula for db.t3.micro): %+v", r)
	}

	// An --expect the server does not run is drift; a wrong password is
	// refused, saying where the password came from and never quoting it.
	o := opts
	o.Expect = []verify.Expectation{{Name: "wait_timeout", Value: "301", Source: "expect"}}
	if rep, err := verify.Instance(ctx, api, labAWS, "db-a", o); err != nil || rep.Findings() != 1 {
		t.Errorf("expect 301: findings %v, err %v", rep, err)
	}
	env[verify.EnvPassword] = "Wr0ng-pa55"
	_, err = verify.Instance(ctx, api, labAWS, "db-a", opts)
	if !verify.IsAuthError(err) || !strings.Contains(err.Error(), "(password from $RDSCTL_DB_PASSWORD)") || strings.Contains(err.Error(), "Wr0ng-pa55") {
		t.Errorf("wrong password: %v", err)
	}
	env[verify.EnvPassword] = labPassword

	var progress []string
	o = opts
	o.Progress = func(format string, args ...any) { progress = append(progress, format) }
	g, err := verify.Group(ctx, api, labAWS, "fleet", o)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Instances) != 2 || g.Instances[0].Instance != "db-a" || g.Instances[1].Instance != "db-b" || len(g.Failed()) != 0 || len(g.Reports()) != 2 {
		t.Errorf("group = %+v", g)
	}
	for _, m := range g.Instances {
		if m.Report == nil || m.ParameterGroup != "fleet" || m.Findings() != 0 {
			t.Errorf("member %s: %+v", m.Instance, m.Report)
		}
	}
	if len(progress) != 1 {
		t.Errorf("progress = %q", progress)
	}
}
