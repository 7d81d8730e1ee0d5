package mysqld

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/atomicfile"
)

// Defaults for the waits in this file; every wait has a deadline.
const (
	DefaultStartTimeout = 60 * time.Second // Wait, when ctx has no deadline
	DefaultStopTimeout  = 30 * time.Second // Stop's SIGTERM grace, when ctx has no deadline
	killTimeout         = 10 * time.Second // reaping after SIGKILL
	startAttempts       = 3                // Start with Port 0 retries a port taken meanwhile
)

// File names in a run directory.
const (
	optionFileName = "my.cnf"
	pidFileName    = "mariadbd.pid"
	socketName     = "mysqld.sock"
	logFileName    = "mariadbd.log"
)

// Config describes one server start. A reboot is a new Start with the same
// DataDir and RunDir and new Options.
type Config struct {
	// Binaries to run; zero means Find().
	Binaries Binaries
	// DataDir is an initialised datadir, normally a Template clone.
	DataDir string
	// RunDir holds the option file, the pid file, the socket and (by
	// default) the log. It is created if missing. When RunDir is too deep
	// for a unix socket path (about 107 bytes), the socket goes to a short
	// directory under the temp dir named after RunDir; see Server.Socket.
	RunDir string
	// Port is the TCP port on 127.0.0.1; 0 picks a free one.
	Port int
	// ServerID is @@server_id; 0 means 1. A failover starts the standby with
	// its own id, so clients can see that the server changed.
	ServerID int
	// Options are the DB parameter group's values, in the [mariadbd] group
	// of the option file. '-' and '_' are the same in names; managed names
	// (see Managed) are dropped and listed by Server.Ignored.
	Options map[string]string
	// LogPath is the error log, appended to; default RunDir/mariadbd.log.
	LogPath string
	// StartTimeout bounds Wait when its ctx has no deadline; default
	// DefaultStartTimeout.
	StartTimeout time.Duration
}

// ExitError reports that mariadbd exited while Wait was waiting for it:
// usually a bad option value or a datadir it cannot use. Log holds the end
// of this run's error log.
type ExitError struct {
	Pid   int
	State string // e.g. "exit status 7"
	Log   string
}

func (e *ExitError) Error() string {
	msg := fmt.Sprintf("mariadbd (pid %d) exited during startup (%s)", e.Pid, e.State)
	if first := firstError(e.Log); first != "" {
		msg += ": " + first
	}
	return msg + "\nlog tail:\n" + e.Log
}

// ErrKilled reports that Stop had to SIGKILL a server that ignored SIGTERM
// for too long. The server is gone either way; InnoDB recovers on the next
// start.
var ErrKilled = errors.New("mariadbd did not shut down in time and was killed")

// Server is a running (or exited) mariadbd owned by this process.
type Server struct {
	cfg        Config // paths absolute, Port and LogPath filled in
	bin        Binaries
	socket     string
	socketDir  string // the short directory holding socket, if not RunDir
	optionFile string
	pidFile    string
	logOffset  int64
	ignored    []string
	pid        int

	cmd     *exec.Cmd
	logFile *os.File
	exited  chan struct{}
	state   string // set before exited is closed

	db *sql.DB

	varsMu sync.Mutex
	vars   map[string]varInfo // SetGlobal's cache of information_schema
}

// running maps "run:"+RunDir and "data:"+DataDir to the live Server using
// them. Two servers in one run directory would share a socket and a pid
// file; two on one datadir would have the second wait about 100 s for
// InnoDB's lock before failing, so both are refused at once.
var running sync.Map

func (s *Server) claim() error {
	if _, loaded := running.LoadOrStore("run:"+s.cfg.RunDir, s); loaded {
		return fmt.Errorf("starting mariadbd: run dir %s is in use by a running server", s.cfg.RunDir)
	}
	if _, loaded := running.LoadOrStore("data:"+s.cfg.DataDir, s); loaded {
		running.CompareAndDelete("run:"+s.cfg.RunDir, s)
		return fmt.Errorf("starting mariadbd: data dir %s is in use by a running server", s.cfg.DataDir)
	}
	return nil
}

func (s *Server) release() {
	running.CompareAndDelete("run:"+s.cfg.RunDir, s)
	running.CompareAndDelete("data:"+s.cfg.DataDir, s)
}

// Start launches a server and waits until it accepts connections. On any
// failure the process is gone when Start returns. With Port 0 a port taken
// by someone else between choosing and binding is retried.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	for attempt := 1; ; attempt++ {
		s, err := Launch(cfg)
		if err != nil {
			return nil, err
		}
		err = s.Wait(ctx)
		if err == nil {
			return s, nil
		}
		s.Kill()
		var exit *ExitError
		if cfg.Port == 0 && attempt < startAttempts && errors.As(err, &exit) && strings.Contains(exit.Log, "Address already in use") {
			continue
		}
		return nil, err
	}
}

