package verify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Login says how to log in to a DB instance's server: the user, where the
// password comes from, TLS and timeouts. It holds no password itself, only
// where to find one, so it can be kept, copied and logged; Resolve turns it
// into a Config for one instance.
//
// The password comes from at most one of PasswordEnv, PasswordFile, Secret
// and IAMAuth; with none of them, from $RDSCTL_DB_PASSWORD, or else from
// the instance's RDS-managed master user secret (MasterUserSecret).
type Login struct {
	// User logs in as this user; "" means the secret's user, else the
	// instance's master user.
	User string
	// PasswordEnv names the environment variable holding the password.
	PasswordEnv string
	// PasswordFile is a file holding the password (one line).
	PasswordFile string
	// Secret is a Secrets Manager secret (ARN or name) in the RDS JSON
	// form, holding user and password.
	Secret string
	// IAMAuth logs in with an RDS IAM authentication token, which needs
	// TLS and an AWS config with a region and credentials.
	IAMAuth bool

	// TLS, CABundle and ServerName are as in Config.
	TLS        TLSMode
	CABundle   string
	ServerName string
	// The timeouts are as in Config; zero means the default.
	ConnectTimeout, ReadTimeout, WriteTimeout time.Duration

	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Secrets reads Secrets Manager; nil means a client made from the AWS
	// config given to Resolve.
	Secrets SecretsClient
}

// Connection is a resolved Login: the Config to connect with, and where
// its password came from, for messages (never the password itself).
type Connection struct {
	Config Config
	// Source is e.g. "$RDSCTL_DB_PASSWORD" or "secret arn:...".
	Source string
}

// configError is a rejection of settings that keeps its own message and
// matches ErrInvalidConfig, so callers can tell the user's mistake from a
// failure.
type configError struct{ msg string }

func (e *configError) Error() string        { return e.msg }
func (e *configError) Is(target error) bool { return target == ErrInvalidConfig }

func invalidf(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...)}
}

func (l Login) getenv(k string) string {
	if l.Getenv != nil {
		return l.Getenv(k)
	}
	return os.Getenv(k)
}

func (l Login) passwordSource() PasswordSource {
	return PasswordSource{Env: l.PasswordEnv, File: l.PasswordFile, Getenv: l.Getenv}
}

// Validate checks everything that can be checked without AWS or the
// server: one password source at most, a known TLS mode, no negative
// timeout, a named password variable or file that yields a password, a CA
// bundle that holds certificates, and IAM authentication not with TLS off.
// Its errors match ErrInvalidConfig or ErrNoPassword: the settings are
// wrong, and nothing was attempted.
func (l Login) Validate() error {
	n := 0
	for _, set := range []bool{l.PasswordEnv != "", l.PasswordFile != "", l.IAMAuth, l.Secret != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return invalidf("use only one of --db-password-env, --db-password-file, --iam-auth and --db-secret")
	}
	if _, err := ParseTLSMode(string(l.TLS)); err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"connect", l.ConnectTimeout}, {"read", l.ReadTimeout}, {"write", l.WriteTimeout}} {
		if d.v < 0 {
			return invalidf("invalid %s timeout %s: must not be negative", d.name, d.v)
		}
	}
	if l.IAMAuth && l.TLS == TLSOff {
		return fmt.Errorf("%w: iam authentication needs TLS, and tls is off", ErrInvalidConfig)
	}
	if l.PasswordEnv != "" || l.PasswordFile != "" {
		if _, _, err := l.passwordSource().Password(); err != nil {
			return err
		}
	}
	if l.CABundle != "" {
		pem, err := readSmallFile(l.CABundle, "ca bundle", maxCABundle)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return fmt.Errorf("%w: ca bundle %s holds no PEM certificates", ErrInvalidConfig, l.CABundle)
		}
	}
	return nil
}

