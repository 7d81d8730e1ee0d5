package verify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testPKI writes a CA and a server certificate for 127.0.0.1 and
// localhost, and returns the file paths.
func testPKI(t *testing.T, dir, name string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " CA"}, IsCA: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(file, typ string, b []byte) string {
		p := filepath.Join(dir, file)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write(name+"-ca.pem", "CERTIFICATE", caDER), write(name+"-cert.pem", "CERTIFICATE", der), write(name+"-key.pem", "PRIVATE KEY", keyDER)
}

// TestTLSOnRealServer checks the TLS modes against MariaDB serving a
// certificate from a private CA, as RDS does with its regional CAs.
func TestTLSOnRealServer(t *testing.T) {
	dir := t.TempDir()
	ca, cert, key := testPKI(t, dir, "server")
	otherCA, _, _ := testPKI(t, dir, "other")
	_, cfg := startServer(t, map[string]string{"ssl_ca": ca, "ssl_cert": cert, "ssl_key": key})

	cipher := func(c Config) (string, error) {
		db, err := Open(context.Background(), c)
		if err != nil {
			return "", err
		}
		defer db.Close()
		var name, v string
		err = db.QueryRow("SHOW SESSION STATUS LIKE 'Ssl_cipher'").Scan(&name, &v)
		return v, err
	}

	good := cfg
	good.TLS, good.CABundle = TLSVerifyFull, ca
	if c, err := cipher(good); err != nil || c == "" {
		t.Errorf("verify-full with the right CA: cipher %q, %v", c, err)
	}
	byName := good
	byName.Host = "localhost"
	if c, err := cipher(byName); err != nil || c == "" {
		t.Errorf("verify-full by name: cipher %q, %v", c, err)
	}
	required := cfg
	required.TLS = TLSRequired
	if c, err := cipher(required); err != nil || c == "" {
		t.Errorf("required: cipher %q, %v", c, err)
	}
	if c, err := cipher(cfg); err != nil || c != "" {
		t.Errorf("off on loopback: cipher %q, %v; want a clear connection", c, err)
	}

	for name, c := range map[string]Config{
		"wrong CA":       func() Config { c := good; c.CABundle = otherCA; return c }(),
		"system pool":    func() Config { c := good; c.CABundle = ""; return c }(),
		"wrong hostname": func() Config { c := good; c.ServerName = "db1.abc.eu-west-1.rds.amazonaws.com"; return c }(),
	} {
		_, err := cipher(c)
		var ue x509.UnknownAuthorityError
		var he x509.HostnameError
		if err == nil || errors.Is(err, ErrTimeout) || !(errors.As(err, &ue) || errors.As(err, &he)) {
			t.Errorf("%s: err = %v, want a certificate error", name, err)
		}
	}
}
