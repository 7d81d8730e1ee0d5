// Command gen regenerates the catalog's data files from the installed
// mariadbd. It is run by go generate in package catalog:
//
//	go generate ./cloud/lab/catalog
//
// It needs MariaDB (apt-get install -y mariadb-server) and takes a few
// seconds: it installs a throw-away datadir, starts a socket-only server,
// reads information_schema.SYSTEM_VARIABLES and stops it again.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/rdsctl/rdsctl/cloud/lab/catalog/internal/generate"
)

func main() {
	out := flag.String("out", "data", "directory to write <family>.json into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bin, err := generate.FindBinaries()
	if err != nil {
		return err
	}
	return generate.Run(ctx, bin, out)
}
