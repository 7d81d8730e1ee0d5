package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/verify"
)

// tlsModes are the --tls values, for help and completion.
var tlsModes = []string{"auto", string(verify.TLSOff), string(verify.TLSRequired), string(verify.TLSVerifyFull)}

// dbConnFlags say how rdsctl logs in to a DB instance's server: the user,
// where the password comes from, TLS and timeouts. They are a struct of
// their own, registered by register, so that every command that reads a
// server (verify, and failover when it verifies the new primary) offers the
// same flags with the same meaning and resolves them the same way.
//
// Passwords never come from a flag's value, only from the environment, a
// file, Secrets Manager or an IAM token, so they never appear in a process
// list or shell history; and nothing here ever prints one.
type dbConnFlags struct {
	User          string
	PasswordEnv   string
	PasswordFile  string
	IAMAuth       bool
	Secret        string
	TLS           string
	CABundle      string
	TLSServerName string

	ConnectTimeout time.Duration
	ReadTimeout    time.Duration
	WriteTimeout   time.Duration
}

// register adds the connection flags to cmd, with their defaults.
func (c *dbConnFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&c.User, "db-user", "", "log in as `USER` (default: the secret's user, else the instance's master user)")
	fl.StringVar(&c.PasswordEnv, "db-password-env", "", "read the password from environment variable `VAR` (default: $"+verify.EnvPassword+")")
	fl.StringVar(&c.PasswordFile, "db-password-file", "", "read the password from `FILE` (one line; chmod 600 it)")
	fl.BoolVar(&c.IAMAuth, "iam-auth", false, "log in with an RDS IAM authentication token instead of a password (needs TLS)")
	fl.StringVar(&c.Secret, "db-secret", "", "read user and password from Secrets Manager secret `ARN` (or name), in the RDS JSON form")
	fl.StringVar(&c.TLS, "tls", "auto", "`MODE` of TLS: auto (verify-full, off on loopback), off, required (no certificate check) or verify-full")
	fl.StringVar(&c.CABundle, "ca-bundle", "", "PEM `FILE` of trusted CAs, e.g. AWS's global-bundle.pem (default: the system pool)")
	fl.StringVar(&c.TLSServerName, "tls-server-name", "", "check the certificate against `HOST` instead of the endpoint (for tunnels)")
	fl.DurationVar(&c.ConnectTimeout, "connect-timeout", verify.DefaultConnectTimeout, "give up connecting (dial and handshake) after this long")
	fl.DurationVar(&c.ReadTimeout, "read-timeout", verify.DefaultReadTimeout, "give up on a server that sends nothing for this long")
	fl.DurationVar(&c.WriteTimeout, "write-timeout", verify.DefaultWriteTimeout, "give up on a server that accepts nothing for this long")
	_ = cmd.RegisterFlagCompletionFunc("tls", cobra.FixedCompletions(tlsModes, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("db-password-file")
	_ = cmd.MarkFlagFilename("ca-bundle", "pem", "crt")
	cmd.MarkFlagsMutuallyExclusive("db-password-env", "db-password-file", "iam-auth", "db-secret")
}

// validate rejects contradictory or impossible settings before anything
// is called, as usage errors (exit 2).
func (c *dbConnFlags) validate() error {
	if _, err := verify.ParseTLSMode(c.TLS); err != nil {
		return cli.Usagef("invalid --tls %q: want one of auto, off, required, verify-full", c.TLS)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"connect-timeout", c.ConnectTimeout}, {"read-timeout", c.ReadTimeout}, {"write-timeout", c.WriteTimeout}} {
		if d.v <= 0 {
			return cli.Usagef("invalid --%s %s: must be positive", d.name, d.v)
		}
	}
	// cobra's mutual exclusion covers flags given on the command line;
	// this covers options filled in code (failover, tests).
	n := 0
	for _, set := range []bool{c.PasswordEnv != "", c.PasswordFile != "", c.IAMAuth, c.Secret != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return cli.Usagef("use only one of --db-password-env, --db-password-file, --iam-auth and --db-secret")
	}
	return nil
}

// dbLogin is a resolved connection: the verify.Config, and where its
// password came from, for error messages (never the password itself).
type dbLogin struct {
	Config verify.Config
	Source string
}

