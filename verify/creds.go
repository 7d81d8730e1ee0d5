package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/rds/auth"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// EnvPassword is the variable verify reads the password from when no other
// source is named, so passwords need never appear on a command line.
const EnvPassword = "RDSCTL_DB_PASSWORD"

// ErrNoPassword is returned when no source yields a password.
var ErrNoPassword = errors.New("no database password")

// PasswordSource names where the password comes from: at most one of Env
// (--db-password-env VAR) and File (--db-password-file F); neither means
// $RDSCTL_DB_PASSWORD.
type PasswordSource struct {
	Env  string
	File string
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
}

// Password resolves the source. warnings are for stderr: a password file
// others can read still works (Kubernetes mounts secrets 0644), but the user
// should know.
func (s PasswordSource) Password() (password string, warnings []string, err error) {
	getenv, stat := os.Getenv, os.Stat
	if s.Getenv != nil {
		getenv = s.Getenv
	}
	switch {
	case s.Env != "" && s.File != "":
		return "", nil, fmt.Errorf("%w: use one of --db-password-env and --db-password-file", ErrInvalidConfig)
	case s.File != "":
		if fi, err := stat(s.File); err == nil && fi.Mode().Perm()&0o004 != 0 {
			warnings = append(warnings, fmt.Sprintf("password file %s is readable by every user (mode %s); chmod 600 it", s.File, fi.Mode().Perm()))
		}
		b, err := readSmallFile(s.File, "password file", maxPasswordFile)
		if err != nil {
			return "", warnings, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		b = bytes.TrimSuffix(b, []byte("\n"))
		b = bytes.TrimSuffix(b, []byte("\r"))
		if len(b) == 0 {
			return "", warnings, fmt.Errorf("%w: password file %s is empty", ErrNoPassword, s.File)
		}
		return string(b), warnings, nil
	case s.Env != "":
		p := getenv(s.Env)
		if p == "" {
			return "", nil, fmt.Errorf("%w: $%s is empty or unset", ErrNoPassword, s.Env)
		}
		return p, nil, nil
	}
	if p := getenv(EnvPassword); p != "" {
		return p, nil, nil
	}
	return "", nil, fmt.Errorf("%w: set $%s, or use --db-password-env, --db-password-file, --db-secret or --iam-auth", ErrNoPassword, EnvPassword)
}

// IAMAuthToken builds an RDS IAM authentication token for user at
// endpoint (host:port). The token is a presigned URL, valid 15 minutes, built
// locally from cfg's credentials: no AWS call is made.
func IAMAuthToken(ctx context.Context, cfg aws.Config, endpoint, user string) (string, error) {
	if cfg.Region == "" {
		return "", fmt.Errorf("%w: iam authentication needs a region", ErrInvalidConfig)
	}
	if cfg.Credentials == nil {
		return "", fmt.Errorf("%w: iam authentication needs aws credentials", ErrInvalidConfig)
	}
	tok, err := auth.BuildAuthToken(ctx, endpoint, cfg.Region, user, cfg.Credentials)
	if err != nil {
		return "", fmt.Errorf("building iam auth token: %w", err)
	}
	return tok, nil
}

// WithIAMToken returns c set up to log in with an IAM token: the token as
// the password, clear-text authentication (RDS's IAM plugin needs it), and
// TLS, without which the token would cross the network in the clear.
func (c Config) WithIAMToken(token string) (Config, error) {
	if c.EffectiveTLS() == TLSOff {
		return c, fmt.Errorf("%w: iam authentication needs TLS, and tls is off for %s", ErrInvalidConfig, c.Host)
	}
	c.Password = token
	c.AllowCleartextPasswords = true
	return c, nil
}

// Credentials are what an RDS-managed secret holds.
type Credentials struct {
	User     string `json:"username"`
	Password string `json:"-"`
	Host     string `json:"host,omitempty"`
	Port     int    `json:"port,omitempty"`
	Engine   string `json:"engine,omitempty"`
}

// ParseRDSSecret reads the JSON RDS stores in Secrets Manager
// ({"username","password","engine","host","port",...}). Its errors never
// quote the secret: encoding/json's would, so they are not wrapped.
func ParseRDSSecret(secret string) (Credentials, error) {
	var raw struct {
		Username string          `json:"username"`
		Password string          `json:"password"`
		Host     string          `json:"host"`
		Port     json.RawMessage `json:"port"`
		Engine   string          `json:"engine"`
	}
	if err := json.Unmarshal([]byte(secret), &raw); err != nil {
		return Credentials{}, errors.New("parsing secret: not a JSON object of the RDS form {\"username\",\"password\",...}")
	}
	if raw.Username == "" || raw.Password == "" {
		return Credentials{}, errors.New("parsing secret: it has no username or no password")
	}
	c := Credentials{User: raw.Username, Password: raw.Password, Host: raw.Host, Engine: raw.Engine}
	if len(raw.Port) > 0 && string(raw.Port) != "null" {
		p := strings.Trim(string(raw.Port), `"`)
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return Credentials{}, errors.New("parsing secret: port is not a port number")
		}
		c.Port = n
	}
	return c, nil
}

// SecretsClient is the Secrets Manager method verify uses;
// *secretsmanager.Client satisfies it.
type SecretsClient interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// SecretCredentials fetches and parses an RDS secret (--db-secret ARN).
func SecretCredentials(ctx context.Context, client SecretsClient, id string) (Credentials, error) {
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return Credentials{}, fmt.Errorf("reading secret %s: %w", id, err)
	}
	if out.SecretString == nil {
		return Credentials{}, fmt.Errorf("reading secret %s: it holds binary data, not the RDS JSON form", id)
	}
	c, err := ParseRDSSecret(*out.SecretString)
	if err != nil {
		return Credentials{}, fmt.Errorf("reading secret %s: %w", id, err)
	}
	return c, nil
}
