package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// testInstance is a lab-like instance; managedSecret gives it an
// RDS-managed master password.
func testInstance(managedSecret bool) types.DBInstance {
	in := types.DBInstance{
		DBInstanceIdentifier: aws.String("db"), MasterUsername: aws.String("admin"), DBInstanceStatus: aws.String("available"),
		Endpoint: &types.Endpoint{Address: aws.String("127.0.0.1"), Port: aws.Int32(40001)},
	}
	if managedSecret {
		in.MasterUserSecret = &types.MasterUserSecret{SecretArn: aws.String("arn:aws:secretsmanager:us-east-1:1:secret:rds!db")}
	}
	return in
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestResolve resolves a Login for an instance: the user defaults to the
// master user, the password sources in their order, and settings that
// cannot work are settings errors. None of it touches a server.
func TestResolve(t *testing.T) {
	const secret = "T0p-secret-pw"
	ctx := context.Background()
	var warnings []string
	warnf := func(format string, args ...any) { warnings = append(warnings, format) }
	base := Login{ReadTimeout: 5 * time.Second, Getenv: envOf(map[string]string{EnvPassword: secret})}

	c, err := base.Resolve(ctx, aws.Config{}, testInstance(false), warnf)
	if err != nil {
		t.Fatal(err)
	}
	if c.Config.User != "admin" || c.Config.Password != secret || c.Config.Addr() != "127.0.0.1:40001" ||
		c.Config.EffectiveTLS() != TLSOff || c.Config.ReadTimeout != 5*time.Second || c.Source != "$RDSCTL_DB_PASSWORD" {
		t.Errorf("connection = %v from %s", c.Config, c.Source)
	}
	if strings.Contains(c.Config.String(), secret) || strings.Contains(c.Source, secret) {
		t.Error("the password shows in the connection's description")
	}

	// $RDSCTL_DB_PASSWORD wins over the instance's managed secret, which
	// is not consulted: a Secrets client that fails proves it.
	l := base
	l.Secrets = fakeSecrets{}
	if c, err := l.Resolve(ctx, aws.Config{}, testInstance(true), warnf); err != nil || c.Config.Password != secret {
		t.Errorf("env over managed secret: %v", err)
	}
	// Without it, the managed secret is used, with its user.
	l.Getenv = envOf(nil)
	l.Secrets = fakeSecrets{"arn:aws:secretsmanager:us-east-1:1:secret:rds!db": aws.String(`{"username":"master","password":"from-secret"}`),
		"prod": aws.String(`{"username":"prod-user","password":"prod-pw"}`)}
	c, err = l.Resolve(ctx, aws.Config{}, testInstance(true), warnf)
	if err != nil || c.Config.User != "master" || c.Config.Password != "from-secret" || !strings.HasPrefix(c.Source, "the instance's master user secret arn:") {
		t.Errorf("managed secret: %+v %s, %v", c.Config.User, c.Source, err)
	}
	// --db-secret: its user, unless one is named.
	l.Secret, l.User = "prod", "reader"
	if c, err := l.Resolve(ctx, aws.Config{}, testInstance(false), warnf); err != nil || c.Config.User != "reader" || c.Source != "secret prod" {
		t.Errorf("named secret: %+v, %v", c, err)
	}

	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l = base
	l.User, l.PasswordFile = "reader", pwFile
	c, err = l.Resolve(ctx, aws.Config{}, testInstance(false), warnf)
	if err != nil || c.Config.User != "reader" || c.Config.Password != "from-file" || !strings.HasPrefix(c.Source, "--db-password-file ") {
		t.Errorf("password file: %+v, %v", c.Source, err)
	}
	if len(warnings) != 1 {
		t.Errorf("no warning for a world-readable password file: %v", warnings)
	}

	for name, tt := range map[string]struct {
		login    func(*Login)
		in       types.DBInstance
		want     string
		settings bool
	}{
		"no password":       {func(l *Login) { l.PasswordEnv = "RDSCTL_TEST_UNSET" }, testInstance(false), "$RDSCTL_TEST_UNSET is empty or unset", true},
		"iam without tls":   {func(l *Login) { l.IAMAuth = true }, testInstance(false), "iam authentication needs TLS", true},
		"bad ca bundle":     {func(l *Login) { l.TLS, l.CABundle = TLSVerifyFull, pwFile }, testInstance(false), "holds no PEM certificates", true},
		"no master user":    {func(*Login) {}, func() types.DBInstance { in := testInstance(false); in.MasterUsername = nil; return in }(), "pass --db-user", true},
		"creating instance": {func(*Login) {}, func() types.DBInstance { in := testInstance(false); in.Endpoint = nil; return in }(), "has no endpoint yet", false},
		"unreadable secret": {func(l *Login) { l.Secret, l.Secrets = "s", fakeSecrets{} }, testInstance(false), "reading secret s: ResourceNotFoundException", false},
	} {
		l := base
		tt.login(&l)
		_, err := l.Resolve(ctx, aws.Config{}, tt.in, warnf)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tt.want)
		}
		if IsSettingsError(err) != tt.settings {
			t.Errorf("%s: IsSettingsError = %v, want %v", name, !tt.settings, tt.settings)
		}
	}
}

