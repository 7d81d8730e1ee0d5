package lab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// stsClient is an STS client for the lab, signed with creds.
func stsClient(l *lab.Lab, creds aws.CredentialsProvider) *sts.Client {
	return sts.New(sts.Options{Region: l.Region(), BaseEndpoint: aws.String(l.Endpoint()), Credentials: creds})
}

func dummyCreds() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(labtest.AccessKeyID, labtest.SecretAccessKey, "")
}

// regionClient is an RDS client for the lab signed for region with creds.
func regionClient(l *lab.Lab, region string, creds aws.CredentialsProvider) *rds.Client {
	return rds.New(rds.Options{Region: region, BaseEndpoint: aws.String(l.Endpoint()), Credentials: creds}, cloud.WithOwnRequestBody)
}

func groupNames(t *testing.T, c *rds.Client) map[string]string {
	t.Helper()
	gs, err := cloud.AllParameterGroups(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, g := range gs {
		if !strings.HasPrefix(*g.DBParameterGroupName, "default.") {
			out[*g.DBParameterGroupName] = *g.DBParameterGroupArn
		}
	}
	return out
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestRegionsAndAccounts(t *testing.T) {
	dir := t.TempDir()
	l := labtest.Start(t, func(o *lab.Options) { o.Dir = dir })
	home := labtest.Client(t, l)
	eu := regionClient(l, "eu-west-1", dummyCreds())
	createGroup(t, home, "shared")
	createGroup(t, eu, "shared") // no clash: another region
	createGroup(t, eu, "eu-only")

	// The caller of the dummy keys is the lab's own account.
	id, err := stsClient(l, dummyCreds()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Account != "000000000000" {
		t.Fatalf("GetCallerIdentity: %v %+v", err, id)
	}

	// A role in another account: its temporary key lands RDS calls there.
	audit := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient(l, dummyCreds()),
		"arn:aws:iam::111111111111:role/audit", func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "test" }))
	id, err = stsClient(l, audit).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Account != "111111111111" || *id.Arn != "arn:aws:sts::111111111111:assumed-role/audit/test" {
		t.Fatalf("GetCallerIdentity as audit: %v %+v", err, id)
	}
	euAudit := regionClient(l, "eu-west-1", audit)
	createGroup(t, euAudit, "audit-group")

	for _, tc := range []struct {
		name string
		c    *rds.Client
		want map[string]string
	}{
		{"home", home, map[string]string{"shared": "arn:aws:rds:us-east-1:000000000000:pg:shared"}},
		{"eu", eu, map[string]string{"shared": "arn:aws:rds:eu-west-1:000000000000:pg:shared",
			"eu-only": "arn:aws:rds:eu-west-1:000000000000:pg:eu-only"}},
		{"eu audit", euAudit, map[string]string{"audit-group": "arn:aws:rds:eu-west-1:111111111111:pg:audit-group"}},
		{"us audit", regionClient(l, "us-east-1", audit), map[string]string{}},
	} {
		if got := groupNames(t, tc.c); !equalMaps(got, tc.want) {
			t.Errorf("%s sees %v, want %v", tc.name, got, tc.want)
		}
	}

	// Bad role ARNs are STS's ValidationError.
	for _, arn := range []string{"arn:aws:iam::12345:role/audit", "not-an-arn-but-long-enough", "arn:aws:iam::111111111111:user/bob"} {
		_, err := stsClient(l, dummyCreds()).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("s")})
		if apiCode(err) != "ValidationError" {
			t.Errorf("AssumeRole %s: %v, want ValidationError", arn, err)
		}
	}

	// An unsigned call (a raw curl) is the lab's own account and region.
	resp, err := http.PostForm(l.Endpoint(), url.Values{"Action": {"DescribeDBParameterGroups"}, "Version": {"2014-10-31"},
		"DBParameterGroupName": {"eu-only"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unsigned describe of eu-only: %d, want 404", resp.StatusCode)
	}

	// requests.jsonl names each call's namespace.
	found := false
	for _, r := range labtest.Requests(t, l) {
		if r.Action == "CreateDBParameterGroup" && r.Resource == "audit-group" {
			found = r.Region == "eu-west-1" && r.Account == "111111111111"
		}
		if r.Action == "DescribeDBParameterGroups" && r.Resource == "eu-only" && (r.Region != "us-east-1" || r.Account != "000000000000") {
			t.Errorf("unsigned call recorded as %s/%s", r.Account, r.Region)
		}
	}
	if !found {
		t.Error("requests.jsonl has no CreateDBParameterGroup audit-group in 111111111111/eu-west-1")
	}

	// The default namespace keeps its layout; others live under accounts/.
	for _, p := range []string{"state.json", "accounts/000000000000/eu-west-1/state.json", "accounts/111111111111/eu-west-1/state.json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}

	// A restarted lab still has every namespace.
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := l.Close(cctx); err != nil {
		t.Fatal(err)
	}
	l2 := labtest.Start(t, func(o *lab.Options) { o.Dir = dir })
	if got := groupNames(t, regionClient(l2, "eu-west-1", credentials.NewStaticCredentialsProvider("ASIA111111111111ABCD", "x", "y"))); got["audit-group"] == "" {
		t.Errorf("after a restart 111111111111/eu-west-1 has %v", got)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestNamespaceInstance runs a DB instance in another account and region:
// its ARN, AZ and events carry them, and lab status lists it with them.
func TestNamespaceInstance(t *testing.T) {
	l := labtest.Start(t, labtest.WithEngine(t, 0))
	creds := credentials.NewStaticCredentialsProvider("AKIA222222222222ABCD", "x", "")
	c := regionClient(l, "ap-south-1", creds)
	in := createInstance(t, c, "far-db", "", false)
	if *in.DBInstanceArn != "arn:aws:rds:ap-south-1:222222222222:db:far-db" || !strings.HasPrefix(*in.AvailabilityZone, "ap-south-1") {
		t.Errorf("instance %s in %s", *in.DBInstanceArn, *in.AvailabilityZone)
	}
	ev, err := c.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceType: types.SourceTypeDbInstance, SourceIdentifier: aws.String("far-db")})
	if err != nil || len(ev.Events) == 0 || *ev.Events[0].SourceArn != *in.DBInstanceArn {
		t.Errorf("events: %v %+v", err, ev)
	}
	// The lab's own namespace has no such instance.
	_, err = labtest.Client(t, l).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("far-db")})
	if apiCode(err) != "DBInstanceNotFound" {
		t.Errorf("far-db in the home namespace: %v", err)
	}
	st := l.Status()
	if len(st.Instances) != 1 || st.Instances[0].Region != "ap-south-1" || st.Instances[0].Account != "222222222222" || st.Instances[0].EnginePID == 0 {
		t.Errorf("status instances %+v", st.Instances)
	}
}

