// Package mysqldtest gives tests real MariaDB servers: Require finds the
// binaries (skipping on a developer machine without them, failing in CI),
// Template shares one template datadir between all tests and test binaries,
// and Start runs a server for one test.
package mysqldtest

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
)

// Require returns the MariaDB binaries. Without them the test is skipped,
// unless the CI environment variable is set: CI must run every engine test,
// so there a missing server is a failure that names the install command.
func Require(t testing.TB) mysqld.Binaries {
	t.Helper()
	bin, err := find()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set and the MariaDB server is missing (install it with: %s): %v", mysqld.InstallHint, err)
		}
		t.Skipf("skipping: %v (CI unset; install it with: %s)", err, mysqld.InstallHint)
	}
	return bin
}

var find = sync.OnceValues(mysqld.Find)

var (
	tmplMu   sync.Mutex
	tmpl     *mysqld.Template
	tmplErr  error
	tmplDone bool
)

// Template returns a template datadir shared by every test in this process
// and by other test binaries of the same user: it lives in the temp dir
// under a name derived from the mariadbd binary, so `go test ./...` pays for
// mariadb-install-db once, and InitTemplate makes concurrent packages safe
// and rebuilds it if the build or the defaults change. Set
// RDSCTL_MYSQLD_TEMPLATE to use another directory.
func Template(t testing.TB) *mysqld.Template {
	t.Helper()
	bin := Require(t)
	tmplMu.Lock()
	defer tmplMu.Unlock()
	if !tmplDone {
		tmpl, tmplErr = initTemplate(bin)
		tmplDone = true
	}
	if tmplErr != nil {
		t.Fatal(tmplErr)
	}
	return tmpl
}

func initTemplate(bin mysqld.Binaries) (*mysqld.Template, error) {
	dir := os.Getenv("RDSCTL_MYSQLD_TEMPLATE")
	if dir == "" {
		fi, err := os.Stat(bin.Mariadbd)
		if err != nil {
			return nil, err
		}
		key := fmt.Sprintf("%s-%d-%d", bin.Mariadbd, fi.Size(), fi.ModTime().UnixNano())
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("rdsctl-mysqldtest-%d-%s", os.Getuid(), hash(key)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	return mysqld.InitTemplate(ctx, bin, dir)
}

// Start clones the shared template into a temp dir and starts a server with
// opts; the test's cleanup stops it.
func Start(t testing.TB, opts map[string]string) *mysqld.Server {
	t.Helper()
	srv, err := StartErr(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// StartErr is Start for tests that expect the start to fail.
func StartErr(t testing.TB, opts map[string]string) (*mysqld.Server, error) {
	t.Helper()
	cfg := Config(t, opts)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := mysqld.Start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { Stop(t, srv) })
	return srv, nil
}

// Config clones the shared template into a fresh temp dir and returns a
// Config for it, for tests that start servers themselves.
func Config(t testing.TB, opts map[string]string) mysqld.Config {
	t.Helper()
	bin := Require(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := Template(t).Clone(data); err != nil {
		t.Fatal(err)
	}
	return mysqld.Config{Binaries: bin, DataDir: data, RunDir: filepath.Join(dir, "run"), Options: opts}
}

// Stop stops srv cleanly, failing the test if that does not work.
func Stop(t testing.TB, srv *mysqld.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Stop(ctx); err != nil {
		t.Errorf("stopping mariadbd: %v", err)
	}
}

func hash(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	return fmt.Sprintf("%016x", h.Sum64())
}
