// Command app is a small HTTP service for game-day drills: a database/sql
// pool and a /health endpoint that queries the database through it. Its
// pool settings are flags, so one binary can play both the application
// that never recovers from a failover by itself (no timeouts) and the one
// that is back within seconds of the database (tight timeouts).
//
//	DB_PASSWORD=... app --listen 127.0.0.1:8080 --db-addr 127.0.0.1:3306 --db-user admin \
//	    --dial-timeout 1s --read-timeout 2s --write-timeout 2s --conn-max-lifetime 30s --health-timeout 2s
//
// /health answers 200 when SELECT 1 succeeds, 503 when the query fails,
// and 504 when the health check's own timeout expires first.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
)

func main() { os.Exit(run(os.Args[1:])) }

// config is the app's flags; a zero duration means "no timeout", the
// driver's and database/sql's defaults.
type config struct {
	listen, addr, user      string
	dial, read, write       time.Duration
	maxLifetime, healthTime time.Duration
	maxOpen                 int
}

func run(args []string) int {
	var c config
	fs := flag.NewFlagSet("app", flag.ContinueOnError)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "HTTP listen address")
	fs.StringVar(&c.addr, "db-addr", "127.0.0.1:3306", "database host:port")
	fs.StringVar(&c.user, "db-user", "admin", "database user (password from $DB_PASSWORD)")
	fs.DurationVar(&c.dial, "dial-timeout", 0, "driver dial timeout (0: none)")
	fs.DurationVar(&c.read, "read-timeout", 0, "driver read timeout (0: none)")
	fs.DurationVar(&c.write, "write-timeout", 0, "driver write timeout (0: none)")
	fs.DurationVar(&c.maxLifetime, "conn-max-lifetime", 0, "database/sql SetConnMaxLifetime (0: forever)")
	fs.DurationVar(&c.healthTime, "health-timeout", 0, "timeout of the /health query (0: none)")
	fs.IntVar(&c.maxOpen, "max-open-conns", 4, "database/sql SetMaxOpenConns")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	mc := mysql.NewConfig()
	mc.Net, mc.Addr, mc.User, mc.Passwd = "tcp", c.addr, c.user, os.Getenv("DB_PASSWORD")
	mc.Timeout, mc.ReadTimeout, mc.WriteTimeout = c.dial, c.read, c.write
	mc.Logger = &mysql.NopLogger{}
	conn, err := mysql.NewConnector(mc)
	if err != nil {
		fmt.Fprintln(os.Stderr, "app:", err)
		return 2
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	db.SetMaxOpenConns(c.maxOpen)
	db.SetMaxIdleConns(c.maxOpen)
	db.SetConnMaxLifetime(c.maxLifetime)

	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		// Like many apps, the check does not follow the caller: it runs to
		// its own timeout (or none), whoever is still waiting.
		ctx := context.Background()
		if c.healthTime > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.healthTime)
			defer cancel()
		}
		var one int
		err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
		switch {
		case err == nil:
			fmt.Fprintln(w, "ok")
		case errors.Is(err, context.DeadlineExceeded):
			http.Error(w, "database: "+err.Error(), http.StatusGatewayTimeout)
		default:
			http.Error(w, "database: "+err.Error(), http.StatusServiceUnavailable)
		}
	})
	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "app:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "app: listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "app:", err)
		return 1
	}
	return 0
}
