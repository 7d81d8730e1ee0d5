package mysqld

import (
	"context"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Errors of SetGlobal that the lab maps to RDS behaviour.
var (
	ErrUnknownVariable = errors.New("unknown system variable")
	ErrReadOnly        = errors.New("read-only system variable")
)

// openDB opens root's pool over the unix socket. Every I/O has a deadline
// so that a hung or killed server fails a call instead of hanging it.
func openDB(socket string) (*sql.DB, error) {
	cfg := mysql.NewConfig()
	cfg.User = "root"
	cfg.Net = "unix"
	cfg.Addr = socket
	cfg.Timeout = 2 * time.Second
	cfg.ReadTimeout = 30 * time.Second
	cfg.WriteTimeout = 30 * time.Second
	// Wait polls before the server listens; the driver would log each try.
	cfg.Logger = &mysql.NopLogger{}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("building connector for %s: %w", socket, err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(time.Minute)
	return db, nil
}

// DB is a root connection pool over the unix socket. It is closed by Stop
// and Kill; a new Start has a new pool.
func (s *Server) DB() *sql.DB { return s.db }

type varInfo struct {
	typ      string // information_schema.SYSTEM_VARIABLES.VARIABLE_TYPE
	readOnly bool
	scope    string
}

// SetGlobal runs SET GLOBAL name = value, as an immediate parameter change.
// The name is validated (NormalizeName) before it is spliced into the
// statement; the value is always a bound parameter, typed from the
// variable's VARIABLE_TYPE: MariaDB rejects a string for a numeric variable,
// so "300" goes as an integer, "32M" as 33554432, "0.5" as a double, "1" for
// a boolean as ON, and anything else as a string.
func (s *Server) SetGlobal(ctx context.Context, name, value string) error {
	n, err := NormalizeName(name)
	if err != nil {
		return fmt.Errorf("setting global %s: %w", name, err)
	}
	info, err := s.varInfo(ctx, n)
	if err != nil {
		return fmt.Errorf("setting global %s: %w", n, err)
	}
	if info.readOnly {
		return fmt.Errorf("setting global %s: %w", n, ErrReadOnly)
	}
	if info.scope == "SESSION ONLY" {
		return fmt.Errorf("setting global %s: variable has no global value: %w", n, ErrReadOnly)
	}
	arg, err := bindValue(info.typ, value)
	if err != nil {
		return fmt.Errorf("setting global %s: %w", n, err)
	}
	if _, err := s.db.ExecContext(ctx, "SET GLOBAL "+n+" = ?", arg); err != nil {
		return fmt.Errorf("setting global %s to %q: %w", n, value, err)
	}
	return nil
}

func (s *Server) varInfo(ctx context.Context, name string) (varInfo, error) {
	s.varsMu.Lock()
	info, ok := s.vars[name]
	s.varsMu.Unlock()
	if ok {
		return info, nil
	}
	var readOnly string
	err := s.db.QueryRowContext(ctx,
		"SELECT VARIABLE_TYPE, READ_ONLY, VARIABLE_SCOPE FROM information_schema.SYSTEM_VARIABLES WHERE VARIABLE_NAME = ?",
		name).Scan(&info.typ, &readOnly, &info.scope)
	if errors.Is(err, sql.ErrNoRows) {
		return info, ErrUnknownVariable
	}
	if err != nil {
		return info, err
	}
	info.readOnly = readOnly == "YES"
	s.varsMu.Lock()
	if s.vars == nil {
		s.vars = make(map[string]varInfo)
	}
	s.vars[name] = info
	s.varsMu.Unlock()
	return info, nil
}

var sizeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+)([KMGTPE])$`) })

// bindValue converts an option-style value to the Go type the driver must
// send for a variable of type typ.
func bindValue(typ, value string) (any, error) {
	v := strings.TrimSpace(value)
	switch {
	case strings.Contains(typ, "INT"):
		mult := uint64(1)
		if m := sizeRE().FindStringSubmatch(strings.ToUpper(v)); m != nil {
			v = m[1]
			mult = 1 << (10 * (strings.Index("KMGTPE", m[2]) + 1))
		}
		if strings.Contains(typ, "UNSIGNED") {
			u, err := strconv.ParseUint(v, 10, 64)
			if err != nil || (mult > 1 && u > ^uint64(0)/mult) {
				return nil, fmt.Errorf("value %q is not an unsigned integer", value)
			}
			return u * mult, nil
		}
		i, err := strconv.ParseInt(v, 10, 64)
		if err != nil || (mult > 1 && (i > (1<<63-1)/int64(mult) || i < -(1<<63)/int64(mult))) {
			return nil, fmt.Errorf("value %q is not an integer", value)
		}
		return i * int64(mult), nil
	case typ == "DOUBLE" || typ == "DECIMAL" || typ == "FLOAT":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("value %q is not a number", value)
		}
		return f, nil
	case typ == "BOOLEAN":
		switch strings.ToUpper(v) {
		case "ON", "1", "TRUE", "YES":
			return "ON", nil
		case "OFF", "0", "FALSE", "NO":
			return "OFF", nil
		}
		return nil, fmt.Errorf("value %q is not ON or OFF", value)
	default: // VARCHAR, ENUM, SET, FLAGSET
		return value, nil
	}
}

// Globals reads global values from information_schema.GLOBAL_VARIABLES,
// keyed by normalised name: the named ones (absent names are missing from
// the map) or, with no names, all of them.
func (s *Server) Globals(ctx context.Context, names ...string) (map[string]string, error) {
	q := "SELECT LOWER(VARIABLE_NAME), VARIABLE_VALUE FROM information_schema.GLOBAL_VARIABLES"
	args := make([]any, 0, len(names))
	for _, name := range names {
		n, err := NormalizeName(name)
		if err != nil {
			return nil, fmt.Errorf("reading globals: %w", err)
		}
		args = append(args, n)
	}
	if len(args) > 0 {
		q += " WHERE VARIABLE_NAME IN (?" + strings.Repeat(", ?", len(args)-1) + ")"
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading globals: %w", err)
	}
	defer rows.Close()
	out := make(map[string]string, len(args))
	for rows.Next() {
		var k string
		var v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("reading globals: %w", err)
		}
		out[k] = v.String
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading globals: %w", err)
	}
	return out, nil
}

var userRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,79}$`) })

