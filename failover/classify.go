package failover

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/go-sql-driver/mysql"
)

// The error classes a probe failure falls into. They are the keys of
// Summary.ErrorClasses and of `failover -o json`'s error_classes, so their
// spelling is part of the contract.
const (
	// ClassRefused: nothing listens on the endpoint (ECONNREFUSED), as while
	// RDS moves the endpoint or the lab's proxy refuses.
	ClassRefused = "refused"
	// ClassTimeout: a dial, read or write deadline passed, or the attempt's
	// own deadline did: packets go nowhere, as when clients still resolve the
	// dead primary.
	ClassTimeout = "timeout"
	// ClassReadOnly: the server answered but refused to write (errors 1290
	// and 1836), as when the endpoint still points at a demoted writer.
	ClassReadOnly = "read_only"
	// ClassGoneAway: an established connection died under the client
	// (EOF, reset, the driver's invalid or bad connection, 2006/2013).
	ClassGoneAway = "gone_away"
	// ClassAuth: the server rejected the credentials or the account.
	ClassAuth = "auth"
	// ClassOther is everything else; its Err text says what it was.
	ClassOther = "other"
)

// Classes lists every class in a fixed order, so reports and JSON always
// carry all six keys, zero or not.
var Classes = []string{ClassRefused, ClassTimeout, ClassReadOnly, ClassGoneAway, ClassAuth, ClassOther}

// MySQL and MariaDB error numbers that Classify recognises. The client-side
// numbers (2006, 2013) come from C clients and proxies; go-sql-driver never
// produces them itself but other layers may wrap them in a *mysql.MySQLError.
var (
	readOnlyErrors = map[uint16]bool{
		1290: true, // ER_OPTION_PREVENTS_STATEMENT: --read-only (also Aurora readers)
		1836: true, // ER_READ_ONLY_MODE
	}
	authErrors = map[uint16]bool{
		1044: true, // ER_DBACCESS_DENIED_ERROR
		1045: true, // ER_ACCESS_DENIED_ERROR
		1130: true, // ER_HOST_NOT_PRIVILEGED
		1142: true, // ER_TABLEACCESS_DENIED_ERROR: e.g. the probe user may not INSERT
		1227: true, // ER_SPECIFIC_ACCESS_DENIED_ERROR
		1251: true, // ER_NOT_SUPPORTED_AUTH_MODE
		1698: true, // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
		1820: true, // ER_MUST_CHANGE_PASSWORD
		1862: true, // ER_MUST_CHANGE_PASSWORD_LOGIN
		3118: true, // MySQL ER_ACCOUNT_HAS_BEEN_LOCKED
		4151: true, // MariaDB ER_ACCOUNT_HAS_BEEN_LOCKED
	}
	goneAwayErrors = map[uint16]bool{
		1053: true, // ER_SERVER_SHUTDOWN: the server is going down under us
		1927: true, // ER_CONNECTION_KILLED (MariaDB)
		2006: true, // CR_SERVER_GONE_ERROR
		2013: true, // CR_SERVER_LOST
	}
)

// Classify names the class of a probe failure, so a game day can say what
// clients saw ("refused ×12, then timeout ×3") rather than only that they
// failed. It inspects real error values with errors.As and errors.Is, and
// looks at every branch of joined errors: the probe joins the driver's error
// with the socket error that caused it (see recordingConn), because the
// driver itself flattens every read failure into mysql.ErrInvalidConn.
//
// Precedence, most specific first: a server error number; a refused
// connect; a timeout (so a read deadline that made the driver report an
// invalid connection counts as a timeout, not as gone_away); a dead
// connection; the driver's authentication-method errors; other. A nil
// error has no class and yields "".
func Classify(err error) string {
	if err == nil {
		return ""
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch {
		case readOnlyErrors[me.Number]:
			return ClassReadOnly
		case authErrors[me.Number]:
			return ClassAuth
		case goneAwayErrors[me.Number]:
			return ClassGoneAway
		}
		return ClassOther
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return ClassRefused
	}
	if anyInTree(err, isTimeout) {
		return ClassTimeout
	}
	if anyInTree(err, isGoneAway) {
		return ClassGoneAway
	}
	if errors.Is(err, mysql.ErrNativePassword) || errors.Is(err, mysql.ErrOldPassword) ||
		errors.Is(err, mysql.ErrCleartextPassword) || errors.Is(err, mysql.ErrUnknownPlugin) {
		return ClassAuth
	}
	return ClassOther
}

// isTimeout reports whether one error in the tree (not its wrapped ones) is
// a deadline. net.Error.Timeout covers dial, read and write deadlines and
// DNS timeouts; context.DeadlineExceeded is an attempt's own deadline (the
// driver returns it when its context watcher cut the connection).
func isTimeout(err error) bool {
	if err == context.DeadlineExceeded || err == os.ErrDeadlineExceeded || err == syscall.ETIMEDOUT {
		return true
	}
	// syscall.Errno implements Timeout too (EAGAIN, EWOULDBLOCK and
	// ETIMEDOUT), but the first two never reach a Go socket's caller.
	t, ok := err.(interface{ Timeout() bool })
	return ok && t.Timeout()
}

// isGoneAway reports whether one error in the tree means an established
// connection died.
func isGoneAway(err error) bool {
	switch err {
	case mysql.ErrInvalidConn, driver.ErrBadConn, io.EOF, io.ErrUnexpectedEOF, net.ErrClosed,
		syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED:
		return true
	}
	// The driver's unexported errBadConnNoWrite ("bad connection") is
	// returned as is when the handshake response cannot be sent; it has no
	// exported value to compare with, so its text is the only handle. The
	// probe's recordingConn usually also supplies the socket error behind it.
	return err.Error() == "bad connection"
}

// anyInTree walks err and everything it wraps, through both Unwrap() error
// and Unwrap() []error, and reports whether pred holds for any node. Unlike
// errors.As it does not stop at the first value of a type: a joined error
// may carry a net.Error that is not a timeout before one that is.
func anyInTree(err error, pred func(error) bool) bool {
	for err != nil {
		if pred(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if anyInTree(e, pred) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
