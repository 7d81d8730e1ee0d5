package mysqld

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MariaDB's own replication, as the lab's Aurora clusters use it: every
// member writes a binary log (BinlogOptions), readers replicate from the
// writer by GTID (MASTER_USE_GTID=slave_pos), and a failover repoints them.

// BinlogOptions are the options of a server that may be a replication
// source or replica: a binary log that also records what it replicates
// (so that any member can become the writer and serve the others), relay
// logs of fixed names, and no replication started by the server itself:
// the lab points it at the current writer after every start.
func BinlogOptions() map[string]string {
	return map[string]string{
		"log_bin":           "mysql-bin",
		"log_slave_updates": "ON",
		"relay_log":         "relay-bin",
		"skip_slave_start":  "ON",
		"binlog_format":     "ROW",
	}
}

// CreateReplicationUser creates (or replaces) user@'%' with REPLICATION
// SLAVE only, identified by password. It runs on the writer and reaches
// the readers through the binary log.
func (s *Server) CreateReplicationUser(ctx context.Context, user, password string) error {
	if !userRE().MatchString(user) {
		return fmt.Errorf("creating replication user %q: invalid name", user)
	}
	account := "'" + user + "'@'%'"
	for _, stmt := range []string{
		"CREATE OR REPLACE USER " + account + " IDENTIFIED BY PASSWORD '" + NativePasswordHash(password) + "'",
		"GRANT REPLICATION SLAVE ON *.* TO " + account,
	} {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("creating replication user: %w", err)
		}
	}
	return nil
}

// RevokeReadOnlyAdmin takes READ_ONLY ADMIN from user@'%' and
// user@localhost, which GRANT ALL gives: with it the master user could
// write to a read_only reader, which RDS's master user cannot.
func (s *Server) RevokeReadOnlyAdmin(ctx context.Context, user string) error {
	if !userRE().MatchString(user) {
		return fmt.Errorf("revoking READ_ONLY ADMIN from %q: invalid name", user)
	}
	for _, host := range []string{"%", "localhost"} {
		if _, err := s.db.ExecContext(ctx, "REVOKE READ_ONLY ADMIN ON *.* FROM '"+user+"'@'"+host+"'"); err != nil {
			return fmt.Errorf("revoking READ_ONLY ADMIN from %s@%s: %w", user, host, err)
		}
	}
	return nil
}