// TestLoginValidate holds what Validate must refuse without AWS or a
// server, so a command fails before its first call.
func TestLoginValidate(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	empty := filepath.Join(dir, "empty")
	pw := filepath.Join(dir, "pw")
	for f, content := range map[string]string{notPEM: "hello", empty: "", pw: "secret\n"} {
		if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ok := []Login{
		{},
		{PasswordFile: pw},
		{PasswordEnv: "PW", Getenv: envOf(map[string]string{"PW": "x"})},
		{IAMAuth: true, TLS: TLSRequired},
		{IAMAuth: true}, // auto: decided by the host, in Resolve
	}
	for _, l := range ok {
		if err := l.Validate(); err != nil {
			t.Errorf("%+v: %v", l, err)
		}
	}
	for name, tt := range map[string]struct {
		l    Login
		want string
	}{
		"two sources":          {Login{PasswordFile: pw, Secret: "s"}, "use only one of"},
		"missing file":         {Login{PasswordFile: filepath.Join(dir, "nope")}, "reading password file"},
		"empty file":           {Login{PasswordFile: empty}, "is empty"},
		"unset env":            {Login{PasswordEnv: "PW", Getenv: envOf(nil)}, "$PW is empty or unset"},
		"missing ca bundle":    {Login{CABundle: filepath.Join(dir, "nope.pem")}, "reading ca bundle"},
		"ca bundle is not pem": {Login{CABundle: notPEM}, "holds no PEM certificates"},
		"iam with tls off":     {Login{IAMAuth: true, TLS: TLSOff}, "iam authentication needs TLS"},
		"bad tls":              {Login{TLS: "sometimes"}, "tls mode"},
		"negative timeout":     {Login{ReadTimeout: -time.Second}, "must not be negative"},
	} {
		err := tt.l.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) || !IsSettingsError(err) {
			t.Errorf("%s: err = %v, want a settings error with %q", name, err, tt.want)
		}
	}
}

// TestTLSDefaultsAndWarning: TLS is verify-full by default for every
// non-loopback endpoint (off only on loopback), and turning checks off
// there takes --tls off or --tls required, which a warning names.
func TestTLSDefaultsAndWarning(t *testing.T) {
	ctx := context.Background()
	remote := testInstance(false)
	remote.Endpoint.Address = aws.String("db.abc123.us-east-1.rds.amazonaws.com")
	for _, c := range []struct {
		in   types.DBInstance
		mode TLSMode
		want TLSMode
		warn string
	}{
		{remote, TLSAuto, TLSVerifyFull, ""},
		{remote, TLSVerifyFull, TLSVerifyFull, ""},
		{remote, TLSOff, TLSOff, "--tls off"},
		{remote, TLSRequired, TLSRequired, "--tls required"},
		{testInstance(false), TLSAuto, TLSOff, ""},
		{testInstance(false), TLSOff, TLSOff, ""},
	} {
		var warnings []string
		warnf := func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
		l := Login{TLS: c.mode, Getenv: envOf(map[string]string{EnvPassword: "pw-123456"})}
		conn, err := l.Resolve(ctx, aws.Config{}, c.in, warnf)
		if err != nil {
			t.Fatal(err)
		}
		host := aws.ToString(c.in.Endpoint.Address)
		got := strings.Join(warnings, "\n")
		if conn.Config.EffectiveTLS() != c.want || (c.warn == "") != (got == "") || !strings.Contains(got, c.warn) {
			t.Errorf("%s with --tls %s: effective %s, warnings %q; want %s and a warning naming %q", host, c.mode, conn.Config.EffectiveTLS(), got, c.want, c.warn)
		}
	}
}
