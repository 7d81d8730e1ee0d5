package mysqldtest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/rdsctl/rdsctl/cloud/lab/mysqld"
)

// recorder is a testing.TB that records how a helper ended the test.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f in its own goroutine, as the testing package does, so that
// Fatalf and Skipf can end it.
func run(t *testing.T, f func(tb testing.TB)) *recorder {
	r := &recorder{TB: t}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f(r)
	}()
	wg.Wait()
	return r
}

func TestRequireMissing(t *testing.T) {
	orig := find
	t.Cleanup(func() { find = orig })
	find = func() (mysqld.Binaries, error) {
		return mysqld.Binaries{}, fmt.Errorf("mariadbd not found: %w", mysqld.ErrNotInstalled)
	}

	t.Setenv("CI", "")
	r := run(t, func(tb testing.TB) { Require(tb) })
	if r.skip == "" || r.fatal != "" || !strings.Contains(r.skip, mysqld.InstallHint) {
		t.Errorf("without CI: skip=%q fatal=%q, want a skip naming the install command", r.skip, r.fatal)
	}

	t.Setenv("CI", "true")
	r = run(t, func(tb testing.TB) { Require(tb) })
	if r.fatal == "" || r.skip != "" || !strings.Contains(r.fatal, "apt-get install -y mariadb-server") {
		t.Errorf("in CI: skip=%q fatal=%q, want a failure naming the install command", r.skip, r.fatal)
	}
}
