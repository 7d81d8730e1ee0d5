// Command app is the sample application for game-day drills (package
// sampleapp): a database/sql pool and a /health endpoint that queries the
// database through it, with the pool's settings as flags.
//
//	DB_PASSWORD=... app --listen 127.0.0.1:8080 --db-addr 127.0.0.1:3306 --db-user admin \
//	    --dial-timeout 1s --read-timeout 2s --write-timeout 2s --conn-max-lifetime 30s --health-timeout 2s
//
// /health answers 200 when SELECT 1 succeeds, 503 when the query fails,
// and 504 when the health check's own timeout expires first. SIGHUP
// replaces the pool, as a restart would; --pid-file lets a drill's restart
// hook send it.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/rdsctl/rdsctl/examples/app/sampleapp"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	var c sampleapp.Config
	var pidFile string
	fs := flag.NewFlagSet("app", flag.ContinueOnError)
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:8080", "HTTP listen address")
	fs.StringVar(&c.Addr, "db-addr", "127.0.0.1:3306", "database host:port")
	fs.StringVar(&c.User, "db-user", "admin", "database user (password from $DB_PASSWORD)")
	fs.StringVar(&pidFile, "pid-file", "", "write the process id here, for a restart hook's kill -HUP")
	sampleapp.PoolFlags(fs, &c)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c.Password = os.Getenv("DB_PASSWORD")
	app, err := sampleapp.New(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "app:", err)
		return 2
	}
	defer app.Close()
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "app:", err)
		return 1
	}
	if pidFile != "" {
		remove, err := sampleapp.WritePIDFile(pidFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "app:", err)
			return 1
		}
		defer remove()
	}
	fmt.Fprintf(os.Stderr, "app: listening on http://%s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer app.RestartOnHangup(func(format string, args ...any) { fmt.Fprintf(os.Stderr, "app: "+format+"\n", args...) })()
	if err := app.Serve(ctx, ln); err != nil {
		fmt.Fprintln(os.Stderr, "app:", err)
		return 1
	}
	return 0
}
