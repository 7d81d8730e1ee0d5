// Package mysqld runs MariaDB servers for the lab: one real mariadbd process
// per lab DB instance, each on its own datadir, port and run directory.
//
// The life of an instance:
//
//	bin, _ := mysqld.Find()
//	tmpl, _ := mysqld.InitTemplate(ctx, bin, "/lab/template")  // mariadb-install-db, once
//	_ = tmpl.Clone("/lab/db1/data")                              // a file copy, ~0.1 s
//	srv, _ := mysqld.Start(ctx, mysqld.Config{Binaries: bin, DataDir: "/lab/db1/data", RunDir: "/lab/db1/run"})
//	_ = srv.SetGlobal(ctx, "wait_timeout", "300")               // an immediate, dynamic change
//	_ = srv.Stop(ctx)                                            // a reboot is Stop, then Start with new Options
//	_ = srv.Kill()                                               // a crash; Start on the same datadir recovers
//
// # Processes
//
// The calling process owns every mariadbd it starts: exactly one goroutine
// per server calls cmd.Wait, and each server runs in its own process group so
// that a signal meant for the lab (Ctrl-C in a terminal) does not reach the
// engines, which the lab shuts down in order instead.
//
// Engines must not outlive the lab, even when the lab is SIGKILLed and never
// runs a cleanup. Every child is started with Pdeathsig=SIGKILL. Linux sends
// that signal when the *thread* that forked the child exits, not the process,
// and the Go runtime does end threads: a goroutine that exits while it holds
// runtime.LockOSThread takes its thread with it. A child forked from such a
// thread would be killed at a random later moment. So every child is forked
// by one spawner goroutine that locks its thread and never returns (see
// spawn.go); its thread lives exactly as long as the process.
//
// Pdeathsig cannot cover an engine whose lab was started by something else
// that outlives it, or a build without this package's spawner, so each run
// directory also holds mariadbd.pid. Launch calls KillStale, which kills an
// engine recorded there before a new one starts on the same files; without
// that, the new server would wait about 100 s on InnoDB's lock of ibdata1
// and then fail.
//
// # Option files
//
// A server reads one option file, RunDir/my.cnf, given first on its command
// line as --defaults-file, so nothing under /etc/mysql or ~/.my.cnf is ever
// read. The file holds small defaults (see DefaultOptions), then the caller's
// Options (the DB parameter group), then the identity of the server (paths,
// port, server id), which callers cannot override; see Managed. Names are
// normalised to the '_' spelling that SHOW VARIABLES and RDS use; mariadbd
// itself treats '-' and '_' alike. A bad value makes mariadbd exit at once,
// and Wait returns an *ExitError whose first line is the server's [ERROR]
// line and whose Log is the end of this run's error log.
//
// # Files of a server
//
//	RunDir/my.cnf         the option file, rewritten atomically at each start
//	RunDir/mariadbd.pid   written by Launch right after the fork, for KillStale
//	RunDir/mysqld.sock    the socket, unless RunDir is too deep for sun_path
//	                      (108 bytes): then /tmp/rdsctl-mysqld-<hash of RunDir>/
//	RunDir/tmp/           tmpdir: mariadbd deletes every #sql* file in its
//	                      tmpdir when it starts, so servers must not share one
//	RunDir/mariadbd.log   the error log (Config.LogPath), appended to
//
// # Speed
//
// mariadb-install-db runs once per template (about a second). A clone is a
// copy of about 200 files, 25 MB; on the CI machines' ext4 creating an inode
// costs about 0.5 ms, so a clone takes 70-150 ms, a start on a fresh clone
// 100-150 ms more, a crash and restart (SIGKILL, recovery, accepting) about
// 60 ms, and a clean reboot about 70 ms. See the benchmarks in bench_test.go.
package mysqld
