// Package labtest starts an in-process lab for tests and points real
// clients at it: the aws-sdk-go-v2 RDS client, and the environment for the
// AWS CLI and boto3. Prefer it to hand-written fakes: the lab is the same
// HTTP API the SDK talks to in production.
package labtest

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld/mysqldtest"
)

// Dummy credentials: the lab accepts signed requests without checking them.
const (
	AccessKeyID     = "AKIDLABTEST000000000"
	SecretAccessKey = "lab-secret-access-key-not-a-secret"
)

// Start runs a lab on a random 127.0.0.1 port in a fresh t.TempDir(),
// control plane only (NoEngine) unless an option says otherwise, and stops
// it when the test ends.
func Start(t testing.TB, opts ...func(*lab.Options)) *lab.Lab {
	t.Helper()
	o := lab.Options{Dir: t.TempDir(), Addr: "127.0.0.1:0", NoEngine: true}
	for _, f := range opts {
		f(&o)
	}
	l, err := lab.New(o)
	if err != nil {
		t.Fatalf("labtest: %v", err)
	}
	if err := l.Start(context.Background()); err != nil {
		t.Fatalf("labtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := l.Close(ctx); err != nil {
			t.Errorf("labtest: closing lab: %v", err)
		}
	})
	return l
}

// WithEngine gives the lab real MariaDB-backed DB instances, cloned from
// the template datadir shared by every test (see mysqldtest.Template). It
// skips the test when mariadbd is missing, and fails it when CI is set.
func WithEngine(t testing.TB, failoverDelay time.Duration) func(*lab.Options) {
	t.Helper()
	tmpl := mysqldtest.Template(t)
	return func(o *lab.Options) {
		o.NoEngine = false
		o.TemplateDir = tmpl.Dir
		o.FailoverDelay = failoverDelay
		o.Logf = t.Logf
	}
}

// Client is an aws-sdk-go-v2 RDS client for the lab, with dummy static
// credentials and the lab's region, configured from nothing in the
// environment. Like every rdsctl client it has cloud.WithOwnRequestBody,
// applied after optFns, so that counts of the lab's requests are exact,
// and cloud.WithFastParameterDecoding, so that lab tests go through it.
func Client(t testing.TB, l *lab.Lab, optFns ...func(*rds.Options)) *rds.Client {
	t.Helper()
	return rds.New(rds.Options{
		Region:       l.Region(),
		BaseEndpoint: aws.String(l.Endpoint()),
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
	}, append(optFns[:len(optFns):len(optFns)], cloud.WithFastParameterDecoding, cloud.WithOwnRequestBody)...)
}

// Env is the environment (KEY=VALUE) under which the AWS CLI, boto3 or
// rdsctl itself talk to the lab and nothing else: no profile, no config
// file, no instance metadata.
func Env(l *lab.Lab) []string {
	return []string{
		"AWS_ENDPOINT_URL_RDS=" + l.Endpoint(),
		"AWS_ENDPOINT_URL_STS=" + l.Endpoint(),
		"AWS_REGION=" + l.Region(),
		"AWS_DEFAULT_REGION=" + l.Region(),
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_PAGER=",
	}
}

// Requests reads the lab's requests.jsonl: every request it has answered,
// in order.
func Requests(t testing.TB, l *lab.Lab) []lab.RequestRecord {
	t.Helper()
	f, err := os.Open(filepath.Join(l.Dir(), "requests.jsonl"))
	if err != nil {
		t.Fatalf("labtest: %v", err)
	}
	defer f.Close()
	var out []lab.RequestRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		var rec lab.RequestRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("labtest: requests.jsonl: %v: %s", err, sc.Text())
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("labtest: requests.jsonl: %v", err)
	}
	return out
}

// Mutations are the API calls among Requests that could have changed
// something: every action that is not a Describe or List, whatever its
// outcome. A dry run should leave this empty.
func Mutations(t testing.TB, l *lab.Lab) []lab.RequestRecord {
	t.Helper()
	var out []lab.RequestRecord
	for _, r := range Requests(t, l) {
		if r.Action == "" || strings.HasPrefix(r.Action, "/_lab/") ||
			strings.HasPrefix(r.Action, "Describe") || strings.HasPrefix(r.Action, "List") {
			continue
		}
		out = append(out, r)
	}
	return out
}