// login resolves the flags for instance in: its endpoint, the user (flag,
// secret, master user) and the password, whose sources are tried in this
// order: --db-password-env, --db-password-file, --db-secret or --iam-auth
// when given; else $RDSCTL_DB_PASSWORD; else the instance's RDS-managed
// master user secret (MasterUserSecret). warnf receives advice for stderr.
// Errors about the settings themselves are usage errors.
func (c *dbConnFlags) login(ctx context.Context, f *Factory, in types.DBInstance, warnf func(string, ...any)) (dbLogin, error) {
	id := aws.ToString(in.DBInstanceIdentifier)
	if in.Endpoint == nil || aws.ToString(in.Endpoint.Address) == "" {
		return dbLogin{}, fmt.Errorf("instance %s has no endpoint yet (status %s)", id, aws.ToString(in.DBInstanceStatus))
	}
	tls, _ := verify.ParseTLSMode(c.TLS)
	cfg := verify.Config{
		Host:           aws.ToString(in.Endpoint.Address),
		Port:           int(aws.ToInt32(in.Endpoint.Port)),
		User:           c.User,
		TLS:            tls,
		CABundle:       c.CABundle,
		ServerName:     c.TLSServerName,
		ConnectTimeout: c.ConnectTimeout,
		ReadTimeout:    c.ReadTimeout,
		WriteTimeout:   c.WriteTimeout,
	}
	master := aws.ToString(in.MasterUsername)
	user := func(fallback string) {
		if cfg.User == "" {
			cfg.User = fallback
		}
	}
	var source string
	switch {
	case c.IAMAuth:
		user(master)
		// Checked before building a token: without TLS it would cross
		// the network in the clear.
		if _, err := cfg.WithIAMToken(""); err != nil {
			return dbLogin{}, usageIfConfig(err)
		}
		awsCfg, err := f.AWSConfig(ctx)
		if err != nil {
			return dbLogin{}, err
		}
		tok, err := verify.IAMAuthToken(ctx, awsCfg, cfg.Addr(), cfg.User)
		if err != nil {
			return dbLogin{}, usageIfConfig(err)
		}
		if cfg, err = cfg.WithIAMToken(tok); err != nil {
			return dbLogin{}, usageIfConfig(err)
		}
		source = "an IAM authentication token"
	case c.Secret != "":
		creds, err := secretCredentials(ctx, f, c.Secret)
		if err != nil {
			return dbLogin{}, err
		}
		user(creds.User)
		cfg.Password, source = creds.Password, "secret "+c.Secret
	case c.PasswordEnv != "" || c.PasswordFile != "" || f.Getenv(verify.EnvPassword) != "" || in.MasterUserSecret == nil:
		user(master)
		pw, warnings, err := verify.PasswordSource{Env: c.PasswordEnv, File: c.PasswordFile}.Password()
		for _, w := range warnings {
			warnf("%s", w)
		}
		if err != nil {
			return dbLogin{}, usageIfConfig(err)
		}
		cfg.Password = pw
		switch {
		case c.PasswordEnv != "":
			source = "$" + c.PasswordEnv
		case c.PasswordFile != "":
			source = "--db-password-file " + c.PasswordFile
		default:
			source = "$" + verify.EnvPassword
		}
	default:
		arn := aws.ToString(in.MasterUserSecret.SecretArn)
		creds, err := secretCredentials(ctx, f, arn)
		if err != nil {
			return dbLogin{}, err
		}
		user(creds.User)
		cfg.Password, source = creds.Password, "the instance's master user secret "+arn
	}
	if cfg.User == "" {
		return dbLogin{}, cli.Usagef("instance %s reports no master user: pass --db-user", id)
	}
	if _, err := cfg.DriverConfig(); err != nil {
		return dbLogin{}, usageIfConfig(err)
	}
	return dbLogin{Config: cfg, Source: source}, nil
}

// secretCredentials reads an RDS secret through Secrets Manager, with the
// same AWS settings (profile, region) as the RDS client.
func secretCredentials(ctx context.Context, f *Factory, id string) (verify.Credentials, error) {
	awsCfg, err := f.AWSConfig(ctx)
	if err != nil {
		return verify.Credentials{}, err
	}
	return verify.SecretCredentials(ctx, secretsmanager.NewFromConfig(awsCfg), id)
}

// usageIfConfig makes the verify library's rejections of settings (no
// password, IAM without TLS, an unreadable CA bundle) usage errors: nothing
// was attempted, and the user has to change the command line.
func usageIfConfig(err error) error {
	if errors.Is(err, verify.ErrInvalidConfig) || errors.Is(err, verify.ErrNoPassword) {
		return cli.Usage(err)
	}
	return err
}

// connFailed adds to a connection error what the user needs to fix it:
// where the password came from when the server refused it. The message
// has already been scrubbed of the password by the verify library.
func connFailed(err error, login dbLogin) error {
	if verify.IsAuthError(err) {
		return fmt.Errorf("%w (password from %s)", err, login.Source)
	}
	return err
}