// Launch writes the option file and starts mariadbd without waiting for it
// to accept connections; Wait does that. A stale engine left in RunDir by a
// previous lab is killed first (see KillStale).
func Launch(cfg Config) (*Server, error) {
	s, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.claim(); err != nil {
		return nil, err
	}
	if err := s.launch(); err != nil {
		if s.cmd == nil { // never started; otherwise reap cleans up
			s.release()
			if s.socketDir != "" {
				os.RemoveAll(s.socketDir)
			}
		}
		return nil, fmt.Errorf("starting mariadbd in %s: %w", s.cfg.RunDir, err)
	}
	return s, nil
}

// prepare resolves cfg into a Server without touching any process.
func prepare(cfg Config) (*Server, error) {
	bin, err := cfg.Binaries.resolve()
	if err != nil {
		return nil, err
	}
	if cfg.DataDir == "" || cfg.RunDir == "" {
		return nil, errors.New("starting mariadbd: DataDir and RunDir are required")
	}
	for _, p := range []*string{&cfg.DataDir, &cfg.RunDir} {
		if *p, err = filepath.Abs(*p); err != nil {
			return nil, err
		}
	}
	if cfg.LogPath == "" {
		cfg.LogPath = filepath.Join(cfg.RunDir, logFileName)
	} else if cfg.LogPath, err = filepath.Abs(cfg.LogPath); err != nil {
		return nil, err
	}
	if cfg.ServerID == 0 {
		cfg.ServerID = 1
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = DefaultStartTimeout
	}
	if fi, err := os.Stat(filepath.Join(cfg.DataDir, "mysql")); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("starting mariadbd: %s is not an initialised datadir (clone a Template into it)", cfg.DataDir)
	}
	s := &Server{
		cfg:        cfg,
		bin:        bin,
		optionFile: filepath.Join(cfg.RunDir, optionFileName),
		pidFile:    filepath.Join(cfg.RunDir, pidFileName),
		exited:     make(chan struct{}),
	}
	s.socket, s.socketDir = socketPath(cfg.RunDir)
	return s, nil
}

func (s *Server) launch() error {
	if err := os.MkdirAll(s.cfg.RunDir, 0o755); err != nil {
		return err
	}
	if _, err := killStale(s.cfg.RunDir); err != nil {
		return err
	}
	if s.socketDir != "" {
		if err := os.MkdirAll(s.socketDir, 0o700); err != nil {
			return err
		}
	}
	tmpDir := filepath.Join(s.cfg.RunDir, "tmp")
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		return err
	}
	if s.cfg.Port == 0 {
		p, err := freePort()
		if err != nil {
			return err
		}
		s.cfg.Port = p
	}
	identity := map[string]string{
		"datadir":      s.cfg.DataDir,
		"socket":       s.socket,
		"port":         strconv.Itoa(s.cfg.Port),
		"bind_address": "127.0.0.1",
		"pid_file":     s.pidFile,
		"log_error":    s.cfg.LogPath,
		"server_id":    strconv.Itoa(s.cfg.ServerID),
		// Each server's own: at startup mariadbd deletes every #sql* file in
		// its tmpdir, which in a shared /tmp are other servers' temporary
		// tables.
		"tmpdir": tmpDir,
	}
	if os.Geteuid() == 0 {
		// mariadbd refuses to run as root unless told to.
		identity["user"] = "root"
	}
	opts, ignored, err := mergeOptions(s.cfg.Options, identity)
	if err != nil {
		return err
	}
	s.ignored = ignored
	if err := WriteOptionFile(s.optionFile, opts); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.cfg.LogPath), 0o755); err != nil {
		return err
	}
	logFile, err := os.OpenFile(s.cfg.LogPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if fi, err := logFile.Stat(); err == nil {
		s.logOffset = fi.Size()
	}
	fmt.Fprintf(logFile, "---- rdsctl: starting %s --defaults-file=%s at %s\n", s.bin.Mariadbd, s.optionFile, time.Now().Format(time.RFC3339Nano))

	// --defaults-file must come first; it makes mariadbd read only our file.
	cmd := exec.Command(s.bin.Mariadbd, "--defaults-file="+s.optionFile)
	cmd.Dir = s.cfg.RunDir
	cmd.Env = childEnv()
	// Options that fail before log_error is opened go to stderr: same file.
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	db, err := openDB(s.socket)
	if err != nil {
		logFile.Close()
		return err
	}
	if err := spawn(cmd); err != nil {
		logFile.Close()
		return err
	}
	s.cmd, s.logFile, s.pid, s.db = cmd, logFile, cmd.Process.Pid, db
	go s.reap()
	// The pid file is ours first; mariadbd rewrites it with the same pid
	// once it is up. Written now, it covers a lab killed during startup.
	if err := atomicfile.Write(s.pidFile, []byte(strconv.Itoa(s.pid)+"\n"), 0o644); err != nil {
		s.Kill()
		return fmt.Errorf("writing pid file: %w", err)
	}
	return nil
}