// TestSTSClients: the AWS CLI and boto3 assume a role on the lab and see
// its account.
func TestSTSClients(t *testing.T) {
	l := labtest.Start(t)
	env := append(os.Environ(), labtest.Env(l)...)
	run := func(name string, args ...string) (string, error) {
		cmd := exec.Command(requireTool(t, name), args...)
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if err != nil {
			return errb.String(), err
		}
		return out.String(), nil
	}
	out, err := run("aws", "--endpoint-url", l.Endpoint(), "--output", "json", "sts", "assume-role", "--role-arn", "arn:aws:iam::333333333333:role/ci", "--role-session-name", "cli")
	if err != nil {
		t.Fatalf("aws sts assume-role: %v: %s", err, out)
	}
	var ar struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		AssumedRoleUser struct{ Arn string }
	}
	if err := json.Unmarshal([]byte(out), &ar); err != nil || !strings.HasPrefix(ar.Credentials.AccessKeyId, "ASIA333333333333") ||
		ar.AssumedRoleUser.Arn != "arn:aws:sts::333333333333:assumed-role/ci/cli" || ar.Credentials.SessionToken == "" {
		t.Fatalf("assume-role: %v %s", err, out)
	}
	out, err = run("aws", "--endpoint-url", l.Endpoint(), "--output", "text", "sts", "get-caller-identity", "--query", "Account")
	if err != nil || strings.TrimSpace(out) != "000000000000" {
		t.Errorf("get-caller-identity: %v %q", err, out)
	}
	out, err = run("aws", "--endpoint-url", l.Endpoint(), "sts", "assume-role", "--role-arn", "arn:aws:iam::3333:role/ci", "--role-session-name", "cli")
	if err == nil || !strings.Contains(out, "ValidationError") {
		t.Errorf("assume-role with a bad ARN: %v %q", err, out)
	}

	// boto3: assume, then the RDS calls signed with the new keys land in
	// the role's account.
	out, err = run("python3", "-c", `
import boto3, os
# Endpoints passed explicitly: Debian's older botocore ignores AWS_ENDPOINT_URL_*.
sts = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"])
c = sts.assume_role(RoleArn="arn:aws:iam::444444444444:role/x", RoleSessionName="py")["Credentials"]
kw = dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
print(boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL_STS"], **kw).get_caller_identity()["Account"])
rds = boto3.client("rds", region_name="eu-north-1", endpoint_url=os.environ["AWS_ENDPOINT_URL_RDS"], **kw)
g = rds.create_db_parameter_group(DBParameterGroupName="py", DBParameterGroupFamily="`+lab.TestFamily+`", Description="d")
print(g["DBParameterGroup"]["DBParameterGroupArn"])
`)
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && strings.Contains(out, "No module named 'boto3'") && os.Getenv("CI") == "" {
			t.Skip("boto3 not installed")
		}
		t.Fatalf("boto3: %v: %s", err, out)
	}
	if out != "444444444444\narn:aws:rds:eu-north-1:444444444444:pg:py\n" {
		t.Errorf("boto3 printed %q", out)
	}
}
