package generate

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Deadlines for each step of a run. A throw-away server with an empty
// datadir starts in about a second; these leave room for a loaded CI box
// without letting a wedged server hang go generate.
const (
	installTimeout  = 2 * time.Minute
	helpTimeout     = 30 * time.Second
	startTimeout    = 60 * time.Second
	queryTimeout    = 30 * time.Second
	shutdownTimeout = 30 * time.Second
	pollInterval    = 100 * time.Millisecond
)

// sysvar is one row of information_schema.SYSTEM_VARIABLES.
type sysvar struct {
	Name, Scope, Type, ReadOnly string
	Comment, Default, Min, Max  sql.NullString
	Enum, CmdLine               sql.NullString
}

// snapshot is what one run of the installed server tells us.
type snapshot struct {
	Version string
	Vars    []sysvar
	// Options are mariadbd's startup option names, '-' spelt '_'.
	Options map[string]bool
	// Datadir is the throw-away datadir, which leaks into a few defaults.
	Datadir string
}

// Binaries locates the MariaDB programs the generator runs.
type Binaries struct {
	Mariadbd  string
	InstallDB string
}

// ErrNoMariaDB is returned by FindBinaries when MariaDB is not installed.
var ErrNoMariaDB = errors.New("mariadbd not found (install it with: apt-get install -y mariadb-server)")

// FindBinaries looks in PATH and then in the Debian locations, because
// /usr/sbin is often missing from a non-root PATH.
func FindBinaries() (Binaries, error) {
	var b Binaries
	var err error
	if b.Mariadbd, err = look("mariadbd", "/usr/sbin/mariadbd"); err != nil {
		return b, ErrNoMariaDB
	}
	if b.InstallDB, err = look("mariadb-install-db", "/usr/bin/mariadb-install-db"); err != nil {
		return b, fmt.Errorf("mariadb-install-db: %w", ErrNoMariaDB)
	}
	return b, nil
}

func look(name, fallback string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if _, err := os.Stat(fallback); err != nil {
		return "", err
	}
	return fallback, nil
}

