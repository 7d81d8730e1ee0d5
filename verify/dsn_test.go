package verify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEffectiveTLS(t *testing.T) {
	tests := []struct {
		host string
		mode TLSMode
		want TLSMode
	}{
		{"127.0.0.1", TLSAuto, TLSOff},
		{"localhost", TLSAuto, TLSOff},
		{"::1", TLSAuto, TLSOff},
		{"db1.abc.eu-west-1.rds.amazonaws.com", TLSAuto, TLSVerifyFull},
		{"db.internal.example", TLSAuto, TLSVerifyFull},
		{"127.0.0.1", TLSRequired, TLSRequired},
		{"db1.abc.eu-west-1.rds.amazonaws.com", TLSOff, TLSOff},
	}
	for _, tt := range tests {
		c := Config{Host: tt.host, TLS: tt.mode}
		if got := c.EffectiveTLS(); got != tt.want {
			t.Errorf("%s/%q: EffectiveTLS = %q, want %q", tt.host, tt.mode, got, tt.want)
		}
	}
	if !IsAWSEndpoint("db1.abc.eu-west-1.rds.amazonaws.com.") || !IsAWSEndpoint("x.rds.amazonaws.com.cn") || IsAWSEndpoint("rds.amazonaws.com.evil.example") {
		t.Error("IsAWSEndpoint misjudges a host")
	}
}

func TestParseTLSMode(t *testing.T) {
	for in, want := range map[string]TLSMode{"": TLSAuto, "auto": TLSAuto, "OFF": TLSOff, "verify-full": TLSVerifyFull, "required": TLSRequired} {
		got, err := ParseTLSMode(in)
		if err != nil || got != want {
			t.Errorf("ParseTLSMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseTLSMode("skip-verify"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("ParseTLSMode(skip-verify) err = %v, want ErrInvalidConfig", err)
	}
}

func TestDriverConfig(t *testing.T) {
	c := Config{Host: "db1.abc.eu-west-1.rds.amazonaws.com", User: "admin", Password: "s3cr3t:@/?"}
	mc, err := c.DriverConfig()
	if err != nil {
		t.Fatal(err)
	}
	if mc.Addr != "db1.abc.eu-west-1.rds.amazonaws.com:3306" || mc.Net != "tcp" || mc.User != "admin" || mc.Passwd != "s3cr3t:@/?" {
		t.Errorf("driver config = %+v", mc)
	}
	if mc.Timeout != 5*time.Second || mc.ReadTimeout != 5*time.Second || mc.WriteTimeout != 5*time.Second {
		t.Errorf("timeouts = %s %s %s, want 5s each", mc.Timeout, mc.ReadTimeout, mc.WriteTimeout)
	}
	if mc.TLS == nil || mc.TLS.InsecureSkipVerify || mc.TLS.ServerName != c.Host || mc.TLS.RootCAs != nil {
		t.Errorf("verify-full TLS = %+v, want system pool and ServerName %s", mc.TLS, c.Host)
	}

	c = Config{Host: "127.0.0.1", Port: 3307, User: "u", ConnectTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 3 * time.Second}
	mc, err = c.DriverConfig()
	if err != nil {
		t.Fatal(err)
	}
	if mc.TLS != nil || mc.Addr != "127.0.0.1:3307" || mc.Timeout != time.Second || mc.ReadTimeout != 2*time.Second || mc.WriteTimeout != 3*time.Second {
		t.Errorf("lab driver config = %+v", mc)
	}

	c = Config{Host: "localhost", User: "u", TLS: TLSVerifyFull, ServerName: "db1.abc.eu-west-1.rds.amazonaws.com"}
	if mc, err = c.DriverConfig(); err != nil || mc.TLS.ServerName != "db1.abc.eu-west-1.rds.amazonaws.com" {
		t.Errorf("ServerName override: %v %+v", err, mc)
	}
}

func TestDriverConfigRejects(t *testing.T) {
	for name, c := range map[string]Config{
		"no host":            {User: "u"},
		"no user":            {Host: "h"},
		"bad port":           {Host: "h", User: "u", Port: 70000},
		"bad tls":            {Host: "h", User: "u", TLS: "maybe"},
		"cleartext in clear": {Host: "127.0.0.1", User: "u", AllowCleartextPasswords: true},
		"ca bundle not pem":  {Host: "h", User: "u", CABundle: writeFile(t, "not a certificate")},
	} {
		if _, err := c.DriverConfig(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: err = %v, want ErrInvalidConfig", name, err)
		}
	}
	if _, err := (Config{Host: "h", User: "u", CABundle: filepath.Join(t.TempDir(), "missing.pem")}).DriverConfig(); err == nil {
		t.Error("missing CA bundle accepted")
	}
}

func TestCABundle(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test root"}, IsCA: true,
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	mc, err := Config{Host: "db.example", User: "u", CABundle: path}.DriverConfig()
	if err != nil {
		t.Fatal(err)
	}
	if mc.TLS == nil || mc.TLS.RootCAs == nil || mc.TLS.ServerName != "db.example" || mc.TLS.InsecureSkipVerify {
		t.Errorf("TLS with CA bundle = %+v", mc.TLS)
	}
}

func TestStringHidesPassword(t *testing.T) {
	c := Config{Host: "127.0.0.1", Port: 3306, User: "admin", Password: "hunter2-very-secret"}
	s := c.String()
	if strings.Contains(s, "hunter2") {
		t.Fatalf("String() leaks the password: %s", s)
	}
	if !strings.Contains(s, "admin:xxxxx@tcp(127.0.0.1:3306)") || !strings.Contains(s, "tls=off") {
		t.Errorf("String() = %s", s)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(format, c); strings.Contains(out, "hunter2") {
			t.Errorf("Sprintf(%s) leaks the password: %s", format, out)
		}
	}
	mc, _ := c.DriverConfig()
	dsn := mc.FormatDSN() // what a careless driver error might echo
	if !strings.Contains(dsn, c.Password) {
		t.Fatalf("test premise: FormatDSN should hold the password: %s", dsn)
	}
	if got := c.Redact("dial failed for " + dsn); strings.Contains(got, "hunter2") {
		t.Errorf("Redact leaves the password: %s", got)
	}
	c.Password = "p@ss word/+"
	if got := c.Redact("x p%40ss+word%2F%2B y p@ss%20word%2F+ z p@ss word/+"); strings.Contains(got, "ss") {
		t.Errorf("Redact leaves an escaped form: %s", got)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
