// Package verify confirms what a MySQL or MariaDB server is actually
// running, over a non-interactive connection, and explains the
// interactive_timeout trap.
//
// After a parameter change, engineers often check it with the mysql client:
// SHOW VARIABLES LIKE 'wait_timeout' shows 28800 and they conclude the change
// failed. The client runs interactively, announces CLIENT_INTERACTIVE, and
// the server starts such sessions with wait_timeout copied from the global
// interactive_timeout. go-sql-driver/mysql never announces it, so verify's
// connection sees what applications see, and reads the global values
// besides. The Trap in every Report holds both numbers and a sentence
// explaining them.
//
// The flow is Open (Config: TLS, tight timeouts, one connection), Read (one
// SHOW GLOBAL VARIABLES plus this session's values), Compare (expectations
// from a parameter group and --expect overrides, normalised with
// params/value and formulas evaluated with params/formula), and a Report;
// Run does all of it. Connection errors are *ConnError, scrubbed of the
// password, with errors.Is(err, ErrTimeout) for frozen or black-holed
// servers; drift is reported as *DriftError values so the CLI can exit 3.
package verify
