// Package sampleapp is the sample application for game-day drills: an HTTP
// service with a database/sql pool and a /health endpoint that queries the
// database through it. Its pool settings are flags, so one program can play
// both the application that never recovers from a failover by itself (no
// timeouts) and the one that is back within seconds of the database (tight
// timeouts). examples/app runs it on its own; `rdsctl lab app` runs it
// against a lab instance.
//
// /health answers 200 when SELECT 1 succeeds, 503 when the query fails,
// and 504 when the health check's own timeout expires first. Restart (the
// app's SIGHUP) replaces the pool, as restarting the process would.
package sampleapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Config is the app's settings; a zero duration means "no timeout", the
// driver's and database/sql's defaults.
type Config struct {
	Listen, Addr, User, Password string
	Dial, Read, Write            time.Duration
	MaxLifetime, HealthTimeout   time.Duration
	MaxOpen                      int
}

// FlagSet is what PoolFlags needs of a flag set: the standard library's
// (examples/app) and pflag's (`rdsctl lab app`) both have it.
type FlagSet interface {
	DurationVar(p *time.Duration, name string, value time.Duration, usage string)
	IntVar(p *int, name string, value int, usage string)
}

// PoolFlags registers the pool's flags, shared by examples/app and
// `rdsctl lab app`.
func PoolFlags(fs FlagSet, c *Config) {
	fs.DurationVar(&c.Dial, "dial-timeout", 0, "driver dial timeout (0: none)")
	fs.DurationVar(&c.Read, "read-timeout", 0, "driver read timeout (0: none)")
	fs.DurationVar(&c.Write, "write-timeout", 0, "driver write timeout (0: none)")
	fs.DurationVar(&c.MaxLifetime, "conn-max-lifetime", 0, "database/sql SetConnMaxLifetime (0: forever)")
	fs.DurationVar(&c.HealthTimeout, "health-timeout", 0, "timeout of the /health query (0: none)")
	fs.IntVar(&c.MaxOpen, "max-open-conns", 4, "database/sql SetMaxOpenConns")
}

// App is the running service.
type App struct {
	cfg Config
	mu  sync.Mutex
	db  *sql.DB
}

// New opens the app's pool (lazily: no connection is made yet).
func New(c Config) (*App, error) {
	a := &App{cfg: c}
	db, err := a.open()
	if err != nil {
		return nil, err
	}
	a.db = db
	return a, nil
}

func (a *App) open() (*sql.DB, error) {
	c := a.cfg
	mc := mysql.NewConfig()
	mc.Net, mc.Addr, mc.User, mc.Passwd = "tcp", c.Addr, c.User, c.Password
	mc.Timeout, mc.ReadTimeout, mc.WriteTimeout = c.Dial, c.Read, c.Write
	mc.Logger = &mysql.NopLogger{}
	conn, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(c.MaxOpen)
	db.SetMaxIdleConns(c.MaxOpen)
	db.SetConnMaxLifetime(c.MaxLifetime)
	return db, nil
}

func (a *App) pool() *sql.DB {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.db
}

// Restart replaces the pool with a new one, as restarting the process
// would: requests stuck on the old pool's connections stay stuck, new ones
// get fresh connections.
func (a *App) Restart() error {
	db, err := a.open()
	if err != nil {
		return err
	}
	a.mu.Lock()
	old := a.db
	a.db = db
	a.mu.Unlock()
	go old.Close() // its hung connections never answer; do not wait on them
	return nil
}

// Close closes the pool.
func (a *App) Close() error { return a.pool().Close() }

// ServeHTTP answers /health.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/health" {
		http.NotFound(w, r)
		return
	}
	// Like many apps, the check does not follow the caller: it runs to its
	// own timeout (or none), whoever is still waiting.
	ctx := context.Background()
	if a.cfg.HealthTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.cfg.HealthTimeout)
		defer cancel()
	}
	var one int
	err := a.pool().QueryRowContext(ctx, "SELECT 1").Scan(&one)
	switch {
	case err == nil:
		fmt.Fprintln(w, "ok")
	case errors.Is(err, context.DeadlineExceeded):
		http.Error(w, "database: "+err.Error(), http.StatusGatewayTimeout)
	default:
		http.Error(w, "database: "+err.Error(), http.StatusServiceUnavailable)
	}
}

// Serve answers on ln until ctx ends, then shuts down within 2 s.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: a, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		srv.Close()
	}()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		<-done
		return nil
	}
	return err
}

// RestartOnHangup replaces the pool on every SIGHUP until the returned
// stop is called, reporting each through logf.
func (a *App) RestartOnHangup(logf func(format string, args ...any)) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-hup:
				if err := a.Restart(); err != nil {
					logf("restart: %v", err)
					continue
				}
				logf("restarted: a new pool")
			}
		}
	}()
	return func() { signal.Stop(hup); close(done) }
}

// WritePIDFile writes this process's id to path, for a restart hook's
// kill -HUP, and returns a func that removes it.
func WritePIDFile(path string) (remove func(), err error) {
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return nil, err
	}
	return func() { os.Remove(path) }, nil
}