// CreateUser creates (or replaces) the RDS master user with ALL PRIVILEGES
// WITH GRANT OPTION, as user@'%' for TCP clients and as user@localhost,
// without which socket clients would match a more specific localhost entry
// first. The password is sent as its mysql_native_password hash, which is
// hex: no password can break the statement's quoting, whatever sql_mode the
// parameter group sets (NO_BACKSLASH_ESCAPES changes what quoting means).
func (s *Server) CreateUser(ctx context.Context, user, password string) error {
	if !userRE().MatchString(user) {
		return fmt.Errorf("creating user %q: name must be a letter followed by letters, digits or '_', at most 80", user)
	}
	hash := ""
	if password != "" {
		hash = NativePasswordHash(password)
	}
	return s.CreateUserHashed(ctx, user, hash)
}

var hashRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\*[0-9A-F]{40}$`) })

// CreateUserHashed is CreateUser given the password's
// mysql_native_password hash (NativePasswordHash) instead of the password,
// for a caller that must keep the master credentials without keeping the
// password (an Aurora cluster creates its master user on its first
// member). An empty hash means no password.
func (s *Server) CreateUserHashed(ctx context.Context, user, hash string) error {
	if !userRE().MatchString(user) {
		return fmt.Errorf("creating user %q: name must be a letter followed by letters, digits or '_', at most 80", user)
	}
	if hash != "" && !hashRE().MatchString(hash) {
		return fmt.Errorf("creating user %q: not a mysql_native_password hash", user)
	}
	auth := ""
	if hash != "" {
		auth = " IDENTIFIED BY PASSWORD '" + hash + "'"
	}
	for _, host := range []string{"%", "localhost"} {
		account := "'" + user + "'@'" + host + "'"
		for _, stmt := range []string{
			"CREATE OR REPLACE USER " + account + auth,
			"GRANT ALL PRIVILEGES ON *.* TO " + account + " WITH GRANT OPTION",
		} {
			if _, err := s.db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("creating user %s: %w", account, err)
			}
		}
	}
	return nil
}

// NativePasswordHash is PASSWORD(p) for mysql_native_password:
// '*' + upper hex of SHA1(SHA1(p)).
func NativePasswordHash(p string) string {
	h1 := sha1.Sum([]byte(p))
	h2 := sha1.Sum(h1[:])
	return "*" + strings.ToUpper(hex.EncodeToString(h2[:]))
}

// ResetGlobal runs SET GLOBAL name = DEFAULT: a parameter reset to the
// engine default, whose value the lab does not need to know.
func (s *Server) ResetGlobal(ctx context.Context, name string) error {
	n, err := NormalizeName(name)
	if err != nil {
		return fmt.Errorf("resetting global %s: %w", name, err)
	}
	if _, err := s.db.ExecContext(ctx, "SET GLOBAL "+n+" = DEFAULT"); err != nil {
		return fmt.Errorf("resetting global %s: %w", n, err)
	}
	return nil
}