// ReplicateFrom makes the server a replica of source (host:port), by GTID
// from its own gtid_slave_pos, and starts replication. A server that was a
// writer first takes its binary log position as its replica position
// (fromOwnBinlog), so it asks the new source only for what it lacks.
func (s *Server) ReplicateFrom(ctx context.Context, source, user, password string, fromOwnBinlog bool) error {
	host, portStr, err := net.SplitHostPort(source)
	if err != nil {
		return fmt.Errorf("replicating from %s: %w", source, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || net.ParseIP(host) == nil {
		return fmt.Errorf("replicating from %s: want an IP address and port", source)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("replicating from %s: %w", source, err)
	}
	defer conn.Close()
	stmts := []string{"STOP SLAVE", "RESET SLAVE ALL"}
	if fromOwnBinlog {
		stmts = append(stmts, "SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos")
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("replicating from %s: %s: %w", source, q, err)
		}
	}
	// CHANGE MASTER takes no placeholders: every value spliced in is
	// checked first (host and port above, the credentials here).
	if !userRE().MatchString(user) || !replPasswordRE().MatchString(password) {
		return fmt.Errorf("replicating from %s: the replication user and password must be letters and digits", source)
	}
	_, err = conn.ExecContext(ctx, "CHANGE MASTER TO MASTER_HOST = '"+host+"', MASTER_PORT = "+strconv.Itoa(port)+
		", MASTER_USER = '"+user+"', MASTER_PASSWORD = '"+password+"', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1")
	if err != nil {
		return fmt.Errorf("replicating from %s: CHANGE MASTER: %w", source, err)
	}
	if _, err := conn.ExecContext(ctx, "START SLAVE"); err != nil {
		return fmt.Errorf("replicating from %s: START SLAVE: %w", source, err)
	}
	return nil
}

// replPasswordRE is what ReplicateFrom accepts as a password: it is
// spliced into CHANGE MASTER.
var replPasswordRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9]{8,64}$`) })

// StopReplication stops replicating and forgets the source: the server
// is about to become the writer.
func (s *Server) StopReplication(ctx context.Context) error {
	for _, q := range []string{"STOP SLAVE", "RESET SLAVE ALL"} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("stopping replication: %s: %w", q, err)
		}
	}
	return nil
}

// BinlogPos is @@gtid_binlog_pos: every transaction in the server's
// binary log, its own and those it replicated.
func (s *Server) BinlogPos(ctx context.Context) (string, error) {
	var pos string
	if err := s.db.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_binlog_pos").Scan(&pos); err != nil {
		return "", fmt.Errorf("reading gtid_binlog_pos: %w", err)
	}
	return pos, nil
}

// WaitApplied waits until the server has applied every transaction of
// pos (a GTID position), or timeout passes.
func (s *Server) WaitApplied(ctx context.Context, pos string, timeout time.Duration) error {
	if pos == "" {
		return nil
	}
	var r sql.NullInt64
	err := s.db.QueryRowContext(ctx, "SELECT MASTER_GTID_WAIT(?, ?)", pos, timeout.Seconds()).Scan(&r)
	if err != nil {
		return fmt.Errorf("waiting for GTID %s: %w", pos, err)
	}
	if !r.Valid || r.Int64 != 0 {
		return fmt.Errorf("waiting for GTID %s: %w", pos, ErrReplicaBehind)
	}
	return nil
}

// ErrReplicaBehind says a replica did not reach a position in time.
var ErrReplicaBehind = errors.New("the replica did not catch up in time")

// Applied counts the transactions a server has applied, over all GTID
// domains of @@gtid_current_pos: the most up-to-date reader is the one
// with the highest count.
func (s *Server) Applied(ctx context.Context) (int64, error) {
	var pos string
	if err := s.db.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_current_pos").Scan(&pos); err != nil {
		return 0, fmt.Errorf("reading gtid_current_pos: %w", err)
	}
	return gtidCount(pos), nil
}

// gtidCount sums the sequence numbers of a GTID position
// ("0-1-42,1-3-7" is 49).
func gtidCount(pos string) int64 {
	var n int64
	for len(pos) > 0 {
		var g string
		if i := strings.IndexByte(pos, ','); i >= 0 {
			g, pos = pos[:i], pos[i+1:]
		} else {
			g, pos = pos, ""
		}
		if j := strings.LastIndexByte(g, '-'); j >= 0 {
			if v, err := strconv.ParseInt(g[j+1:], 10, 64); err == nil {
				n += v
			}
		}
	}
	return n
}

// ReplicaStatus is what SHOW SLAVE STATUS says of the replication threads.
type ReplicaStatus struct {
	IORunning, SQLRunning string // "Yes", "No", "Connecting"
	LastError             string
}

// Replica reports the replication threads' state; ok is false when the
// server replicates from nothing.
func (s *Server) Replica(ctx context.Context) (st ReplicaStatus, ok bool, err error) {
	rows, err := s.db.QueryContext(ctx, "SHOW SLAVE STATUS")
	if err != nil {
		return st, false, fmt.Errorf("SHOW SLAVE STATUS: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return st, false, err
	}
	if !rows.Next() {
		return st, false, rows.Err()
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return st, false, err
	}
	for i, c := range cols {
		switch c {
		case "Slave_IO_Running":
			st.IORunning = vals[i].String
		case "Slave_SQL_Running":
			st.SQLRunning = vals[i].String
		case "Last_Error":
			if vals[i].String != "" {
				st.LastError = vals[i].String
			}
		case "Last_IO_Error":
			if st.LastError == "" {
				st.LastError = vals[i].String
			}
		}
	}
	return st, true, nil
}
