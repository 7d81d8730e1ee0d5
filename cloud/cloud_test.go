package cloud_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/rdsctl/rdsctl/cloud"
	"github.com/rdsctl/rdsctl/cloud/lab"
	"github.com/rdsctl/rdsctl/cloud/lab/labtest"
)

// isolateEnv removes every AWS setting of the machine running the tests,
// leaving dummy keys, so that Load sees only what a test sets.
func isolateEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			unsetenv(t, k)
		}
	}
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
}

// unsetenv unsets k for the test: the SDK tells "set but empty" from unset
// for AWS_ENDPOINT_URL, so t.Setenv(k, "") is not enough.
func unsetenv(t *testing.T, k string) {
	t.Setenv(k, "")
	os.Unsetenv(k)
}

// loadForLab is how rdsctl builds its client for a lab: the global flags.
func loadForLab(t *testing.T, l *lab.Lab) cloud.RDS {
	t.Helper()
	cfg, err := cloud.Load(context.Background(), cloud.Options{Region: l.Region(), EndpointURL: l.Endpoint(), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return cloud.NewRDS(cfg)
}

func TestLoadNoRegion(t *testing.T) {
	isolateEnv(t)
	_, err := cloud.Load(context.Background(), cloud.Options{})
	if err != cloud.ErrNoRegion {
		t.Fatalf("err = %v, want ErrNoRegion", err)
	}
}

func TestLoadRegion(t *testing.T) {
	isolateEnv(t)
	t.Setenv("AWS_REGION", "eu-west-1")
	cfg, err := cloud.Load(context.Background(), cloud.Options{})
	if err != nil || cfg.Region != "eu-west-1" {
		t.Fatalf("env region: %q, %v", cfg.Region, err)
	}
	cfg, err = cloud.Load(context.Background(), cloud.Options{Region: "us-west-2"})
	if err != nil || cfg.Region != "us-west-2" {
		t.Fatalf("--region must win over AWS_REGION: %q, %v", cfg.Region, err)
	}
}

func TestLoadProfile(t *testing.T) {
	isolateEnv(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "config")
	if err := os.WriteFile(conf, []byte("[profile staging]\nregion = ap-south-1\nmax_attempts = 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", conf)
	cfg, err := cloud.Load(context.Background(), cloud.Options{Profile: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "ap-south-1" {
		t.Errorf("region from profile = %q", cfg.Region)
	}
	if got := cfg.Retryer().MaxAttempts(); got != 3 {
		t.Errorf("max_attempts from profile: retryer allows %d", got)
	}
	if _, err := cloud.Load(context.Background(), cloud.Options{Profile: "missing"}); err == nil {
		t.Error("a missing profile loaded")
	}
}

func TestLoadRetryer(t *testing.T) {
	isolateEnv(t)
	cfg, err := cloud.Load(context.Background(), cloud.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Retryer()
	if _, ok := r.(*retry.Standard); !ok {
		t.Errorf("retryer is %T, want *retry.Standard", r)
	}
	if r.MaxAttempts() != cloud.DefaultMaxAttempts {
		t.Errorf("max attempts = %d, want %d", r.MaxAttempts(), cloud.DefaultMaxAttempts)
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "2")
	cfg, _ = cloud.Load(context.Background(), cloud.Options{Region: "us-east-1"})
	if got := cfg.Retryer().MaxAttempts(); got != 2 {
		t.Errorf("AWS_MAX_ATTEMPTS=2: max attempts = %d", got)
	}
}

// TestEndpointPrecedence checks, against a real lab, that --endpoint-url
// beats both endpoint variables, and that AWS_ENDPOINT_URL_RDS alone works
// through the SDK's own resolution.
func TestEndpointPrecedence(t *testing.T) {
	l := labtest.Start(t)
	const dead = "http://127.0.0.1:1"
	tests := []struct {
		name   string
		env    map[string]string
		flag   string
		reachs bool
	}{
		{"flag only", nil, l.Endpoint(), true},
		{"flag beats AWS_ENDPOINT_URL_RDS", map[string]string{"AWS_ENDPOINT_URL_RDS": dead}, l.Endpoint(), true},
		{"flag beats AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": dead}, l.Endpoint(), true},
		{"AWS_ENDPOINT_URL_RDS natively", map[string]string{"AWS_ENDPOINT_URL_RDS": l.Endpoint()}, "", true},
		{"AWS_ENDPOINT_URL_RDS beats AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL_RDS": l.Endpoint(), "AWS_ENDPOINT_URL": dead}, "", true},
		{"dead env", map[string]string{"AWS_ENDPOINT_URL_RDS": dead}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateEnv(t)
			t.Setenv("AWS_MAX_ATTEMPTS", "1")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg, err := cloud.Load(context.Background(), cloud.Options{Region: l.Region(), EndpointURL: tt.flag})
			if err != nil {
				t.Fatal(err)
			}
			_, err = cloud.FindParameterGroup(context.Background(), cloud.NewRDS(cfg), "default.mariadb10.11")
			if tt.reachs && err != nil {
				t.Errorf("lab not reached: %v", err)
			}
			if !tt.reachs && err == nil {
				t.Error("reached the lab through a dead endpoint")
			}
		})
	}
}

// recorder records the User-Agent of every request it passes on.
type recorder struct {
	next aws.HTTPClient
	mu   sync.Mutex
	uas  []string
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.uas = append(r.uas, req.Header.Get("User-Agent"))
	r.mu.Unlock()
	return r.next.Do(req)
}

func TestUserAgent(t *testing.T) {
	isolateEnv(t)
	l := labtest.Start(t)
	cfg, err := cloud.Load(context.Background(), cloud.Options{Region: l.Region(), EndpointURL: l.Endpoint(), Version: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	api := cloud.NewRDS(cfg, func(o *rds.Options) { rec.next = o.HTTPClient; o.HTTPClient = rec })
	if _, err := cloud.AllParameterGroups(context.Background(), api); err != nil {
		t.Fatal(err)
	}
	if len(rec.uas) == 0 || !strings.Contains(rec.uas[0], "rdsctl/v1.2.3") {
		t.Errorf("User-Agent = %q, want it to contain rdsctl/v1.2.3", rec.uas)
	}

	cfg, _ = cloud.Load(context.Background(), cloud.Options{Region: l.Region(), EndpointURL: l.Endpoint()})
	rec = &recorder{}
	api = cloud.NewRDS(cfg, func(o *rds.Options) { rec.next = o.HTTPClient; o.HTTPClient = rec })
	_, _ = cloud.AllParameterGroups(context.Background(), api)
	if len(rec.uas) == 0 || !strings.Contains(rec.uas[0], "rdsctl/dev") {
		t.Errorf("User-Agent without a version = %q, want rdsctl/dev", rec.uas)
	}
}