// reap is the only caller of cmd.Wait.
func (s *Server) reap() {
	err := s.cmd.Wait()
	switch {
	case s.cmd.ProcessState != nil:
		s.state = s.cmd.ProcessState.String()
	case err != nil:
		s.state = err.Error()
	}
	s.logFile.Close()
	if b, err := os.ReadFile(s.pidFile); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(s.pid) {
		os.Remove(s.pidFile)
	}
	if s.socketDir != "" {
		os.RemoveAll(s.socketDir)
	}
	s.release()
	close(s.exited)
}

// Wait polls until the server accepts connections on its socket. It fails
// at once, with the log tail, if the process exits first (a bad option
// value), and when ctx ends; without a ctx deadline it gives up after
// Config.StartTimeout.
func (s *Server) Wait(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.StartTimeout)
		defer cancel()
	}
	delay := 2 * time.Millisecond
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-s.exited:
			return &ExitError{Pid: s.pid, State: s.state, Log: s.LogTail(4096)}
		case <-ctx.Done():
			return fmt.Errorf("waiting for mariadbd (pid %d) to accept connections: %w\nlog tail:\n%s", s.pid, ctx.Err(), s.LogTail(4096))
		case <-timer.C:
		}
		if s.ready(ctx) {
			return nil
		}
		delay = min(delay*2, 10*time.Millisecond)
		timer.Reset(delay)
	}
}

func (s *Server) ready(ctx context.Context) bool {
	if _, err := os.Stat(s.socket); err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return s.db.PingContext(ctx) == nil
}

// Stop shuts the server down cleanly: SIGTERM, then a wait bounded by ctx
// (or DefaultStopTimeout), then SIGKILL. It returns when the process has
// been reaped; an error wrapping ErrKilled says the clean shutdown did not
// finish in time.
func (s *Server) Stop(ctx context.Context) error {
	s.db.Close()
	select {
	case <-s.exited:
		return nil
	default:
	}
	if err := syscall.Kill(s.pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("stopping mariadbd (pid %d): %w", s.pid, err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultStopTimeout)
		defer cancel()
	}
	select {
	case <-s.exited:
		return nil
	case <-ctx.Done():
	}
	if err := s.Kill(); err != nil {
		return err
	}
	return fmt.Errorf("stopping mariadbd (pid %d): %w", s.pid, ErrKilled)
}

// Kill crashes the server: SIGKILL to its process group, as a host failure
// would, and returns once it is reaped, so its datadir locks are free for
// the next server.
func (s *Server) Kill() error {
	s.db.Close()
	select {
	case <-s.exited:
		return nil
	default:
	}
	if err := syscall.Kill(-s.pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("killing mariadbd (pid %d): %w", s.pid, err)
	}
	t := time.NewTimer(killTimeout)
	defer t.Stop()
	select {
	case <-s.exited:
		return nil
	case <-t.C:
		return fmt.Errorf("killing mariadbd (pid %d): not reaped after %v", s.pid, killTimeout)
	}
}

// Exited is closed once the process has exited and been reaped.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// ExitState describes how the process ended ("signal: killed"), or is
// empty while it runs.
func (s *Server) ExitState() string {
	select {
	case <-s.exited:
		return s.state
	default:
		return ""
	}
}

// Pid is the mariadbd process id, which is also its process group id.
func (s *Server) Pid() int { return s.pid }

// Port is the TCP port on 127.0.0.1.
func (s *Server) Port() int { return s.cfg.Port }

// Addr is host:port for TCP clients, e.g. the lab's endpoint proxy.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.cfg.Port)) }

// Socket is the unix socket path; root connects there without a password.
func (s *Server) Socket() string { return s.socket }

// OptionFile is the option file the server was started with.
func (s *Server) OptionFile() string { return s.optionFile }

// Config is the configuration the server was started with, with paths made
// absolute and the port filled in; a reboot starts a copy with new Options.
func (s *Server) Config() Config { return s.cfg }

// Ignored lists the managed option names that Config.Options carried and
// the server did not take.
func (s *Server) Ignored() []string { return append([]string(nil), s.ignored...) }
