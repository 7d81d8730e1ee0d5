package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/rdsctl/rdsctl/cmd/rdsctl/internal/cli"
	"github.com/rdsctl/rdsctl/verify"
)

// tlsModes are the --tls values, for help and completion.
var tlsModes = []string{"auto", string(verify.TLSOff), string(verify.TLSRequired), string(verify.TLSVerifyFull)}

// dbConnFlags are the flags of a verify.Login: the user, where the
// password comes from, TLS and timeouts. They are a struct of their own,
// registered by register, so that every command that reads a server
// (verify, and failover for its probe and when it verifies the new
// primary) offers the same flags with the same meaning.
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

// login is the verify.Login the flags describe; validate has checked
// them.
func (c *dbConnFlags) login() verify.Login {
	tls, _ := verify.ParseTLSMode(c.TLS)
	return verify.Login{
		User:           c.User,
		PasswordEnv:    c.PasswordEnv,
		PasswordFile:   c.PasswordFile,
		Secret:         c.Secret,
		IAMAuth:        c.IAMAuth,
		TLS:            tls,
		CABundle:       c.CABundle,
		ServerName:     c.TLSServerName,
		ConnectTimeout: c.ConnectTimeout,
		ReadTimeout:    c.ReadTimeout,
		WriteTimeout:   c.WriteTimeout,
	}
}

// usageIfConfig makes the verify library's rejections of settings (no
// password, IAM without TLS, an unreadable CA bundle or password file)
// usage errors: nothing was attempted, and the user has to change the
// command line.
func usageIfConfig(err error) error {
	if verify.IsSettingsError(err) {
		return cli.Usage(err)
	}
	return err
}
