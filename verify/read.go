package verify

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Server identifies the server that answered, so a report taken after a
// failover shows which machine it describes.
type Server struct {
	Hostname string `json:"hostname"`
	ServerID int64  `json:"server_id"`
	Version  string `json:"version"`
	ReadOnly bool   `json:"read_only"`
}

// Snapshot is what one verify connection read: every global variable, and
// the session values of that same connection.
type Snapshot struct {
	// Globals maps CanonicalName(variable) to its global value as the
	// server prints it (ON/OFF, plain integers).
	Globals      map[string]string
	Server       Server
	ConnectionID int64
	// SessionWaitTimeout is this non-interactive connection's
	// wait_timeout: what applications get.
	SessionWaitTimeout       int64
	GlobalWaitTimeout        int64
	GlobalInteractiveTimeout int64
	Took                     time.Duration // both round trips
}

// Global returns a global variable's value, accepting the dashed spelling
// parameter groups sometimes use (gtid-mode for gtid_mode), and the other
// name of a variable that MySQL and MariaDB spell differently: MySQL 8.0
// has only transaction_isolation, MariaDB before 11.1 only tx_isolation.
func (s *Snapshot) Global(name string) (string, bool) {
	n := CanonicalName(name)
	if v, ok := s.Globals[n]; ok {
		return v, true
	}
	if alt, ok := variableAliases[n]; ok {
		v, ok := s.Globals[alt]
		return v, ok
	}
	return "", false
}

// variableAliases pairs the names one server family uses for a variable
// with the other's.
var variableAliases = map[string]string{
	"transaction_isolation": "tx_isolation",
	"tx_isolation":          "transaction_isolation",
	"transaction_read_only": "tx_read_only",
	"tx_read_only":          "transaction_read_only",
}

// Trap returns the wait_timeout values an engineer needs to understand
// why the mysql client disagrees with the application.
func (s *Snapshot) Trap() Trap {
	return Trap{
		GlobalWaitTimeout:             s.GlobalWaitTimeout,
		GlobalInteractiveTimeout:      s.GlobalInteractiveTimeout,
		SessionWaitTimeout:            s.SessionWaitTimeout,
		InteractiveSessionWaitTimeout: s.GlobalInteractiveTimeout,
	}
}

// CanonicalName is the server's spelling of a parameter name: lower case
// with underscores. mysqld treats - and _ in option names alike, and RDS
// parameter groups use both (binlog-format is not unusual).
func CanonicalName(name string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "-", "_")
}

const (
	sessionQuery = "SELECT @@SESSION.wait_timeout, @@GLOBAL.wait_timeout, @@GLOBAL.interactive_timeout, " +
		"@@hostname, @@server_id, @@version, @@GLOBAL.read_only, CONNECTION_ID()"
	globalsQuery = "SHOW GLOBAL VARIABLES"
)

// Read takes a Snapshot in two round trips on one connection: the session
// and identity values, then every global at once. Reading variable by
// variable would cost a round trip each and, after a failover, could mix
// two servers in one report.
func Read(ctx context.Context, db *sql.DB) (*Snapshot, error) {
	start := time.Now()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading server variables: %w", err)
	}
	defer conn.Close()

	s := &Snapshot{}
	var sessWT, globWT, globIT, serverID, connID, readOnly string
	var hostname, version sql.NullString
	err = conn.QueryRowContext(ctx, sessionQuery).Scan(&sessWT, &globWT, &globIT, &hostname, &serverID, &version, &readOnly, &connID)
	if err != nil {
		return nil, fmt.Errorf("reading session variables: %w", err)
	}
	ints := []struct {
		dst  *int64
		name string
		v    string
	}{
		{&s.SessionWaitTimeout, "@@SESSION.wait_timeout", sessWT},
		{&s.GlobalWaitTimeout, "@@GLOBAL.wait_timeout", globWT},
		{&s.GlobalInteractiveTimeout, "@@GLOBAL.interactive_timeout", globIT},
		{&s.Server.ServerID, "@@server_id", serverID},
		{&s.ConnectionID, "CONNECTION_ID()", connID},
	}
	for _, f := range ints {
		n, err := strconv.ParseInt(f.v, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("reading session variables: %s is %q, not an integer", f.name, f.v)
		}
		*f.dst = n
	}
	s.Server.Hostname = hostname.String
	s.Server.Version = version.String
	s.Server.ReadOnly = readOnly == "1" || strings.EqualFold(readOnly, "ON")

	rows, err := conn.QueryContext(ctx, globalsQuery)
	if err != nil {
		return nil, fmt.Errorf("reading global variables: %w", err)
	}
	defer rows.Close()
	s.Globals = make(map[string]string, 700)
	for rows.Next() {
		var name string
		var value sql.NullString
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("reading global variables: %w", err)
		}
		s.Globals[CanonicalName(name)] = value.String
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading global variables: %w", err)
	}
	s.Took = time.Since(start)
	return s, nil
}
