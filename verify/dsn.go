package verify

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// TLSMode says how the connection is encrypted and what is checked.
type TLSMode string

// The TLS modes. TLSAuto is the zero value so that a Config built in code
// gets the safe choice for its host without naming one.
const (
	// TLSAuto is verify-full for every host except loopback, where the
	// lab's endpoints live and TLS is off.
	TLSAuto TLSMode = ""
	// TLSOff sends everything, the password included, in clear text.
	TLSOff TLSMode = "off"
	// TLSRequired encrypts but does not check the server's certificate:
	// for tunnels whose host name the certificate cannot match.
	TLSRequired TLSMode = "required"
	// TLSVerifyFull checks the chain (CA bundle or system pool) and the
	// host name.
	TLSVerifyFull TLSMode = "verify-full"
)

// ParseTLSMode reads a --tls flag value.
func ParseTLSMode(s string) (TLSMode, error) {
	switch m := TLSMode(strings.ToLower(strings.TrimSpace(s))); m {
	case TLSAuto, "auto":
		return TLSAuto, nil
	case TLSOff, TLSRequired, TLSVerifyFull:
		return m, nil
	}
	return "", fmt.Errorf("%w: tls mode %q (want auto, off, required or verify-full)", ErrInvalidConfig, s)
}

// Default timeouts. They are short on purpose: verify runs in game days
// right after a failover, where a hung connection would hide the result.
const (
	DefaultPort           = 3306
	DefaultConnectTimeout = 5 * time.Second
	DefaultReadTimeout    = 5 * time.Second
	DefaultWriteTimeout   = 5 * time.Second
)

// ErrInvalidConfig is wrapped by every rejection of a Config before any
// connection is attempted, so the CLI can map it to a usage error.
var ErrInvalidConfig = errors.New("invalid connection settings")

// Config describes the non-interactive connection verify reads through.
// Its String method never shows Password, so a Config may be logged.
type Config struct {
	Host     string
	Port     int // 0 means DefaultPort
	User     string
	Password string `json:"-"`

	TLS TLSMode
	// CABundle is a PEM file of trusted roots (e.g. AWS's global-bundle.pem);
	// empty means the system pool.
	CABundle string
	// ServerName overrides the name checked against the certificate, for
	// connecting to an RDS endpoint through a tunnel under verify-full.
	ServerName string
	// AllowCleartextPasswords lets the driver send the password in the
	// clear inside TLS, which RDS IAM authentication needs.
	AllowCleartextPasswords bool

	ConnectTimeout time.Duration // dial plus handshake; 0 means the default
	ReadTimeout    time.Duration // per read on an open connection
	WriteTimeout   time.Duration // per write on an open connection
}

// Addr is host:port.
func (c Config) Addr() string {
	p := c.Port
	if p == 0 {
		p = DefaultPort
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(p))
}

// EffectiveTLS resolves TLSAuto for the host.
func (c Config) EffectiveTLS() TLSMode {
	if c.TLS != TLSAuto {
		return c.TLS
	}
	if isLoopback(c.Host) {
		return TLSOff
	}
	return TLSVerifyFull
}

func (c Config) timeouts() (connect, read, write time.Duration) {
	connect, read, write = c.ConnectTimeout, c.ReadTimeout, c.WriteTimeout
	if connect <= 0 {
		connect = DefaultConnectTimeout
	}
	if read <= 0 {
		read = DefaultReadTimeout
	}
	if write <= 0 {
		write = DefaultWriteTimeout
	}
	return connect, read, write
}

// isLoopback is true for the lab's addresses.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsAWSEndpoint reports whether host is an RDS endpoint name, for which
// verify-full against AWS's CA is the only sensible default.
func IsAWSEndpoint(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return strings.HasSuffix(h, ".rds.amazonaws.com") || strings.HasSuffix(h, ".rds.amazonaws.com.cn")
}

// String is a DSN-like description with the password replaced, safe for
// logs and error messages.
func (c Config) String() string {
	connect, read, write := c.timeouts()
	var b strings.Builder
	b.WriteString(c.User)
	if c.Password != "" {
		b.WriteString(":xxxxx")
	}
	fmt.Fprintf(&b, "@tcp(%s)/?tls=%s&timeout=%s&readTimeout=%s&writeTimeout=%s",
		c.Addr(), c.EffectiveTLS(), connect, read, write)
	if c.CABundle != "" {
		fmt.Fprintf(&b, "&ca=%s", c.CABundle)
	}
	if c.AllowCleartextPasswords {
		b.WriteString("&allowCleartextPasswords=true")
	}
	return b.String()
}

// GoString keeps %#v from printing the password too.
func (c Config) GoString() string { return "verify.Config(" + c.String() + ")" }

// Redact replaces the password, in every escaped form Redact knows,
// wherever it appears in s.
func (c Config) Redact(s string) string {
	return Redact(s, c.Password)
}

func (c Config) validate() error {
	if c.Host == "" {
		return fmt.Errorf("%w: no host", ErrInvalidConfig)
	}
	if c.User == "" {
		return fmt.Errorf("%w: no user", ErrInvalidConfig)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("%w: port %d out of range", ErrInvalidConfig, c.Port)
	}
	if _, err := ParseTLSMode(string(c.TLS)); err != nil {
		return err
	}
	if c.AllowCleartextPasswords && c.EffectiveTLS() == TLSOff {
		return fmt.Errorf("%w: clear-text passwords (IAM authentication) need TLS", ErrInvalidConfig)
	}
	return nil
}

// DriverConfig builds the go-sql-driver configuration field by field rather
// than by formatting a DSN, so no password ever passes through a string that
// might be printed.
func (c Config) DriverConfig() (*mysql.Config, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	connect, read, write := c.timeouts()
	mc := mysql.NewConfig()
	mc.User = c.User
	mc.Passwd = c.Password
	mc.Net = "tcp"
	mc.Addr = c.Addr()
	mc.Timeout = connect
	mc.ReadTimeout = read
	mc.WriteTimeout = write
	mc.AllowCleartextPasswords = c.AllowCleartextPasswords
	// The driver logs dropped connections to stderr on its own; rdsctl
	// reports them as errors instead.
	mc.Logger = &mysql.NopLogger{}
	tlsCfg, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	mc.TLS = tlsCfg
	return mc, nil
}

func (c Config) tlsConfig() (*tls.Config, error) {
	switch c.EffectiveTLS() {
	case TLSOff:
		return nil, nil
	case TLSRequired:
		return &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, nil //nolint:gosec // the mode's purpose
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	if cfg.ServerName == "" {
		cfg.ServerName = c.Host
	}
	if c.CABundle != "" {
		pem, err := readSmallFile(c.CABundle, "ca bundle", maxCABundle)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: ca bundle %s holds no PEM certificates", ErrInvalidConfig, c.CABundle)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}
