package verify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// ErrTimeout matches (errors.Is) every *ConnError caused by a server or
// network that stopped answering, so callers can tell "frozen or
// black-holed" from "refused" or "wrong password".
var ErrTimeout = errors.New("timed out")

// ConnError is a connection or query failure. Its message has passed
// through Config.Redact, and it unwraps to the driver's error only when that
// error's own message holds no secret, so neither printing nor unwrapping it
// can leak the password.
type ConnError struct {
	Op      string // what was being done, e.g. "connecting"
	Addr    string // host:port
	User    string
	Timeout bool          // the server or network stopped answering
	After   time.Duration // how long the operation ran
	msg     string
	err     error
}

func (e *ConnError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("%s %s as %s: timed out after %s with no answer from the server: %s", e.Op, e.Addr, e.User, e.After.Round(time.Millisecond), e.msg)
	}
	return fmt.Sprintf("%s %s as %s: %s", e.Op, e.Addr, e.User, e.msg)
}

// Unwrap exposes the cause for errors.As (e.g. *mysql.MySQLError) when
// that is safe.
func (e *ConnError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrTimeout) work for timeouts.
func (e *ConnError) Is(target error) bool { return target == ErrTimeout && e.Timeout }

// wrap turns a driver or network error into a *ConnError. An error that
// arrives once the shortest timeout has run out is a timeout even when the
// driver reports it only as a dropped connection.
func (c Config) wrap(op string, err error, elapsed time.Duration) error {
	if err == nil {
		return nil
	}
	msg := c.Redact(err.Error())
	ce := &ConnError{Op: op, Addr: c.Addr(), User: c.User, After: elapsed, msg: msg}
	if msg == err.Error() {
		ce.err = err
	} else {
		ce.err = errors.New(msg)
	}
	connect, read, write := c.timeouts()
	ce.Timeout = isTimeout(err, elapsed, min(connect, read, write))
	return ce
}

func isTimeout(err error, elapsed, limit time.Duration) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	// go-sql-driver reports a read deadline that fired as ErrInvalidConn.
	return errors.Is(err, mysql.ErrInvalidConn) && limit > 0 && elapsed >= limit*9/10
}

// Open connects and checks the connection works within ConnectTimeout.
// The pool holds one connection, because verify reads session values that
// must come from the same connection as the globals, and because a frozen
// server should cost one timeout, not a pool's worth of retries.
func Open(ctx context.Context, c Config) (*sql.DB, error) {
	mc, err := c.DriverConfig()
	if err != nil {
		return nil, err
	}
	connector, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, c.wrap("connecting to", err, 0)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(10 * time.Minute)

	connect, _, _ := c.timeouts()
	pctx, cancel := context.WithTimeout(ctx, connect)
	defer cancel()
	start := time.Now()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, c.wrap("connecting to", err, time.Since(start))
	}
	return db, nil
}

// IsAuthError reports whether err is the server refusing the credentials
// (MySQL error 1045, or 1698 for a socket-only account), as opposed to an
// unreachable or failing server.
func IsAuthError(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1045 || me.Number == 1698
	}
	return err != nil && strings.Contains(err.Error(), "Access denied")
}
