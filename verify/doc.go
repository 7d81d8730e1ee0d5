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
// # Entry points
//
// Instance verifies one RDS DB instance, and Group every instance using a
// parameter group; they are `rdsctl verify` without the printing, for every
// caller that must confirm a server the same way (failover afterwards, game
// days, policy --effective, converge):
//
//	rep, err := verify.Instance(ctx, rdsClient, awsCfg, "staging-db", verify.Options{
//		Login:  verify.Login{PasswordEnv: "DB_PASSWORD"},
//		Expect: []verify.Expectation{{Name: "wait_timeout", Value: "300", Source: "expect"}},
//	})
//
// They call only the four read-only RDS methods of API. Options are
// validated first (Options.Validate), so settings that cannot work
// (IsSettingsError) fail before any call. The Report comes out complete;
// drift is in it (Report.Findings, Report.Err), not in the error, which is
// for what could not be read: RDS errors are wrapped (cloud.IsNotFound
// works), connection errors are *ConnError, scrubbed of the password
// (Redact), with errors.Is(err, ErrTimeout) for frozen or black-holed
// servers.
//
// # Building blocks
//
// Login.Resolve turns a Login (user, password source, TLS, timeouts) into
// a Config for an instance: flag, environment or file, Secrets Manager,
// IAM token, else the instance's managed master secret. Expectations works
// out what an instance should run from its parameter groups. Run (a
// Config and expectations: Open, Read, Compare) verifies one server at a
// known address.
package verify