// Resolve works out the connection to instance in: its endpoint, the user
// (Login.User, the secret's, the master user) and the password, from the
// first source that applies: PasswordEnv, PasswordFile, Secret or IAMAuth
// when set; else $RDSCTL_DB_PASSWORD; else the instance's RDS-managed
// master user secret. awsCfg serves IAM tokens and Secrets Manager. warnf
// receives advice for a human (a password file others can read); nil
// discards it.
//
// Errors about the settings match ErrInvalidConfig or ErrNoPassword; an
// instance without an endpoint yet, or a secret that cannot be read, are
// plain failures.
func (l Login) Resolve(ctx context.Context, awsCfg aws.Config, in types.DBInstance, warnf func(string, ...any)) (Connection, error) {
	if warnf == nil {
		warnf = func(string, ...any) {}
	}
	id := aws.ToString(in.DBInstanceIdentifier)
	if in.Endpoint == nil || aws.ToString(in.Endpoint.Address) == "" {
		return Connection{}, fmt.Errorf("instance %s has no endpoint yet (status %s)", id, aws.ToString(in.DBInstanceStatus))
	}
	tls, err := ParseTLSMode(string(l.TLS))
	if err != nil {
		return Connection{}, err
	}
	cfg := Config{
		Host:           aws.ToString(in.Endpoint.Address),
		Port:           int(aws.ToInt32(in.Endpoint.Port)),
		User:           l.User,
		TLS:            tls,
		CABundle:       l.CABundle,
		ServerName:     l.ServerName,
		ConnectTimeout: l.ConnectTimeout,
		ReadTimeout:    l.ReadTimeout,
		WriteTimeout:   l.WriteTimeout,
	}
	warnInsecureTLS(cfg, warnf)
	master := aws.ToString(in.MasterUsername)
	user := func(fallback string) {
		if cfg.User == "" {
			cfg.User = fallback
		}
	}
	var source string
	switch {
	case l.IAMAuth:
		user(master)
		// Checked before building a token: without TLS it would cross
		// the network in the clear.
		if _, err := cfg.WithIAMToken(""); err != nil {
			return Connection{}, err
		}
		tok, err := IAMAuthToken(ctx, awsCfg, cfg.Addr(), cfg.User)
		if err != nil {
			return Connection{}, err
		}
		if cfg, err = cfg.WithIAMToken(tok); err != nil {
			return Connection{}, err
		}
		source = "an IAM authentication token"
	case l.Secret != "":
		creds, err := SecretCredentials(ctx, l.secrets(awsCfg), l.Secret)
		if err != nil {
			return Connection{}, err
		}
		user(creds.User)
		cfg.Password, source = creds.Password, "secret "+l.Secret
	case l.PasswordEnv != "" || l.PasswordFile != "" || l.getenv(EnvPassword) != "" || in.MasterUserSecret == nil:
		user(master)
		pw, warnings, err := l.passwordSource().Password()
		for _, w := range warnings {
			warnf("%s", w)
		}
		if err != nil {
			return Connection{}, err
		}
		cfg.Password = pw
		switch {
		case l.PasswordEnv != "":
			source = "$" + l.PasswordEnv
		case l.PasswordFile != "":
			source = "--db-password-file " + l.PasswordFile
		default:
			source = "$" + EnvPassword
		}
	default:
		arn := aws.ToString(in.MasterUserSecret.SecretArn)
		creds, err := SecretCredentials(ctx, l.secrets(awsCfg), arn)
		if err != nil {
			return Connection{}, err
		}
		user(creds.User)
		cfg.Password, source = creds.Password, "the instance's master user secret "+arn
	}
	if cfg.User == "" {
		return Connection{}, invalidf("instance %s reports no master user: pass --db-user", id)
	}
	if _, err := cfg.DriverConfig(); err != nil {
		return Connection{}, err
	}
	return Connection{Config: cfg, Source: source}, nil
}

func (l Login) secrets(awsCfg aws.Config) SecretsClient {
	if l.Secrets != nil {
		return l.Secrets
	}
	return secretsmanager.NewFromConfig(awsCfg)
}

// Explain adds to a connection error what the user needs to fix it: where
// the password came from, when the server refused it. The error has
// already been scrubbed of the password.
func (c Connection) Explain(err error) error {
	if IsAuthError(err) {
		return fmt.Errorf("%w (password from %s)", err, c.Source)
	}
	return err
}

// IsSettingsError reports whether err is a rejection of the settings
// (ErrInvalidConfig, ErrNoPassword, ErrInvalidExpect) rather than a failure
// to reach or read something: the caller's input has to change.
func IsSettingsError(err error) bool {
	return errors.Is(err, ErrInvalidConfig) || errors.Is(err, ErrNoPassword) || errors.Is(err, ErrInvalidExpect)
}

// warnInsecureTLS says so when the user turned certificate checks off for
// a server across the network: TLS is verify-full by default there, and
// only --tls off or --tls required, named here, turns it down.
func warnInsecureTLS(cfg Config, warnf func(string, ...any)) {
	if isLoopback(cfg.Host) {
		return
	}
	switch cfg.EffectiveTLS() {
	case TLSOff:
		warnf("--tls off: the connection to %s is not encrypted; the password and every value cross the network in the clear", cfg.Host)
	case TLSRequired:
		warnf("--tls required: the certificate of %s is not checked, so anyone on the path can pose as the server", cfg.Host)
	}
}