// readServer installs a datadir in a temp dir, starts mariadbd on a unix
// socket only, reads SYSTEM_VARIABLES and shuts the server down again.
func readServer(ctx context.Context, bin Binaries) (snap snapshot, err error) {
	// Under /tmp, not $TMPDIR: the socket path must stay under 108 bytes.
	dir, err := os.MkdirTemp("/tmp", "rdscat")
	if err != nil {
		return snap, fmt.Errorf("making temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	datadir := filepath.Join(dir, "data") + "/"
	sock := filepath.Join(dir, "s.sock")
	errLog := filepath.Join(dir, "error.log")

	opts, err := startupOptions(ctx, bin.Mariadbd)
	if err != nil {
		return snap, err
	}

	userArgs := []string{}
	if os.Geteuid() == 0 {
		// mariadbd refuses to run as root unless told to.
		userArgs = append(userArgs, "--user=root")
	}
	ictx, cancel := context.WithTimeout(ctx, installTimeout)
	defer cancel()
	install := exec.CommandContext(ictx, bin.InstallDB, append([]string{"--no-defaults",
		"--datadir=" + datadir, "--auth-root-authentication-method=socket", "--skip-test-db"}, userArgs...)...)
	if out, err := install.CombinedOutput(); err != nil {
		return snap, fmt.Errorf("running %s: %w\n%s", bin.InstallDB, err, tail(out))
	}

	// --skip-grant-tables: nothing here needs a user, and it makes the run
	// independent of who runs it. The audit plugin is loaded so that its
	// server_audit_* variables (Aurora cluster parameters) are listed.
	// None of these options changes a DEFAULT_VALUE.
	args := append([]string{"--no-defaults"}, userArgs...)
	args = append(args, "--datadir="+datadir, "--socket="+sock, "--skip-networking",
		"--pid-file="+filepath.Join(dir, "mariadbd.pid"), "--log-error="+errLog,
		"--skip-grant-tables", "--plugin-load-add=server_audit")
	srv := exec.Command(bin.Mariadbd, args...)
	srv.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := srv.Start(); err != nil {
		return snap, fmt.Errorf("starting %s: %w", bin.Mariadbd, err)
	}
	// exited is closed once the server has been waited for, so that any
	// number of waiters (startup, shutdown, cleanup) can see it.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = srv.Wait(); close(exited) }()
	defer func() {
		select {
		case <-exited:
			return
		default:
		}
		// Still running: the clean shutdown failed or was never reached.
		// Kill it so that no server outlives the generator.
		_ = srv.Process.Kill()
		select {
		case <-exited:
		case <-time.After(shutdownTimeout):
		}
	}()

	db, err := sql.Open("mysql", dsn(sock))
	if err != nil {
		return snap, fmt.Errorf("opening connection: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := waitReady(ctx, db, exited, &waitErr, errLog); err != nil {
		return snap, err
	}

	qctx, qcancel := context.WithTimeout(ctx, queryTimeout)
	defer qcancel()
	if err := db.QueryRowContext(qctx, "SELECT VERSION()").Scan(&snap.Version); err != nil {
		return snap, fmt.Errorf("reading server version: %w", err)
	}
	if snap.Vars, err = querySysvars(qctx, db); err != nil {
		return snap, err
	}
	snap.Options, snap.Datadir = opts, datadir

	db.Close()
	if err := shutdown(ctx, srv, exited); err != nil {
		return snap, err
	}
	return snap, nil
}

func dsn(sock string) string {
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User = "unix", sock, "root"
	c.Timeout, c.ReadTimeout, c.WriteTimeout = 5*time.Second, queryTimeout, queryTimeout
	return c.FormatDSN()
}

// waitReady polls until the server answers, it exits, or the deadline.
func waitReady(ctx context.Context, db *sql.DB, exited <-chan struct{}, waitErr *error, errLog string) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	var last error
	for {
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		last = db.PingContext(pctx)
		pcancel()
		if last == nil {
			return nil
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(errLog)
			return fmt.Errorf("mariadbd exited during startup (%v):\n%s", *waitErr, tail(log))
		case <-ctx.Done():
			return fmt.Errorf("waiting for mariadbd to accept connections: %w (last error: %v)", ctx.Err(), last)
		case <-t.C:
		}
	}
}

func querySysvars(ctx context.Context, db *sql.DB) ([]sysvar, error) {
	rows, err := db.QueryContext(ctx, `SELECT VARIABLE_NAME, VARIABLE_SCOPE, VARIABLE_TYPE, READ_ONLY,
		VARIABLE_COMMENT, DEFAULT_VALUE, NUMERIC_MIN_VALUE, NUMERIC_MAX_VALUE, ENUM_VALUE_LIST,
		COMMAND_LINE_ARGUMENT
		FROM information_schema.SYSTEM_VARIABLES ORDER BY VARIABLE_NAME`)
	if err != nil {
		return nil, fmt.Errorf("reading SYSTEM_VARIABLES: %w", err)
	}
	defer rows.Close()
	var out []sysvar
	for rows.Next() {
		var v sysvar
		if err := rows.Scan(&v.Name, &v.Scope, &v.Type, &v.ReadOnly, &v.Comment, &v.Default,
			&v.Min, &v.Max, &v.Enum, &v.CmdLine); err != nil {
			return nil, fmt.Errorf("reading SYSTEM_VARIABLES: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading SYSTEM_VARIABLES: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("reading SYSTEM_VARIABLES: no rows")
	}
	return out, nil
}

// shutdown stops the server cleanly (SIGTERM is mariadbd's normal
// shutdown) and waits for it to exit.
func shutdown(ctx context.Context, srv *exec.Cmd, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, shutdownTimeout)
	defer cancel()
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stopping mariadbd: %w", err)
	}
	select {
	case <-exited:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for mariadbd to exit: %w", ctx.Err())
	}
}

// optionRE matches an option in `mariadbd --verbose --help`.
var optionRE = regexp.MustCompile(`--([a-z][a-z0-9-]*)`)

// startupOptions lists the option names mariadbd accepts, from its help
// text. A variable that is not among them cannot be put in an option file.
func startupOptions(ctx context.Context, mariadbd string) (map[string]bool, error) {
	ctx, cancel := context.WithTimeout(ctx, helpTimeout)
	defer cancel()
	args := []string{"--no-defaults"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	cmd := exec.CommandContext(ctx, mariadbd, append(args, "--plugin-load-add=server_audit", "--verbose", "--help")...)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("running %s --verbose --help: %w", mariadbd, err)
	}
	opts := map[string]bool{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "  -") {
			continue
		}
		// The first --name on an option line is the option; later ones
		// are cross-references in its description.
		if m := optionRE.FindStringSubmatch(line); m != nil {
			opts[strings.ReplaceAll(m[1], "-", "_")] = true
		}
	}
	if len(opts) < 100 {
		return nil, fmt.Errorf("reading %s --verbose --help: only %d options found", mariadbd, len(opts))
	}
	return opts, nil
}

// tail keeps the end of a log for an error message.
func tail(b []byte) string {
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}
