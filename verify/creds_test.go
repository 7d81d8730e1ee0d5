package verify

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func TestPasswordSources(t *testing.T) {
	t.Setenv(EnvPassword, "from-default-env")
	t.Setenv("MY_PW", "from-named-env")
	dir := t.TempDir()
	private := filepath.Join(dir, "private")
	if err := os.WriteFile(private, []byte("from-file\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	public := filepath.Join(dir, "public")
	if err := os.WriteFile(public, []byte("crlf\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(public, 0o644); err != nil { // past any umask
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		src      PasswordSource
		want     string
		warnings int
	}{
		{"default env", PasswordSource{}, "from-default-env", 0},
		{"named env", PasswordSource{Env: "MY_PW"}, "from-named-env", 0},
		{"file trims one newline", PasswordSource{File: private}, "from-file\n", 0},
		{"world-readable file warns", PasswordSource{File: public}, "crlf", 1},
	}
	for _, tt := range tests {
		got, warnings, err := tt.src.Password()
		if err != nil || got != tt.want || len(warnings) != tt.warnings {
			t.Errorf("%s: Password() = %q, %q, %v; want %q with %d warnings", tt.name, got, warnings, err, tt.want, tt.warnings)
		}
	}

	if _, _, err := (PasswordSource{Env: "MY_PW", File: private}).Password(); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("env and file together: err = %v", err)
	}
	if _, _, err := (PasswordSource{Env: "UNSET_PW_VAR"}).Password(); !errors.Is(err, ErrNoPassword) {
		t.Errorf("unset env: err = %v", err)
	}
	if _, _, err := (PasswordSource{File: filepath.Join(dir, "none")}).Password(); err == nil {
		t.Error("missing file accepted")
	}
	t.Setenv(EnvPassword, "")
	_, _, err := PasswordSource{}.Password()
	if !errors.Is(err, ErrNoPassword) || !strings.Contains(err.Error(), EnvPassword) {
		t.Errorf("no source: err = %v", err)
	}
}

func TestIAMAuthToken(t *testing.T) {
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", "")}
	host := "db1.abc.eu-west-1.rds.amazonaws.com"
	tok, err := IAMAuthToken(context.Background(), cfg, host+":3306", "iam_user")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse("https://" + tok)
	if err != nil {
		t.Fatalf("token is not a presigned URL: %v", err)
	}
	q := u.Query()
	if u.Host != host+":3306" || q.Get("Action") != "connect" || q.Get("DBUser") != "iam_user" || q.Get("X-Amz-Signature") == "" ||
		!strings.Contains(q.Get("X-Amz-Credential"), "/eu-west-1/rds-db/") {
		t.Errorf("token = %s", tok)
	}

	c, err := Config{Host: host, User: "iam_user"}.WithIAMToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	mc, err := c.DriverConfig()
	if err != nil || !mc.AllowCleartextPasswords || mc.TLS == nil || mc.Passwd != tok {
		t.Errorf("IAM driver config = %+v, %v", mc, err)
	}
	if strings.Contains(c.String(), "X-Amz-Signature") {
		t.Errorf("String() shows the token: %s", c)
	}
	if _, err := (Config{Host: "127.0.0.1", User: "u"}).WithIAMToken(tok); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("IAM without TLS: err = %v", err)
	}
	if _, err := IAMAuthToken(context.Background(), aws.Config{Credentials: cfg.Credentials}, host+":3306", "u"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("IAM without region: err = %v", err)
	}
}

func TestParseRDSSecret(t *testing.T) {
	c, err := ParseRDSSecret(`{"username":"admin","password":"p4ss","engine":"mariadb","host":"db1.x.rds.amazonaws.com","port":3306,"dbInstanceIdentifier":"db1"}`)
	if err != nil || c.User != "admin" || c.Password != "p4ss" || c.Port != 3306 || c.Host != "db1.x.rds.amazonaws.com" || c.Engine != "mariadb" {
		t.Errorf("ParseRDSSecret = %+v, %v", c, err)
	}
	if c, err := ParseRDSSecret(`{"username":"a","password":"b","port":"3307"}`); err != nil || c.Port != 3307 {
		t.Errorf("string port: %+v, %v", c, err)
	}
	for _, bad := range []string{`{"username":"a"}`, `{"password":"TOPSECRETVALUE"}`, `TOPSECRETVALUE`, `{"username":"a","password":"TOPSECRETVALUE","port":"x"}`, `{"username":"a","password":"TOPSECRETVALUE",}`} {
		_, err := ParseRDSSecret(bad)
		if err == nil {
			t.Errorf("ParseRDSSecret(%s) accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "TOPSECRET") {
			t.Errorf("error quotes the secret: %v", err)
		}
	}
}

type fakeSecrets map[string]*string

func (f fakeSecrets) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	s, ok := f[aws.ToString(in.SecretId)]
	if !ok {
		return nil, errors.New("ResourceNotFoundException")
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: s}, nil
}

func TestSecretCredentials(t *testing.T) {
	arn := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds-db1"
	f := fakeSecrets{arn: aws.String(`{"username":"admin","password":"pw"}`), "binary": nil}
	c, err := SecretCredentials(context.Background(), f, arn)
	if err != nil || c.User != "admin" || c.Password != "pw" {
		t.Errorf("SecretCredentials = %+v, %v", c, err)
	}
	if _, err := SecretCredentials(context.Background(), f, "missing"); err == nil {
		t.Error("missing secret accepted")
	}
	if _, err := SecretCredentials(context.Background(), f, "binary"); err == nil {
		t.Error("binary secret accepted")
	}
}

var _ SecretsClient = (*secretsmanager.Client)(nil)
