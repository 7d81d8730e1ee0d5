package mysqld_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
	"github.com/rdsctl/rdsctl/cloud/lab/mysqld/mysqldtest"
)

// BenchmarkClone is the datadir copy of CreateDBInstance.
func BenchmarkClone(b *testing.B) {
	tmpl := mysqldtest.Template(b)
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		if err := tmpl.Clone(filepath.Join(dir, fmt.Sprint(i))); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkCloneStart is CreateDBInstance up to "accepts connections";
// the stop after each start is not timed.
func BenchmarkCloneStart(b *testing.B) {
	bin := mysqldtest.Require(b)
	tmpl := mysqldtest.Template(b)
	dir := b.TempDir()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		d := filepath.Join(dir, fmt.Sprint(i))
		if err := tmpl.Clone(filepath.Join(d, "data")); err != nil {
			b.Fatal(err)
		}
		srv, err := mysqld.Start(ctx, mysqld.Config{Binaries: bin, DataDir: filepath.Join(d, "data"), RunDir: filepath.Join(d, "run")})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		stopBench(b, srv)
		b.StartTimer()
	}
}

// BenchmarkKillRestart is a failover with no delay: SIGKILL, reap, crash
// recovery on the same datadir, accepting connections again.
func BenchmarkKillRestart(b *testing.B) {
	cfg := mysqldtest.Config(b, nil)
	ctx := context.Background()
	srv, err := mysqld.Start(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := srv.Kill(); err != nil {
			b.Fatal(err)
		}
		if srv, err = mysqld.Start(ctx, cfg); err != nil {
			b.Fatal(err)
		}
	}
	stopBench(b, srv)
}

// BenchmarkStopStart is a reboot: clean shutdown, start with new options.
func BenchmarkStopStart(b *testing.B) {
	cfg := mysqldtest.Config(b, nil)
	ctx := context.Background()
	srv, err := mysqld.Start(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := srv.Stop(ctx); err != nil {
			b.Fatal(err)
		}
		if srv, err = mysqld.Start(ctx, cfg); err != nil {
			b.Fatal(err)
		}
	}
	stopBench(b, srv)
}

func stopBench(b *testing.B, srv *mysqld.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Stop(ctx); err != nil {
		b.Fatal(err)
	}
}
